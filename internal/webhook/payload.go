package webhook

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"seam/internal/store"
)

// Payload flavours of a subscription.
const (
	// FlavourIntegrationAPI is the body of Centra's webhook plugin in
	// "Integration API" mode: form-encoded payload=<JSON> where the JSON
	// is {"events":[{"type":"order","action":"insert","date":"2021-01-29
	// 14:40:58.628033","id":2735}]}. The receiver fetches the objects it
	// cares about with the Integration API.
	FlavourIntegrationAPI = "INTEGRATION_API"
	// FlavourJSON is Seam's own: application/json {"subscription": id,
	// "events": [feed events with their payloads]}.
	FlavourJSON = "JSON"
)

// centraDate is the date format of Centra's webhook events (UTC).
const centraDate = "2006-01-02 15:04:05.000000"

// centraEvent is one event of the Integration API flavour.
type centraEvent struct {
	Type   string `json:"type"`
	Action string `json:"action"`
	Date   string `json:"date"`
	ID     any    `json:"id"`
}

// feedEvent is one event of the JSON flavour.
type feedEvent struct {
	ID         int64           `json:"id"`
	ObjectType string          `json:"objectType"`
	ObjectID   string          `json:"objectId"`
	Action     string          `json:"action"`
	StoreID    *int64          `json:"storeId"`
	MarketID   *int64          `json:"marketId"`
	Actor      string          `json:"actor"`
	CreatedAt  string          `json:"createdAt"`
	Payload    json.RawMessage `json:"payload"`
}

// body makes the request body of a call carrying evs to subscription
// subID in flavour, and its content type.
func body(flavour string, subID int64, evs []store.Event) (contentType string, b []byte, err error) {
	switch flavour {
	case FlavourIntegrationAPI:
		out := struct {
			Events []centraEvent `json:"events"`
		}{Events: make([]centraEvent, len(evs))}
		for i, e := range evs {
			out.Events[i] = centraEvent{Type: centraType(e.ObjectType), Action: centraAction(e.Action),
				Date: e.CreatedAt.UTC().Format(centraDate), ID: centraID(e)}
		}
		j, err := json.Marshal(out)
		if err != nil {
			return "", nil, err
		}
		return "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(j)}}.Encode()), nil
	case FlavourJSON:
		out := struct {
			Subscription int64       `json:"subscription"`
			Events       []feedEvent `json:"events"`
		}{Subscription: subID, Events: make([]feedEvent, len(evs))}
		for i, e := range evs {
			p := json.RawMessage(e.Payload)
			if !json.Valid(p) {
				p = json.RawMessage("null")
			}
			out.Events[i] = feedEvent{ID: e.ID, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Action: e.Action, StoreID: e.StoreID,
				MarketID: e.MarketID, Actor: e.Actor, CreatedAt: e.CreatedAt.UTC().Format(time.RFC3339Nano), Payload: p}
		}
		j, err := json.Marshal(out)
		return "application/json", j, err
	}
	return "", nil, fmt.Errorf("unknown webhook flavour %q", flavour)
}

// centraType is Centra's webhook type name for an object type:
// "Order" → "order", "PaymentLink" → "payment_link".
func centraType(objectType string) string {
	var b strings.Builder
	for i, r := range objectType {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// centraAction is Centra's webhook action for a feed action: CREATED is
// "insert" (seed 003: "type: order, action: insert"), UPDATED "update",
// DELETED "delete", COMPLETED "complete"; other actions are lower-cased.
func centraAction(action string) string {
	switch action {
	case "CREATED":
		return "insert"
	case "UPDATED":
		return "update"
	case "DELETED":
		return "delete"
	case "COMPLETED":
		return "complete"
	}
	return strings.ToLower(action)
}

// centraID is the id a Centra webhook reports: an order's number (the
// feed's event payload carries it), otherwise the object's id, as a number
// when it is one.
func centraID(e store.Event) any {
	if e.ObjectType == "Order" {
		var p struct {
			Number *int64 `json:"number"`
		}
		if json.Unmarshal([]byte(e.Payload), &p) == nil && p.Number != nil {
			return *p.Number
		}
	}
	if n, err := strconv.ParseInt(e.ObjectID, 10, 64); err == nil {
		return n
	}
	return e.ObjectID
}
