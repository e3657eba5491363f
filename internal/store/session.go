package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
)

// Session is a Checkout API session: the shopper's token (hashed) and the
// selection it works on.
type Session struct {
	ID          int64
	TokenHash   string
	SelectionID *string
	// ReceiptSelectionID is the selection the session last paid, whose
	// order GET /receipt shows.
	ReceiptSelectionID *string
	CreatedAt          time.Time
	SeenAt             time.Time
}

// InsertSession stores a new session.
func InsertSession(ctx context.Context, q db.Q, s *Session) error {
	id, err := insertID(ctx, q, `INSERT INTO checkout_session (token_hash, selection_id, created_at, seen_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		s.TokenHash, s.SelectionID, s.CreatedAt, s.SeenAt)
	s.ID = id
	return err
}

// SessionByHash finds a session by the hash of its token.
func SessionByHash(ctx context.Context, q db.Q, hash string) (Session, error) {
	return one(ctx, q, func(sc scanner) (Session, error) {
		var s Session
		var sel, receipt sql.NullString
		err := sc.Scan(&s.ID, &s.TokenHash, &sel, &receipt, &s.CreatedAt, &s.SeenAt)
		s.SelectionID, s.ReceiptSelectionID = nullString(sel), nullString(receipt)
		return s, err
	}, `SELECT id, token_hash, selection_id, receipt_selection_id, created_at, seen_at FROM checkout_session WHERE token_hash = $1`, hash)
}

// InsertSessionOnce stores a session for a token hash unless one exists
// (two first writes of a new token at once); either way it answers the
// stored session.
func InsertSessionOnce(ctx context.Context, q db.Q, s *Session) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO checkout_session (token_hash, created_at, seen_at) VALUES ($1, $2, $3)
		ON CONFLICT (token_hash) DO NOTHING`, s.TokenHash, db.Time(s.CreatedAt), db.Time(s.SeenAt)); err != nil {
		return err
	}
	got, err := SessionByHash(ctx, q, s.TokenHash)
	if err == nil {
		*s = got
	}
	return err
}

// SessionsOrderPlaced moves every session working on a selection that just
// became an order to no selection (a new one is made on its next call),
// keeping the paid one for the receipt.
func SessionsOrderPlaced(ctx context.Context, q db.Q, selectionID string) error {
	_, err := q.ExecContext(ctx, `UPDATE checkout_session SET receipt_selection_id = $1, selection_id = NULL WHERE selection_id = $1`, selectionID)
	return err
}

// DeleteIdleSelections removes shoppers' selections that nobody paid and
// nobody changed since before, and that no session works on any more (run
// after DeleteIdleSessions); it returns how many went. Selections an
// operator made, and those of product link pages, stay.
func DeleteIdleSelections(ctx context.Context, q db.Q, before time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM selection WHERE status = 'OPEN' AND order_id IS NULL AND updated_at < $1
		AND origin IN ('SESSION', 'LINK')
		AND NOT EXISTS (SELECT 1 FROM checkout_session cs WHERE cs.selection_id = selection.id OR cs.receipt_selection_id = selection.id)
		AND NOT EXISTS (SELECT 1 FROM product_link_checkout p WHERE p.selection_id = selection.id)
		AND NOT EXISTS (SELECT 1 FROM stock_reservation r WHERE r.selection_id = selection.id)`, db.Time(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SetSessionSelection points a session at a selection.
func SetSessionSelection(ctx context.Context, q db.Q, sessionID int64, selectionID string) error {
	_, err := q.ExecContext(ctx, `UPDATE checkout_session SET selection_id = $1 WHERE id = $2`, selectionID, sessionID)
	return err
}

// DeleteIdleSessions removes sessions not seen since before; it returns how
// many went.
func DeleteIdleSessions(ctx context.Context, q db.Q, before time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM checkout_session WHERE seen_at < $1`, db.Time(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CheckoutSecret is a shared secret that lets a server call the Checkout
// API with server rights.
type CheckoutSecret struct {
	ID         int64
	Name       string
	SecretHash string
	Hint       string
	CreatedAt  time.Time
	RevokedAt  *time.Time
	// LastUsedAt is when the secret was last used, noted at most every few
	// minutes; nil when never.
	LastUsedAt *time.Time
}

// InsertCheckoutSecret stores a new shared secret.
func InsertCheckoutSecret(ctx context.Context, q db.Q, s *CheckoutSecret) error {
	id, err := insertID(ctx, q, `INSERT INTO checkout_secret (name, secret_hash, hint, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		s.Name, s.SecretHash, s.Hint, s.CreatedAt)
	s.ID = id
	return err
}

// CheckoutSecretByHash finds a live shared secret by its hash.
func CheckoutSecretByHash(ctx context.Context, q db.Q, hash string) (CheckoutSecret, error) {
	return one(ctx, q, scanCheckoutSecret, checkoutSecretSelect+` WHERE secret_hash = $1`, hash)
}

// Language is a language a store's texts come in.
type Language struct {
	Code      string
	Name      string
	IsDefault bool
}

// InsertLanguage adds a language (idempotent).
func InsertLanguage(ctx context.Context, q db.Q, l Language) error {
	_, err := q.ExecContext(ctx, `INSERT INTO language (code, name, is_default) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING`, l.Code, l.Name, l.IsDefault)
	return err
}

// Languages lists the languages, the default first.
func Languages(ctx context.Context, q db.Q) ([]Language, error) {
	return all(ctx, q, func(s scanner) (Language, error) {
		var l Language
		err := s.Scan(&l.Code, &l.Name, &l.IsDefault)
		return l, err
	}, `SELECT code, name, is_default FROM language ORDER BY is_default DESC, code`)
}

// NextCounter increments a named counter and returns its new value, in one
// statement.
func NextCounter(ctx context.Context, q db.Q, name string) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `UPDATE counter SET value = value + 1 WHERE name = $1 RETURNING value`, name).Scan(&v)
	return v, err
}

// Subscribe adds an e-mail address to a store's newsletter (idempotent).
func Subscribe(ctx context.Context, q db.Q, storeID int64, email string, countryID *int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO newsletter_subscription (store_id, email, country_id, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (store_id, email) DO NOTHING`, storeID, email, countryID, db.Now())
	return err
}

// TouchSession records that a session was used at now.
func TouchSession(ctx context.Context, q db.Q, id int64, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE checkout_session SET seen_at = $2 WHERE id = $1`, id, db.Time(now))
	return err
}

// CountSessionUse counts one use of kind by a session in the fixed window
// starting at windowStart (Unix milliseconds), only while the window holds
// fewer than limit: one conditional statement. It reports whether it
// counted.
func CountSessionUse(ctx context.Context, q db.Q, sessionID int64, kind string, windowStart int64, limit int) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO session_rate (session_id, kind, window_start, count) VALUES ($1, $2, $3, 1)
		ON CONFLICT (session_id, kind) DO UPDATE SET
			count = CASE WHEN session_rate.window_start = excluded.window_start THEN session_rate.count + 1 ELSE 1 END,
			window_start = excluded.window_start
		WHERE session_rate.window_start <> excluded.window_start OR session_rate.count < $4`, sessionID, kind, windowStart, limit)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CountCodeAttempt counts one code attempt of subject in the one-minute
// window starting at windowStart (Unix ms), in one conditional statement
// shared by every process. It reports false, counting nothing, when the
// subject made limit attempts in that window already.
func CountCodeAttempt(ctx context.Context, q db.Q, subject string, windowStart int64, limit int) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO code_attempt (subject, window_start, count) VALUES ($1, $2, 1)
		ON CONFLICT (subject) DO UPDATE SET
			count = CASE WHEN code_attempt.window_start = excluded.window_start THEN code_attempt.count + 1 ELSE 1 END,
			window_start = excluded.window_start
		WHERE code_attempt.window_start <> excluded.window_start OR code_attempt.count < $3`, subject, windowStart, limit)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReturnCodeAttempt gives back one attempt counted in the window starting
// at windowStart (a code that was right).
func ReturnCodeAttempt(ctx context.Context, q db.Q, subject string, windowStart int64) error {
	_, err := q.ExecContext(ctx, `UPDATE code_attempt SET count = count - 1 WHERE subject = $1 AND window_start = $2 AND count > 0`,
		subject, windowStart)
	return err
}

// PruneCodeAttempts deletes attempt counts of windows that started before
// windowStart.
func PruneCodeAttempts(ctx context.Context, q db.Q, windowStart int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM code_attempt WHERE window_start < $1`, windowStart)
	return err
}
