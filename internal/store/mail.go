package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"time"

	"seam/internal/db"
	"seam/internal/mutant"
)

// Mail outbox states.
const (
	// MailPending waits for its next attempt (or is being attempted).
	MailPending = "PENDING"
	// MailSent was accepted by the SMTP server.
	MailSent = "SENT"
	// MailFailed was given up on: not accepted within the retry window.
	MailFailed = "FAILED"
)

// Mail is one outbox e-mail to one recipient.
type Mail struct {
	ID int64
	// Kind says what the message is about, e.g. "gift_certificate".
	Kind    string
	StoreID *int64
	// MessageID is the random left part of the Message-ID header, the same
	// for every attempt.
	MessageID string
	To        string
	Subject   string
	// Text and HTML are the bodies as stored: sealed when Seal is
	// db.MailBodySealed (package mail seals and opens them). HTML is empty
	// for a text-only message.
	Text string
	HTML string
	// Seal says how Text and HTML are stored (db.MailBodyPlain or
	// db.MailBodySealed).
	Seal   int
	Status string
	// Attempts counts the sends tried.
	Attempts int
	// Claims counts the workers' claims; the latest claimer's number fences
	// its outcome.
	Claims        int64
	NextAttemptAt time.Time
	CreatedAt     time.Time
	SentAt        *time.Time
	GiveUpAt      time.Time
	LastError     *string
}

const mailColumns = `id, kind, store_id, message_id, to_address, subject, text_body, html_body, body_seal, status, attempts, claims,
	next_attempt_at, created_at, sent_at, give_up_at, last_error`

func scanMail(s scanner) (Mail, error) {
	var m Mail
	var storeID sql.NullInt64
	var sent sql.NullTime
	var lastErr sql.NullString
	err := s.Scan(&m.ID, &m.Kind, &storeID, &m.MessageID, &m.To, &m.Subject, &m.Text, &m.HTML, &m.Seal, &m.Status, &m.Attempts, &m.Claims,
		&m.NextAttemptAt, &m.CreatedAt, &sent, &m.GiveUpAt, &lastErr)
	m.StoreID = nullInt(storeID)
	if sent.Valid {
		m.SentAt = &sent.Time
	}
	m.LastError = nullString(lastErr)
	return m, err
}

// InsertMail adds a PENDING message, due at NextAttemptAt, and sets its
// ID. Insert it in the transaction of the change it reports, so that it
// exists exactly when the change commits.
func InsertMail(ctx context.Context, q db.Q, m *Mail) error {
	id, err := insertID(ctx, q, `INSERT INTO mail_outbox (kind, store_id, message_id, to_address, subject, text_body, html_body, body_seal, status,
		next_attempt_at, created_at, give_up_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'PENDING', $9, $10, $11) RETURNING id`,
		m.Kind, m.StoreID, m.MessageID, m.To, m.Subject, m.Text, m.HTML, m.Seal,
		db.Time(m.NextAttemptAt), db.Time(m.CreatedAt), db.Time(m.GiveUpAt))
	m.ID = id
	m.Status = MailPending
	return err
}

// ClaimMails claims up to limit PENDING messages due at now, oldest first,
// in one statement: it moves their next_attempt_at to leaseUntil, so that
// no other worker finds them due until then, and counts the claim. It
// returns them in id order with Claims set to this claim's number. On
// PostgreSQL rows that another worker is claiming at the same moment are
// skipped (FOR UPDATE SKIP LOCKED); on SQLite the single writer orders
// claims.
func ClaimMails(ctx context.Context, tx *db.Tx, now, leaseUntil time.Time, limit int) ([]Mail, error) {
	ms, err := all(ctx, tx, scanMail, mutant.Replace("mail-lease-ignored", `UPDATE mail_outbox SET next_attempt_at = $1, claims = claims + 1
		WHERE id IN (SELECT id FROM mail_outbox WHERE status = 'PENDING' AND next_attempt_at <= $2
			ORDER BY id LIMIT `+itoa(limit)+db.SkipLocked(tx)+`)
		RETURNING `+mailColumns, "next_attempt_at <= $2", "(next_attempt_at <= $2 OR TRUE)"), db.Time(leaseUntil), db.Time(now))
	if err != nil {
		return nil, err
	}
	// RETURNING promises no order.
	slices.SortFunc(ms, func(a, b Mail) int { return cmp.Compare(a.ID, b.ID) })
	return ms, nil
}

// MailOutcome is what a worker writes back for its claim of a message.
type MailOutcome struct {
	// Status is PENDING (try again at NextAttemptAt), SENT or FAILED.
	Status string
	// Attempted is true when a send was tried: attempts grows by one.
	Attempted     bool
	NextAttemptAt time.Time
	SentAt        *time.Time
	GiveUpAt      time.Time
	LastError     *string
}

// FinishMailClaim writes the outcome of claim number claim of message id.
// It reports false, changing nothing, when the message is no longer
// PENDING under that claim (the claimer's lease ran out and another worker
// claimed it since). A SENT message's bodies are emptied, sealed or not:
// they may hold secrets (a gift certificate's code, a payment link) that
// are kept only as hashes once delivered. A FAILED one keeps its sealed
// bodies, so that it can be queued again (RetryFailedMails).
func FinishMailClaim(ctx context.Context, q db.Q, id, claim int64, o MailOutcome) (bool, error) {
	attempted := 0
	if o.Attempted {
		attempted = 1
	}
	var sent *time.Time
	if o.SentAt != nil {
		t := db.Time(*o.SentAt)
		sent = &t
	}
	res, err := q.ExecContext(ctx, `UPDATE mail_outbox SET status = $1, attempts = attempts + $2, next_attempt_at = $3,
		sent_at = $4, give_up_at = $5, last_error = $6,
		text_body = CASE WHEN $1 = 'SENT' THEN '' ELSE text_body END, html_body = CASE WHEN $1 = 'SENT' THEN '' ELSE html_body END,
		body_seal = CASE WHEN $1 = 'SENT' THEN 0 ELSE body_seal END
		WHERE id = $7 AND claims = $8 AND status = 'PENDING'`,
		o.Status, attempted, db.Time(o.NextAttemptAt), sent, db.Time(o.GiveUpAt), o.LastError, id, claim)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RetryFailedMails puts FAILED messages (all, or the one with id) back in
// the queue: PENDING, due now, with a new window counted from now
// (created_at becomes the time of the retry; the attempts stay recorded).
// It returns how many it queued.
func RetryFailedMails(ctx context.Context, q db.Q, id *int64, now, giveUp time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `UPDATE mail_outbox SET status = 'PENDING', next_attempt_at = $1, created_at = $1, give_up_at = $3
		WHERE status = 'FAILED' AND ($2 = 0 OR id = $2)`, db.Time(now), derefID(id), db.Time(giveUp))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func derefID(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// MailByID loads one outbox message.
func MailByID(ctx context.Context, q db.Q, id int64) (Mail, error) {
	return one(ctx, q, scanMail, `SELECT `+mailColumns+` FROM mail_outbox WHERE id = $1`, id)
}

// MailAttempt is one send of an outbox message and how it went.
type MailAttempt struct {
	ID          int64
	MailID      int64
	AttemptedAt time.Time
	// Error is empty when the server accepted the message.
	Error      string
	DurationMS int64
}

// InsertMailAttempt records an attempt and sets its ID.
func InsertMailAttempt(ctx context.Context, q db.Q, a *MailAttempt) error {
	var errText *string
	if a.Error != "" {
		errText = &a.Error
	}
	id, err := insertID(ctx, q, `INSERT INTO mail_attempt (mail_id, attempted_at, error, duration_ms)
		VALUES ($1, $2, $3, $4) RETURNING id`, a.MailID, db.Time(a.AttemptedAt), errText, a.DurationMS)
	a.ID = id
	return err
}

// MailAttempts lists a message's attempts, first first.
func MailAttempts(ctx context.Context, q db.Q, mailID int64) ([]MailAttempt, error) {
	return all(ctx, q, func(s scanner) (MailAttempt, error) {
		var a MailAttempt
		var errText sql.NullString
		err := s.Scan(&a.ID, &a.MailID, &a.AttemptedAt, &errText, &a.DurationMS)
		a.Error = errText.String
		return a, err
	}, `SELECT id, mail_id, attempted_at, error, duration_ms FROM mail_attempt WHERE mail_id = $1 ORDER BY id`, mailID)
}

// DevMail is one message the dev mailbox received.
type DevMail struct {
	ID int64
	// From and To are the SMTP envelope's sender and recipients (To joined
	// with ", ").
	From string
	To   string
	// MessageID is the Message-ID header without its angle brackets.
	MessageID string
	Subject   string
	// Text and HTML are the message's first text/plain and text/html
	// parts, decoded; empty when it has none.
	Text string
	HTML string
	// Raw is the message as received; lists leave it nil.
	Raw        []byte
	ReceivedAt time.Time
}

// InsertDevMail stores a received message and sets its ID.
func InsertDevMail(ctx context.Context, q db.Q, m *DevMail) error {
	id, err := insertID(ctx, q, `INSERT INTO dev_mail (mail_from, rcpt_to, message_id, subject, text_body, html_body, raw, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		m.From, m.To, m.MessageID, m.Subject, m.Text, m.HTML, m.Raw, db.Time(m.ReceivedAt))
	m.ID = id
	return err
}

// DevMails lists up to limit received messages, newest first, without
// their bodies.
func DevMails(ctx context.Context, q db.Q, limit int) ([]DevMail, error) {
	return all(ctx, q, func(s scanner) (DevMail, error) {
		var m DevMail
		err := s.Scan(&m.ID, &m.From, &m.To, &m.MessageID, &m.Subject, &m.ReceivedAt)
		return m, err
	}, `SELECT id, mail_from, rcpt_to, message_id, subject, received_at FROM dev_mail ORDER BY id DESC LIMIT `+itoa(limit))
}

// DevMailByID loads one received message with its bodies and raw bytes.
func DevMailByID(ctx context.Context, q db.Q, id int64) (DevMail, error) {
	return one(ctx, q, func(s scanner) (DevMail, error) {
		var m DevMail
		err := s.Scan(&m.ID, &m.From, &m.To, &m.MessageID, &m.Subject, &m.Text, &m.HTML, &m.Raw, &m.ReceivedAt)
		return m, err
	}, `SELECT id, mail_from, rcpt_to, message_id, subject, text_body, html_body, raw, received_at FROM dev_mail WHERE id = $1`, id)
}
