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
	ID         int64
	StoreID    *int64
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
	id, err := insertID(ctx, tx, `INSERT INTO event (store_id, object_type, object_id, action, actor, payload, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		e.StoreID, e.ObjectType, e.ObjectID, e.Action, e.Actor, e.Payload, db.Time(e.CreatedAt))
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
	return list(ctx, q, scanEvent, `SELECT id, store_id, object_type, object_id, action, actor, payload, created_at FROM event`,
		&w, " ORDER BY id", Page{Limit: limit})
}

func scanEvent(s scanner) (Event, error) {
	var e Event
	var storeID sql.NullInt64
	err := s.Scan(&e.ID, &storeID, &e.ObjectType, &e.ObjectID, &e.Action, &e.Actor, &e.Payload, &e.CreatedAt)
	e.StoreID = nullInt(storeID)
	return e, err
}
