package mail_test

import (
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/mail"
	"seam/internal/store"
)

// giftCode is the code in gift()'s bodies.
const giftCode = "GC-7Q2M-XK4P"

// holding names the tables whose rows hold needle in plain text.
func holding(t *testing.T, d *db.DB, needle string) []string {
	t.Helper()
	var out []string
	for table, rows := range dbtest.Snapshot(t, d) {
		if strings.Contains(strings.Join(rows, "\n"), needle) {
			out = append(out, table)
		}
	}
	return out
}

// TestQueuedMessageKeepsItsCodeOnlySealedAndArrivesWithIt: a queued gift
// certificate message holds its code nowhere in the database in plain
// text, neither in the outbox row nor in any other table, yet the SMTP
// server receives it with the code; once sent, the outbox keeps no body,
// sealed or not, and no log line shows the code.
func TestQueuedMessageKeepsItsCodeOnlySealedAndArrivesWithIt(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dev := devServer(t, d, "")
		ids := enqueue(t, d, gift("anna@example.com"))
		if got := holding(t, d, giftCode); len(got) != 0 {
			t.Errorf("before sending, the code is in plain text in %v", got)
		}
		if got := holding(t, d, "Malmö"); len(got) != 0 {
			t.Errorf("before sending, the body's text is in plain text in %v", got)
		}
		queued := outbox(t, d, ids[0])
		if queued.Seal != db.MailBodySealed || queued.Text == "" || queued.HTML == "" {
			t.Errorf("queued row: seal %d, text %d bytes, html %d bytes; want sealed, both bodies kept", queued.Seal, len(queued.Text), len(queued.HTML))
		}
		var logs syncBuffer
		w := &mail.Worker{DB: d, Sender: sender(t, dev.Addr()), Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
		if n := deliverDue(t, w); n != 1 {
			t.Fatalf("sent %d, want 1", n)
		}
		m := gift("anna@example.com")
		got := devMails(t, d)
		if len(got) != 1 || got[0].Text != m.Text || got[0].HTML != m.HTML {
			t.Fatalf("the SMTP server received %d messages; want the one with its code and bodies as enqueued", len(got))
		}
		sent := outbox(t, d, ids[0])
		if sent.Status != store.MailSent || sent.Text != "" || sent.HTML != "" || sent.Seal != db.MailBodyPlain {
			t.Errorf("after sending: %s, seal %d, text %q, html %q; want SENT with no body", sent.Status, sent.Seal, sent.Text, sent.HTML)
		}
		// The dev mailbox is the one place that keeps what it received.
		if got := holding(t, d, giftCode); len(got) != 1 || got[0] != "dev_mail" {
			t.Errorf("after sending, the code is in plain text in %v; want only the dev mailbox (dev_mail)", got)
		}
		if !strings.Contains(logs.String(), "mail sent") || strings.Contains(logs.String(), giftCode) {
			t.Errorf("worker log shows the code or no send:\n%s", logs.String())
		}
	})
}

// TestMessageWhoseSealedBodyDoesNotOpenFailsWithoutSending: a body that
// does not open with the database's code key (changed, or sealed under a
// key since replaced) is never sent, garbled or empty; the message is
// FAILED at once with an error saying why.
func TestMessageWhoseSealedBodyDoesNotOpenFailsWithoutSending(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dev := devServer(t, d, "")
		ids := enqueue(t, d, gift("anna@example.com"), gift("bo@example.com"))
		// The second message's body moved into the first: sealed for
		// another message, it must not open there.
		other := outbox(t, d, ids[1])
		dbtest.Exec(t, d, `UPDATE mail_outbox SET text_body = '`+other.Text+`' WHERE id = `+strconv.FormatInt(ids[0], 10))
		w := &mail.Worker{DB: d, Sender: sender(t, dev.Addr())}
		if n := deliverDue(t, w); n != 1 {
			t.Fatalf("sent %d, want only the intact message", n)
		}
		got := outbox(t, d, ids[0])
		if got.Status != store.MailFailed || !strings.Contains(deref(got.LastError), "does not open") {
			t.Errorf("the tampered message: %s, last error %q; want FAILED saying its body does not open", got.Status, deref(got.LastError))
		}
		if ms := devMails(t, d); len(ms) != 1 || ms[0].To != "bo@example.com" {
			t.Errorf("the SMTP server received %d messages; want only bo's", len(ms))
		}
	})
}
