package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"time"

	"seam/internal/db"
)

// Webhook delivery states.
const (
	// WebhookPending waits for its next attempt (or is being attempted).
	WebhookPending = "PENDING"
	// WebhookDelivered was answered 2xx.
	WebhookDelivered = "DELIVERED"
	// WebhookFailed was given up on: no 2xx within the retry window.
	WebhookFailed = "FAILED"
)

// WebhookDelivery is one outbox message to one URL.
type WebhookDelivery struct {
	ID      int64
	EventID *int64
	// Kind says what the message is about, e.g. "after_sale".
	Kind    string
	StoreID *int64
	URL     string
	// Secret signs the message; stored sealed (see hookseal.go), in plain
	// text here. Empty means unsigned.
	Secret      string
	ContentType string
	Body        string
	Status      string
	// Attempts counts the POSTs made.
	Attempts int
	// Claims counts the workers' claims; the latest claimer's number fences
	// its outcome.
	Claims        int64
	NextAttemptAt time.Time
	CreatedAt     time.Time
	DeliveredAt   *time.Time
	GiveUpAt      time.Time
	LastError     *string
}

const webhookDeliveryColumns = `id, event_id, kind, store_id, url, secret, content_type, body, status, attempts, claims,
	next_attempt_at, created_at, delivered_at, give_up_at, last_error`

func scanWebhookDelivery(s scanner) (WebhookDelivery, error) {
	var d WebhookDelivery
	var eventID, storeID sql.NullInt64
	var delivered sql.NullTime
	var lastErr sql.NullString
	err := s.Scan(&d.ID, &eventID, &d.Kind, &storeID, &d.URL, &d.Secret, &d.ContentType, &d.Body, &d.Status, &d.Attempts, &d.Claims,
		&d.NextAttemptAt, &d.CreatedAt, &delivered, &d.GiveUpAt, &lastErr)
	d.EventID = nullInt(eventID)
	d.StoreID = nullInt(storeID)
	if delivered.Valid {
		d.DeliveredAt = &delivered.Time
	}
	d.LastError = nullString(lastErr)
	return d, err
}

// InsertWebhookDelivery adds a PENDING message, due at NextAttemptAt, and
// sets its ID. Insert it in the transaction of the change it reports, so
// that it exists exactly when the change commits (and its secret, sealed
// to the new row, with it).
func InsertWebhookDelivery(ctx context.Context, q db.Q, d *WebhookDelivery) error {
	id, err := insertID(ctx, q, `INSERT INTO webhook_delivery (event_id, kind, store_id, url, secret, content_type, body, status,
		next_attempt_at, created_at, give_up_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING', $8, $9, $10) RETURNING id`,
		d.EventID, d.Kind, d.StoreID, d.URL, "", d.ContentType, d.Body,
		db.Time(d.NextAttemptAt), db.Time(d.CreatedAt), db.Time(d.GiveUpAt))
	d.ID = id
	d.Status = WebhookPending
	if err != nil {
		return err
	}
	return sealHookSecret(ctx, q, db.HookDelivery, "secret", id, d.Secret)
}

// ClaimWebhookDeliveries claims up to limit PENDING deliveries due at now,
// oldest first, in one statement: it moves their next_attempt_at to
// leaseUntil, so that no other worker finds them due until then, and
// counts the claim. It returns them in id order with Claims set to this
// claim's number. On PostgreSQL rows that another worker is claiming at
// the same moment are skipped (FOR UPDATE SKIP LOCKED); on SQLite the
// single writer orders claims.
func ClaimWebhookDeliveries(ctx context.Context, tx *db.Tx, now, leaseUntil time.Time, limit int) ([]WebhookDelivery, error) {
	ds, err := all(ctx, tx, scanWebhookDelivery, `UPDATE webhook_delivery SET next_attempt_at = $1, claims = claims + 1
		WHERE id IN (SELECT id FROM webhook_delivery WHERE status = 'PENDING' AND next_attempt_at <= $2
			ORDER BY id LIMIT `+itoa(limit)+db.SkipLocked(tx)+`)
		RETURNING `+webhookDeliveryColumns, db.Time(leaseUntil), db.Time(now))
	if err != nil {
		return nil, err
	}
	// RETURNING promises no order.
	slices.SortFunc(ds, func(a, b WebhookDelivery) int { return cmp.Compare(a.ID, b.ID) })
	return ds, openHookSecrets(ctx, tx, db.HookDelivery, len(ds), func(i int) int64 { return ds[i].ID }, func(i int) *string { return &ds[i].Secret })
}

// WebhookOutcome is what a worker writes back for its claim of a
// delivery.
type WebhookOutcome struct {
	// Status is PENDING (try again at NextAttemptAt), DELIVERED or FAILED.
	Status string
	// Attempted is true when a POST was made: attempts grows by one.
	Attempted     bool
	NextAttemptAt time.Time
	DeliveredAt   *time.Time
	GiveUpAt      time.Time
	LastError     *string
}

// FinishWebhookClaim writes the outcome of claim number claim of delivery
// id. It reports false, changing nothing, when the delivery is no longer
// PENDING under that claim (the claimer's lease ran out and another worker
// claimed it since).
func FinishWebhookClaim(ctx context.Context, q db.Q, id, claim int64, o WebhookOutcome) (bool, error) {
	attempted := 0
	if o.Attempted {
		attempted = 1
	}
	var delivered *time.Time
	if o.DeliveredAt != nil {
		t := db.Time(*o.DeliveredAt)
		delivered = &t
	}
	res, err := q.ExecContext(ctx, `UPDATE webhook_delivery SET status = $1, attempts = attempts + $2, next_attempt_at = $3,
		delivered_at = $4, give_up_at = $5, last_error = $6 WHERE id = $7 AND claims = $8 AND status = 'PENDING'`,
		o.Status, attempted, db.Time(o.NextAttemptAt), delivered, db.Time(o.GiveUpAt), o.LastError, id, claim)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// PauseWebhookURL moves every PENDING delivery to url that is due at now
// (and not being claimed by another worker) to until, so that a receiver
// that is down costs one attempt per pause instead of holding the claims
// of every worker with its backlog. Deliveries other workers hold are not
// due and keep their leases. It returns how many it moved.
func PauseWebhookURL(ctx context.Context, tx *db.Tx, url string, now, until time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE webhook_delivery SET next_attempt_at = $1
		WHERE id IN (SELECT id FROM webhook_delivery WHERE status = 'PENDING' AND url = $2 AND next_attempt_at <= $3`+db.SkipLocked(tx)+`)`,
		db.Time(until), url, db.Time(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// WebhookDeliveryByID loads one delivery.
func WebhookDeliveryByID(ctx context.Context, q db.Q, id int64) (WebhookDelivery, error) {
	d, err := one(ctx, q, scanWebhookDelivery, `SELECT `+webhookDeliveryColumns+` FROM webhook_delivery WHERE id = $1`, id)
	if err != nil {
		return d, err
	}
	return d, openHookSecrets(ctx, q, db.HookDelivery, 1, func(int) int64 { return d.ID }, func(int) *string { return &d.Secret })
}

// WebhookAttempt is one POST of a delivery and how it went.
type WebhookAttempt struct {
	ID          int64
	DeliveryID  int64
	AttemptedAt time.Time
	// StatusCode is nil when no HTTP answer came (network error, timeout).
	StatusCode *int
	// Error is empty for a 2xx answer.
	Error      string
	DurationMS int64
}

// InsertWebhookAttempt records an attempt and sets its ID.
func InsertWebhookAttempt(ctx context.Context, q db.Q, a *WebhookAttempt) error {
	var errText *string
	if a.Error != "" {
		errText = &a.Error
	}
	id, err := insertID(ctx, q, `INSERT INTO webhook_attempt (delivery_id, attempted_at, status_code, error, duration_ms)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, a.DeliveryID, db.Time(a.AttemptedAt), a.StatusCode, errText, a.DurationMS)
	a.ID = id
	return err
}

// WebhookAttempts lists a delivery's attempts, first first.
func WebhookAttempts(ctx context.Context, q db.Q, deliveryID int64) ([]WebhookAttempt, error) {
	return all(ctx, q, func(s scanner) (WebhookAttempt, error) {
		var a WebhookAttempt
		var code sql.NullInt64
		var errText sql.NullString
		err := s.Scan(&a.ID, &a.DeliveryID, &a.AttemptedAt, &code, &errText, &a.DurationMS)
		if code.Valid {
			c := int(code.Int64)
			a.StatusCode = &c
		}
		a.Error = errText.String
		return a, err
	}, `SELECT id, delivery_id, attempted_at, status_code, error, duration_ms FROM webhook_attempt WHERE delivery_id = $1 ORDER BY id`, deliveryID)
}
