// Package webhook sends Seam's outgoing webhooks through the transactional
// outbox. A change enqueues its messages (Enqueue) in its own transaction,
// so nothing is sent for a change that rolled back and nothing before
// commit; a Worker then claims due messages, POSTs them signed
// (X-Centra-Signature), records every attempt and retries with backoff
// until a 2xx answer or the end of its retry window. Several Seam processes
// on one PostgreSQL share the work: a message is claimed by one worker at
// a time. Delivery is at least once: a receiver that must not act twice
// dedupes by the X-Seam-Delivery header.
//
// Subscriptions (CreateSubscription, the config file of SyncConfig) get
// the events feed itself: a FeedWorker POSTs each subscription's matching
// events in signed batches of up to 100, in feed order, in Centra's
// "Integration API" flavour or as JSON, logging every call, retrying with
// backoff for 72 hours before marking the subscription FAILING, and
// Redeliver starts it again.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/store"
)

// DefaultWindow is how long a message is retried when the Worker names no
// window; Enqueue writes created_at + DefaultWindow as the message's
// give_up_at, and the worker rewrites it with its own Window.
const DefaultWindow = 24 * time.Hour

// maxURL bounds a receiver's URL (it is indexed).
const maxURL = 2048

// Message is one webhook to send to one URL.
type Message struct {
	// EventID names the events-feed row the message reports, if any.
	EventID *int64
	// Kind says what the message is about, e.g. "after_sale".
	Kind    string
	StoreID *int64
	// URL is the receiver: an absolute http or https URL.
	URL string
	// Secret signs the message (X-Centra-Signature); empty sends it
	// unsigned.
	Secret string
	// ContentType is sent as Content-Type; empty means application/json.
	ContentType string
	// Body is sent byte for byte; it must be UTF-8 text without NUL bytes
	// (JSON or form data).
	Body []byte
}

// Enqueue adds m to the outbox inside tx. The worker sees it only once tx
// commits, and never if tx rolls back.
func Enqueue(ctx context.Context, tx *db.Tx, m Message) error {
	if err := m.check(); err != nil {
		return err
	}
	ct := m.ContentType
	if ct == "" {
		ct = "application/json"
	}
	now := db.Now()
	d := store.WebhookDelivery{EventID: m.EventID, Kind: m.Kind, StoreID: m.StoreID, URL: m.URL, Secret: m.Secret,
		ContentType: ct, Body: string(m.Body), NextAttemptAt: now, CreatedAt: now, GiveUpAt: now.Add(DefaultWindow)}
	if err := store.InsertWebhookDelivery(ctx, tx, &d); err != nil {
		return fmt.Errorf("enqueue %s webhook: %w", m.Kind, err)
	}
	return nil
}

// check tells what is wrong with m, naming the field.
func (m Message) check() error {
	var p seam.Problems
	if strings.TrimSpace(m.Kind) == "" {
		p.Add(seam.P("kind"), "A webhook message needs a kind, such as after_sale.")
	}
	if u, err := url.Parse(m.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Add(seam.P("url"), "The webhook URL must be an absolute http or https URL.")
	} else if len(m.URL) > maxURL {
		p.Add(seam.P("url"), "The webhook URL must be at most %d bytes long.", maxURL)
	}
	if !utf8.Valid(m.Body) || strings.ContainsRune(string(m.Body), 0) {
		p.Add(seam.P("body"), "A webhook body must be UTF-8 text without NUL bytes.")
	}
	if strings.ContainsAny(m.ContentType, "\r\n") {
		p.Add(seam.P("contentType"), "The content type must be one line.")
	}
	return p.Err()
}

// Sign returns the X-Centra-Signature value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<unix seconds>.<body>" keyed
// with secret>". A receiver recomputes v1 from the raw body and t, compares
// in constant time, and may refuse a t too far from its clock.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}
