package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
)

// Event is one row of the events feed: something that happened to an
// object, written in the transaction that made it happen.
type Event struct {
	ID      int64
	StoreID *int64
	// MarketID is the market of an order or a selection (and of an
	// order's shipments and returns); nil for other objects.
	MarketID   *int64
	ObjectType string
	ObjectID   string
	Action     string
	Actor      string
	// Payload is JSON.
	Payload   string
	CreatedAt time.Time
}

// InsertEvent appends e to the events feed inside tx and sets its ID.
//
// Feed readers page by id, so ids must be drawn in commit order: a reader
// that saw id 7 must never later find a 6. Concurrent PostgreSQL
// transactions draw identity values in one order and may commit in
// another, so InsertEvent first takes the 'event' counter row's lock, held
// until tx ends, and draws the id under it. Event writers are serialized
// from here to their commit; call it as late in the transaction as the
// change allows. SQLite's one writer gives the same order without waiting.
func InsertEvent(ctx context.Context, tx *db.Tx, e *Event) error {
	if _, err := tx.ExecContext(ctx, `UPDATE counter SET value = value + 1 WHERE name = 'event'`); err != nil {
		return err
	}
	id, err := insertID(ctx, tx, `INSERT INTO event (store_id, market_id, object_type, object_id, action, actor, payload, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		e.StoreID, e.MarketID, e.ObjectType, e.ObjectID, e.Action, e.Actor, e.Payload, db.Time(e.CreatedAt))
	e.ID = id
	return err
}

// EventFilter selects events of the feed.
type EventFilter struct {
	// After is the cursor: only events with a larger id.
	After int64
	// StoreID, when set, keeps the store's events and those of no store.
	StoreID *int64
	// Limit caps the rows returned; 0 means 100.
	Limit int
}

// Events lists events in feed (commit) order.
func Events(ctx context.Context, q db.Q, f EventFilter) ([]Event, error) {
	var w where
	w.add("id > ?", f.After)
	if f.StoreID != nil {
		w.add("(store_id = ? OR store_id IS NULL)", *f.StoreID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	return list(ctx, q, scanEvent, eventSelect,
		&w, " ORDER BY id", Page{Limit: limit})
}

const eventColumns = `e.id, e.store_id, e.market_id, e.object_type, e.object_id, e.action, e.actor, e.payload, e.created_at`

const eventSelect = `SELECT ` + eventColumns + ` FROM event e`

func scanEvent(s scanner) (Event, error) {
	var e Event
	err := scanEventInto(s, &e)
	return e, err
}

// scanEventInto scans eventColumns, and then more, into e.
func scanEventInto(s scanner, e *Event, more ...any) error {
	var storeID, marketID sql.NullInt64
	err := s.Scan(append([]any{&e.ID, &storeID, &marketID, &e.ObjectType, &e.ObjectID, &e.Action, &e.Actor, &e.Payload, &e.CreatedAt},
		more...)...)
	e.StoreID, e.MarketID = nullInt(storeID), nullInt(marketID)
	return err
}
