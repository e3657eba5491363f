package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"seam/internal/db"
	"seam/internal/mutant"
)

// Webhook subscription states.
const (
	// SubscriptionActive is delivered to.
	SubscriptionActive = "ACTIVE"
	// SubscriptionFailing got no 2xx answer within its retry window; it is
	// not delivered to until redelivery starts it again. Its cursor still
	// marks the first event it missed.
	SubscriptionFailing = "FAILING"
)

// Webhook call outcomes.
const (
	CallDelivered = "DELIVERED"
	CallFailed    = "FAILED"
)

// WebhookSubscription is a receiver of the events feed: the events after
// Cursor that pass its filter are POSTed to URL in batches, in feed order.
type WebhookSubscription struct {
	ID int64
	// ConfigName is set for subscriptions owned by seam serve's webhooks
	// config file.
	ConfigName *string
	URL        string
	// Secret signs every call; stored sealed (see hookseal.go), in plain
	// text here.
	Secret  string
	Flavour string
	// ObjectTypes and Actions filter the events; empty means all.
	ObjectTypes []string
	Actions     []string
	// StoreID, when set, keeps that store's events and those of no store.
	StoreID *int64
	Status  string
	// Cursor is the id of the last feed event dealt with: delivered, or
	// passed over by the filter.
	Cursor int64
	// Attempts counts the failed calls in a row; RetryingSince is the
	// first of them.
	Attempts      int
	RetryingSince *time.Time
	// Claims counts the workers' claims; the latest claimer's number
	// fences its outcome.
	Claims        int64
	NextAttemptAt time.Time
	LastError     *string
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

const webhookSubscriptionColumns = `id, config_name, url, secret, flavour, object_types, actions, store_id, status, cursor_event_id,
	attempts, retrying_since, claims, next_attempt_at, last_error, created_by, created_at, updated_at`

func scanWebhookSubscription(s scanner) (WebhookSubscription, error) {
	var w WebhookSubscription
	var configName, lastErr sql.NullString
	var types, actions sql.NullString
	var storeID sql.NullInt64
	var since sql.NullTime
	err := s.Scan(&w.ID, &configName, &w.URL, &w.Secret, &w.Flavour, &types, &actions, &storeID, &w.Status, &w.Cursor,
		&w.Attempts, &since, &w.Claims, &w.NextAttemptAt, &lastErr, &w.CreatedBy, &w.CreatedAt, &w.UpdatedAt)
	if err != nil {
		return w, err
	}
	w.ConfigName, w.LastError, w.StoreID = nullString(configName), nullString(lastErr), nullInt(storeID)
	if since.Valid {
		w.RetryingSince = &since.Time
	}
	if w.ObjectTypes, err = parseList(types); err != nil {
		return w, err
	}
	w.Actions, err = parseList(actions)
	return w, err
}

// nonNil keeps an empty filter list "[]" rather than NULL.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// InsertWebhookSubscription adds an ACTIVE subscription, due at once, and
// sets its ID. Its secret is sealed to the new row, so call it in a
// transaction.
func InsertWebhookSubscription(ctx context.Context, q db.Q, w *WebhookSubscription) error {
	w.Status = SubscriptionActive
	id, err := insertID(ctx, q, `INSERT INTO webhook_subscription (config_name, url, secret, flavour, object_types, actions, store_id,
		status, cursor_event_id, next_attempt_at, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'ACTIVE', $8, $9, $10, $11, $11) RETURNING id`,
		w.ConfigName, w.URL, "", w.Flavour, jsonList(nonNil(w.ObjectTypes)), jsonList(nonNil(w.Actions)), w.StoreID,
		w.Cursor, db.Time(w.NextAttemptAt), w.CreatedBy, db.Time(w.CreatedAt))
	w.ID = id
	if err != nil {
		return err
	}
	return sealHookSecret(ctx, q, db.HookSubscription, "secret", id, w.Secret)
}

// UpsertConfigWebhookSubscription creates the subscription named
// w.ConfigName or, when it exists, sets its URL, secret, flavour, filter
// and store, keeping its cursor and state. It sets w.ID.
func UpsertConfigWebhookSubscription(ctx context.Context, q db.Q, w *WebhookSubscription) error {
	id, err := insertID(ctx, q, `INSERT INTO webhook_subscription (config_name, url, secret, flavour, object_types, actions, store_id,
		status, cursor_event_id, next_attempt_at, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'ACTIVE', $8, $9, $10, $11, $11)
		ON CONFLICT (config_name) DO UPDATE SET url = excluded.url, secret = excluded.secret, flavour = excluded.flavour,
			object_types = excluded.object_types, actions = excluded.actions, store_id = excluded.store_id, updated_at = excluded.updated_at
		RETURNING id`,
		w.ConfigName, w.URL, "", w.Flavour, jsonList(nonNil(w.ObjectTypes)), jsonList(nonNil(w.Actions)), w.StoreID,
		w.Cursor, db.Time(w.NextAttemptAt), w.CreatedBy, db.Time(w.CreatedAt))
	w.ID = id
	if err != nil {
		return err
	}
	return sealHookSecret(ctx, q, db.HookSubscription, "secret", id, w.Secret)
}

// ConfigWebhookSubscriptions lists the subscriptions a config file owns.
func ConfigWebhookSubscriptions(ctx context.Context, q db.Q) ([]WebhookSubscription, error) {
	return openSubscriptions(ctx, q)(all(ctx, q, scanWebhookSubscription, `SELECT `+webhookSubscriptionColumns+` FROM webhook_subscription
		WHERE config_name IS NOT NULL ORDER BY id`))
}

// UpdateWebhookSubscriptionSettings writes what a subscription's owner
// may change: URL, secret, flavour, filter and store.
func UpdateWebhookSubscriptionSettings(ctx context.Context, q db.Q, w WebhookSubscription, now time.Time) error {
	s, err := hookSealer(ctx, q)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE webhook_subscription SET url = $1, secret = $2, flavour = $3, object_types = $4, actions = $5,
		store_id = $6, updated_at = $7 WHERE id = $8`,
		w.URL, s.Seal(w.Secret, db.HookSecretContext(db.HookSubscription, w.ID)), w.Flavour, jsonList(nonNil(w.ObjectTypes)), jsonList(nonNil(w.Actions)), w.StoreID, db.Time(now), w.ID)
	return err
}

// RestartWebhookSubscription makes a subscription ACTIVE and due at now
// with its cursor at cursor and a fresh retry window. It counts as a
// claim, so that a worker's claim in flight keeps its POST but cannot
// record its outcome over the restart (a batch it delivered goes again).
func RestartWebhookSubscription(ctx context.Context, q db.Q, id, cursor int64, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE webhook_subscription SET status = 'ACTIVE', cursor_event_id = $1, attempts = 0,
		retrying_since = NULL, next_attempt_at = $2, last_error = NULL, updated_at = $2, claims = claims + 1 WHERE id = $3`,
		cursor, db.Time(now), id)
	return err
}

// DeleteWebhookSubscription deletes a subscription and its call log. It
// reports whether there was one.
func DeleteWebhookSubscription(ctx context.Context, q db.Q, id int64) (bool, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM webhook_subscription WHERE id = $1`, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// WebhookSubscriptionByID loads one subscription.
func WebhookSubscriptionByID(ctx context.Context, q db.Q, id int64) (WebhookSubscription, error) {
	return openSubscription(ctx, q)(one(ctx, q, scanWebhookSubscription, `SELECT `+webhookSubscriptionColumns+` FROM webhook_subscription WHERE id = $1`, id))
}

// WebhookSubscriptionsByIDs loads subscriptions by id, in no order.
func WebhookSubscriptionsByIDs(ctx context.Context, q db.Q, ids []int64) ([]WebhookSubscription, error) {
	return openSubscriptions(ctx, q)(byIDs(ctx, q, scanWebhookSubscription, `SELECT `+webhookSubscriptionColumns+` FROM webhook_subscription`, "id", ids, ""))
}

// WebhookSubscriptions lists subscriptions by id; with storeID set, only
// those limited to that store.
func WebhookSubscriptions(ctx context.Context, q db.Q, storeID *int64) ([]WebhookSubscription, error) {
	var w where
	if storeID != nil {
		w.add("store_id = ?", *storeID)
	}
	return openSubscriptions(ctx, q)(list(ctx, q, scanWebhookSubscription, `SELECT `+webhookSubscriptionColumns+` FROM webhook_subscription`, &w, " ORDER BY id", Page{}))
}

// LastEventID is the feed's newest event id, 0 for an empty feed.
func LastEventID(ctx context.Context, q db.Q) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM event`).Scan(&id)
	return id, err
}

// ClaimWebhookSubscriptions claims up to limit ACTIVE subscriptions that
// are due at now and have feed events after their cursor, longest waiting
// first, in one statement: it moves their next_attempt_at to leaseUntil,
// so that no other worker finds them due until then, and counts the
// claim. On PostgreSQL rows another worker is claiming at the same moment
// are skipped (FOR UPDATE SKIP LOCKED); on SQLite the single writer orders
// claims.
func ClaimWebhookSubscriptions(ctx context.Context, tx *db.Tx, now, leaseUntil time.Time, limit int) ([]WebhookSubscription, error) {
	ws, err := all(ctx, tx, scanWebhookSubscription, mutant.Replace("webhook-lease-ignored", `UPDATE webhook_subscription SET next_attempt_at = $1, claims = claims + 1
		WHERE id IN (SELECT s.id FROM webhook_subscription s WHERE s.status = 'ACTIVE' AND s.next_attempt_at <= $2
			AND EXISTS (SELECT 1 FROM event e WHERE e.id > s.cursor_event_id)
			ORDER BY s.next_attempt_at, s.id LIMIT `+itoa(limit)+db.SkipLocked(tx)+`)
		RETURNING `+webhookSubscriptionColumns, "s.next_attempt_at <= $2", "(s.next_attempt_at <= $2 OR TRUE)"), db.Time(leaseUntil), db.Time(now))
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ws, func(a, b WebhookSubscription) int { return cmp.Compare(a.ID, b.ID) })
	return openSubscriptions(ctx, tx)(ws, nil)
}

// SubscriptionOutcome is what a worker writes back for its claim of a
// subscription.
type SubscriptionOutcome struct {
	Status        string
	Cursor        int64
	Attempts      int
	RetryingSince *time.Time
	NextAttemptAt time.Time
	LastError     *string
}

// FinishWebhookSubscriptionClaim writes the outcome of claim number claim
// of subscription id, made when its cursor was cursor. It reports false,
// changing nothing, when the subscription has been claimed again, moved
// (redelivery) or stopped since.
func FinishWebhookSubscriptionClaim(ctx context.Context, q db.Q, id, claim, cursor int64, o SubscriptionOutcome) (bool, error) {
	var since *time.Time
	if o.RetryingSince != nil {
		t := db.Time(*o.RetryingSince)
		since = &t
	}
	res, err := q.ExecContext(ctx, `UPDATE webhook_subscription SET status = $1, cursor_event_id = $2, attempts = $3,
		retrying_since = $4, next_attempt_at = $5, last_error = $6
		WHERE id = $7 AND claims = $8 AND cursor_event_id = $9 AND status = 'ACTIVE'`,
		o.Status, o.Cursor, o.Attempts, since, db.Time(o.NextAttemptAt), o.LastError, id, claim, cursor)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// WebhookCall is one POST of a batch of events to a subscription.
type WebhookCall struct {
	ID             int64
	SubscriptionID int64
	FirstEventID   int64
	LastEventID    int64
	EventCount     int
	// Status is DELIVERED (2xx answer) or FAILED.
	Status string
	// StatusCode is nil when no HTTP answer came.
	StatusCode *int
	// Error is empty for a 2xx answer.
	Error      string
	DurationMS int64
	// Attempt numbers the calls of one batch from 1.
	Attempt     int
	AttemptedAt time.Time
}

// InsertWebhookCall records a call and sets its ID.
func InsertWebhookCall(ctx context.Context, q db.Q, c *WebhookCall) error {
	var errText *string
	if c.Error != "" {
		errText = &c.Error
	}
	id, err := insertID(ctx, q, `INSERT INTO webhook_call (subscription_id, first_event_id, last_event_id, event_count, status,
		status_code, error, duration_ms, attempt, attempted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		c.SubscriptionID, c.FirstEventID, c.LastEventID, c.EventCount, c.Status, c.StatusCode, errText, c.DurationMS, c.Attempt,
		db.Time(c.AttemptedAt))
	c.ID = id
	return err
}

// PruneWebhookCalls deletes up to limit logged calls made before before,
// oldest first, and returns how many it deleted.
func PruneWebhookCalls(ctx context.Context, q db.Q, before time.Time, limit int) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM webhook_call WHERE id IN (SELECT id FROM webhook_call WHERE attempted_at < $1
		ORDER BY attempted_at, id LIMIT `+itoa(limit)+`)`, db.Time(before))
	if err != nil {
		return 0, fmt.Errorf("prune webhook calls: %w", err)
	}
	return res.RowsAffected()
}

// WebhookCallFilter selects logged calls.
type WebhookCallFilter struct {
	SubscriptionIDs []int64
	Statuses        []string
	// StoreID, when set, keeps calls of subscriptions limited to that
	// store.
	StoreID *int64
}

// WebhookCalls lists logged calls, newest first.
func WebhookCalls(ctx context.Context, q db.Q, f WebhookCallFilter, p Page) ([]WebhookCall, error) {
	var w where
	if f.SubscriptionIDs != nil {
		in(&w, "subscription_id", f.SubscriptionIDs)
	}
	if f.Statuses != nil {
		in(&w, "status", f.Statuses)
	}
	if f.StoreID != nil {
		w.add("subscription_id IN (SELECT id FROM webhook_subscription WHERE store_id = ?)", *f.StoreID)
	}
	return list(ctx, q, func(s scanner) (WebhookCall, error) {
		var c WebhookCall
		var code sql.NullInt64
		var errText sql.NullString
		err := s.Scan(&c.ID, &c.SubscriptionID, &c.FirstEventID, &c.LastEventID, &c.EventCount, &c.Status, &code, &errText,
			&c.DurationMS, &c.Attempt, &c.AttemptedAt)
		if code.Valid {
			n := int(code.Int64)
			c.StatusCode = &n
		}
		c.Error = errText.String
		return c, err
	}, `SELECT id, subscription_id, first_event_id, last_event_id, event_count, status, status_code, error, duration_ms, attempt,
		attempted_at FROM webhook_call`, &w, " ORDER BY id DESC", p)
}
