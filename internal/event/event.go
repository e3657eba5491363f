// Package event writes and reads Seam's events feed: one row per change to
// an object, written in the transaction that makes the change (the
// transactional outbox), so that an event exists exactly when its change
// committed. The feed is read in commit order by its id cursor; webhook
// messages about an event name it (webhook.Message.EventID).
//
// The Integration API's events queue is built on the feed: an integration
// (a token name) listens for object types (SetListeners), Record queues
// each new event for the integrations listening for it, Queue returns an
// integration's oldest unconfirmed events and Confirm takes them out of its
// queue.
package event

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/store"
)

// Actions an event can report. Other upper-case verbs may follow as
// object types need them.
const (
	Created   = "CREATED"
	Updated   = "UPDATED"
	Completed = "COMPLETED"
	Deleted   = "DELETED"
	Used      = "USED"
)

// Object types of the events feed, as the Integration API's
// EventObjectType names them. Record events with these names so that
// integrations listening for the type see them.
const (
	TypeOrder          = "Order"
	TypeShipment       = "Shipment"
	TypeReturn         = "Return"
	TypeCustomer       = "Customer"
	TypeProduct        = "Product"
	TypeProductVariant = "ProductVariant"
	TypeProductSize    = "ProductSize"
	TypeDisplay        = "Display"
	TypePrice          = "Price"
	TypePricelist      = "Pricelist"
	TypeStockChange    = "StockChange"
	TypeVoucher        = "Voucher"
	TypeWarehouse      = "Warehouse"
	TypeSelection      = "Selection"
	TypePaymentLink    = "PaymentLink"
)

// Actors that are not Integration API tokens (those are named by the
// token's name).
const (
	ActorCheckout = "checkout"
	ActorAdmin    = "admin"
)

// Event is a change to report.
type Event struct {
	// StoreID is the store the object belongs to; nil for shop-wide
	// objects.
	StoreID *int64
	// MarketID is the market of an order or a selection, and of an
	// order's shipments and returns; nil for other objects.
	MarketID *int64
	// ObjectType is the API's type name: "Order", "PaymentLink", …
	ObjectType string
	// ObjectID is the object's id as the API shows it.
	ObjectID string
	// Action is CREATED, UPDATED, COMPLETED, DELETED, USED, …
	Action string
	// Actor is who made the change: a token's name, "checkout", "admin".
	Actor string
	// Payload is marshalled with encoding/json; pass a json.RawMessage for
	// JSON already made.
	Payload any
}

// Record appends e to the events feed inside tx, queues it for every
// integration listening for its type and change type, and returns its id.
// Call it in the transaction that makes the change, as late in it as the
// change allows: from here to commit it holds the feed's lock, which keeps
// ids in commit order on PostgreSQL (see store.InsertEvent).
func Record(ctx context.Context, tx *db.Tx, e Event) (int64, error) {
	for _, f := range []struct{ name, value string }{
		{"ObjectType", e.ObjectType}, {"ObjectID", e.ObjectID}, {"Action", e.Action}, {"Actor", e.Actor},
	} {
		if f.value == "" {
			return 0, fmt.Errorf("record event: %s is empty: %w", f.name, seam.ErrInvalid)
		}
	}
	payload, err := json.Marshal(e.Payload)
	if err != nil {
		return 0, fmt.Errorf("record event %s %s %s: payload: %w", e.ObjectType, e.ObjectID, e.Action, err)
	}
	row := store.Event{StoreID: e.StoreID, MarketID: e.MarketID, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Action: e.Action,
		Actor: e.Actor, Payload: string(payload), CreatedAt: db.Now()}
	if err := store.InsertEvent(ctx, tx, &row); err != nil {
		return 0, fmt.Errorf("record event %s %s %s: %w", e.ObjectType, e.ObjectID, e.Action, err)
	}
	if err := store.EnqueueEvent(ctx, tx, row.ID, e.ObjectType, ChangeType(e.Action)); err != nil {
		return 0, fmt.Errorf("queue event %s %s %s for its listeners: %w", e.ObjectType, e.ObjectID, e.Action, err)
	}
	return row.ID, nil
}

// After returns up to limit (1–1000; 0 means 100) events with ids above
// cursor, in commit order; with storeID set, only that store's events and
// those of no store. A reader that keeps the last id it saw and asks again
// misses nothing and sees nothing twice.
func After(ctx context.Context, q db.Q, cursor int64, storeID *int64, limit int) ([]store.Event, error) {
	if limit < 0 || limit > 1000 {
		return nil, seam.Invalid(seam.P("limit"), "limit must be between 1 and 1000, got %d", limit)
	}
	evs, err := store.Events(ctx, q, store.EventFilter{After: cursor, StoreID: storeID, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("read events after %d: %w", cursor, err)
	}
	return evs, nil
}

// Change records that actor made a change (Action) to an object with an
// integer id, without payload: the events feed's usual entry for catalog,
// stock and pricing objects. storeID is the object's store, nil for
// shop-wide objects.
func Change(ctx context.Context, tx *db.Tx, actor seam.Actor, storeID *int64, objectType string, id int64, action string) error {
	_, err := Record(ctx, tx, Event{StoreID: storeID, ObjectType: objectType, ObjectID: strconv.FormatInt(id, 10), Action: action, Actor: actor.Name})
	return err
}
