// Package mail sends Seam's e-mail through a transactional outbox, as
// package webhook sends webhooks. A change enqueues its messages (Enqueue)
// in its own transaction, so nothing is sent for a change that rolled back
// and nothing before commit; a Worker then claims due messages, sends each
// over SMTP with a Sender (wneessen/go-mail), records every attempt and
// retries with backoff until the server accepts it or its retry window
// ends. Several Seam processes on one PostgreSQL share the work. Delivery
// is at least once: every attempt of a message carries the same
// Message-ID.
//
// Without an SMTP server (SEAM_SMTP_URL unset) Seam runs a DevServer, an
// in-process SMTP server on a loopback address that stores what it
// receives in dev_mail for the dev mailbox page.
package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/store"
)

const (
	// DefaultWindow is how long a message is retried when the Worker names
	// no window; Enqueue writes created_at + DefaultWindow as the message's
	// give_up_at, and the worker rewrites it with its own Window.
	DefaultWindow = 24 * time.Hour
	// MaxSubject is the longest subject, in characters.
	MaxSubject = 255
	// MaxBody is the largest text or HTML body, in bytes.
	MaxBody = 1 << 20
	// maxAddress is the longest address SMTP carries (RFC 5321 4.5.3.1.3).
	maxAddress = 254
	// maxKind bounds a message's kind.
	maxKind = 64
)

// Message is one e-mail to one recipient.
type Message struct {
	// Kind says what the message is about, e.g. "gift_certificate"; logs
	// name it.
	Kind    string
	StoreID *int64
	// To is one bare address, anna@example.com: no name, no brackets.
	To string
	// Subject is one line of at most MaxSubject characters.
	Subject string
	// Text is the plain-text body; every message has one.
	Text string
	// HTML is the optional HTML alternative of Text.
	HTML string
}

// Enqueue adds m to the outbox inside tx and returns its id, its bodies
// sealed under a key derived from the code key (see seal.go). The worker
// sees it only once tx commits, and never if tx rolls back. Invalid input
// is a seam.UserErrors naming the field.
func Enqueue(ctx context.Context, tx *db.Tx, m Message) (int64, error) {
	if err := m.check(); err != nil {
		return 0, err
	}
	now := db.Now()
	row := store.Mail{Kind: m.Kind, StoreID: m.StoreID, MessageID: newMessageID(), To: m.To, Subject: m.Subject,
		Text: m.Text, HTML: m.HTML, NextAttemptAt: now, CreatedAt: now, GiveUpAt: now.Add(DefaultWindow)}
	if err := seal(ctx, tx, &row); err != nil {
		return 0, fmt.Errorf("enqueue %s mail: %w", m.Kind, err)
	}
	if err := store.InsertMail(ctx, tx, &row); err != nil {
		return 0, fmt.Errorf("enqueue %s mail: %w", m.Kind, err)
	}
	return row.ID, nil
}

// check tells what is wrong with m, naming every field at fault.
func (m Message) check() error {
	var p seam.Problems
	switch {
	case strings.TrimSpace(m.Kind) == "":
		p.Add(seam.P("kind"), "A mail message needs a kind, such as gift_certificate.")
	case len(m.Kind) > maxKind || !oneLine(m.Kind):
		p.Add(seam.P("kind"), "A mail kind must be one line of at most %d bytes.", maxKind)
	}
	if msg := checkAddress(m.To); msg != "" {
		p.Add(seam.P("to"), "%s", msg)
	}
	switch n := utf8.RuneCountInString(m.Subject); {
	case strings.TrimSpace(m.Subject) == "":
		p.Add(seam.P("subject"), "A mail message needs a subject.")
	case !utf8.ValidString(m.Subject) || !oneLine(m.Subject):
		p.Add(seam.P("subject"), "The subject must be one line of UTF-8 text, without line breaks or control characters.")
	case n > MaxSubject:
		p.Add(seam.P("subject"), "The subject must be at most %d characters long; it has %d.", MaxSubject, n)
	}
	if strings.TrimSpace(m.Text) == "" {
		p.Add(seam.P("text"), "A mail message needs a text body, also when it has an HTML body: some readers show only text.")
	} else if msg := checkBody(m.Text); msg != "" {
		p.Add(seam.P("text"), "The text body %s.", msg)
	}
	if msg := checkBody(m.HTML); msg != "" {
		p.Add(seam.P("html"), "The HTML body %s.", msg)
	}
	return p.Err()
}

// checkAddress says what is wrong with a recipient address, or "".
func checkAddress(to string) string {
	if strings.TrimSpace(to) == "" {
		return "A mail message needs a recipient address."
	}
	a, err := netmail.ParseAddress(to)
	if err != nil || a.Name != "" || a.Address != to || !oneLine(to) {
		return "The recipient must be one bare e-mail address such as anna@example.com, without a name, brackets or spaces."
	}
	if len(to) > maxAddress {
		return fmt.Sprintf("The recipient address must be at most %d bytes long.", maxAddress)
	}
	return ""
}

// checkBody says what is wrong with a body, or "".
func checkBody(s string) string {
	switch {
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "must be UTF-8 text without NUL bytes"
	case len(s) > MaxBody:
		return fmt.Sprintf("must be at most %d bytes long", MaxBody)
	}
	return ""
}

// oneLine reports whether s holds no line break or other control
// character (tabs aside).
func oneLine(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r != '\t' && unicode.IsControl(r) })
}

// newMessageID returns the random left part of a Message-ID: 128 bits.
func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// domain is the part of an address after its last @, for logs that must
// not name the recipient.
func domain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "(no domain)"
}

// clip makes s storable and short: valid UTF-8 without NUL bytes, at most
// n bytes.
func clip(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
