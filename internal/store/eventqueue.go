package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"seam/internal/db"
)

// EventListener is an integration's wish to receive events of one object
// type: of the listed change types, or of all when ChangeTypes is empty.
type EventListener struct {
	Integration string
	ObjectType  string
	ChangeTypes []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// changeTypesText is the column form of a change type list: ",A,B," or ""
// for all, so that LIKE '%,A,%' finds a listener of A.
func changeTypesText(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return "," + strings.Join(list, ",") + ","
}

func scanListener(s scanner) (EventListener, error) {
	var l EventListener
	var types string
	err := s.Scan(&l.Integration, &l.ObjectType, &types, &l.CreatedAt, &l.UpdatedAt)
	if t := strings.Trim(types, ","); t != "" {
		l.ChangeTypes = strings.Split(t, ",")
	}
	return l, err
}

const listenerColumns = `SELECT integration, object_type, change_types, created_at, updated_at FROM event_listener`

// EventListeners lists an integration's listeners by object type; with
// types set, only those.
func EventListeners(ctx context.Context, q db.Q, integration string, types []string) ([]EventListener, error) {
	var w where
	w.add("integration = ?", integration)
	in(&w, "object_type", types)
	return list(ctx, q, scanListener, listenerColumns, &w, " ORDER BY object_type", Page{})
}

// GetEventListener returns an integration's listener of a type, locking it
// inside a transaction on PostgreSQL.
func GetEventListener(ctx context.Context, tx *db.Tx, integration, objectType string) (EventListener, error) {
	return one(ctx, tx, scanListener, listenerColumns+` WHERE integration = $1 AND object_type = $2`+db.ForUpdate(tx), integration, objectType)
}

// AddEventListener inserts an integration's listener of a type unless it
// has one, and reports whether it did. A concurrent insert of the same
// listener waits for the other to commit, then adds nothing.
func AddEventListener(ctx context.Context, tx *db.Tx, l EventListener) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO event_listener (integration, object_type, change_types, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (integration, object_type) DO NOTHING`,
		l.Integration, l.ObjectType, changeTypesText(l.ChangeTypes), db.Time(l.CreatedAt), db.Time(l.UpdatedAt))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UpdateEventListener saves the change types of an integration's listener.
func UpdateEventListener(ctx context.Context, tx *db.Tx, l EventListener) error {
	_, err := tx.ExecContext(ctx, `UPDATE event_listener SET change_types = $3, updated_at = $4 WHERE integration = $1 AND object_type = $2`,
		l.Integration, l.ObjectType, changeTypesText(l.ChangeTypes), db.Time(l.UpdatedAt))
	return err
}

// DeleteEventListener removes an integration's listener of a type and the
// events of that type still in its queue.
func DeleteEventListener(ctx context.Context, tx *db.Tx, integration, objectType string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM event_listener WHERE integration = $1 AND object_type = $2`, integration, objectType); err != nil {
		return err
	}
	return DequeueEventsOfType(ctx, tx, integration, objectType, nil)
}

// DequeueEventsOfType drops the events of a type from an integration's
// queue: of the given change types, or of all when changeTypes is nil.
func DequeueEventsOfType(ctx context.Context, tx *db.Tx, integration, objectType string, changeTypes []string) error {
	var w where
	w.add("integration = ?", integration)
	w.add("object_type = ?", objectType)
	in(&w, "change_type", changeTypes)
	_, err := tx.ExecContext(ctx, `DELETE FROM event_queue`+w.sql(), w.args...)
	return err
}

// EnqueueEvent puts event id into the queue of every integration listening
// for its object type and change type. Call it in the event's transaction.
func EnqueueEvent(ctx context.Context, tx *db.Tx, id int64, objectType, changeType string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO event_queue (integration, event_id, object_type, change_type)
		SELECT integration, $1, object_type, $3 FROM event_listener
		WHERE object_type = $2 AND (change_types = '' OR change_types LIKE $4)`,
		id, objectType, changeType, "%,"+changeType+",%")
	return err
}

// QueueFilter selects events of an integration's queue.
type QueueFilter struct {
	Integration string
	ObjectTypes []string
	ChangeTypes []string
	StoreIDs    []int64
	MarketIDs   []int64
	// Limit caps the rows; it must be positive.
	Limit int
}

// QueuedEvent is an event in an integration's queue with the change type
// the queue reports it as.
type QueuedEvent struct {
	Event
	ChangeType string
}

// QueuedEvents returns the oldest events of an integration's queue, in
// commit order: one ordered scan of the queue's primary key.
func QueuedEvents(ctx context.Context, q db.Q, f QueueFilter) ([]QueuedEvent, error) {
	if f.Limit <= 0 {
		return nil, errors.New("queued events: limit must be positive")
	}
	var w where
	w.add("q.integration = ?", f.Integration)
	in(&w, "q.object_type", f.ObjectTypes)
	in(&w, "q.change_type", f.ChangeTypes)
	in(&w, "e.store_id", f.StoreIDs)
	in(&w, "e.market_id", f.MarketIDs)
	return list(ctx, q, func(s scanner) (QueuedEvent, error) {
		var e QueuedEvent
		err := scanEventInto(s, &e.Event, &e.ChangeType)
		return e, err
	}, `SELECT `+eventColumns+`, q.change_type FROM event_queue q JOIN event e ON e.id = q.event_id`, &w, " ORDER BY q.event_id", Page{Limit: f.Limit})
}

// DequeueEvents removes events from an integration's queue and returns the
// ids that were in it.
func DequeueEvents(ctx context.Context, tx *db.Tx, integration string, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, args := db.In(2, ids)
	removed, err := all(ctx, tx, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	}, `DELETE FROM event_queue WHERE integration = $1 AND event_id IN (`+marks+`) RETURNING event_id`,
		append([]any{integration}, args...)...)
	if err != nil {
		return nil, err
	}
	return removed, nil
}

// EventsByIDs loads events by id, in id order.
func EventsByIDs(ctx context.Context, q db.Q, ids []int64) ([]Event, error) {
	return byIDs(ctx, q, scanEvent, eventSelect, "e.id", ids, " ORDER BY e.id")
}
