package db_test

import (
	"context"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/mail"
	"seam/internal/store"
)

// TestUpgradeSealsMailQueuedInPlainText queues messages the way Seam did
// before bodies were sealed, then migrates: the code in a PENDING or
// FAILED message is no longer in plain text anywhere in the database, a
// SENT one keeps no body, and the worker still delivers the queued message
// with its code to a real SMTP server (the dev mailbox).
func TestUpgradeSealsMailQueuedInPlainText(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := db.DownTo(ctx, d, 32); err != nil {
			t.Fatal(err)
		}
		const code = "OLDCODE7Q2MXK4PA"
		row := func(id, status string) string {
			return `INSERT INTO mail_outbox (id, kind, message_id, to_address, subject, text_body, html_body, status, next_attempt_at, created_at,
				give_up_at) VALUES (` + id + `, 'gift_certificate', 'm` + id + `', 'anna@example.com', 'Your gift certificate',
				'Your code: ` + code + `', '<p>` + code + `</p>', '` + status + `', '2020-01-01 00:00:00+00:00',
				'2099-01-01 00:00:00+00:00', '2099-01-02 00:00:00+00:00')`
		}
		dbtest.Exec(t, d, row("901", "PENDING"), row("902", "FAILED"), row("903", "SENT"))
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for table, rows := range dbtest.Snapshot(t, d) {
			if strings.Contains(strings.Join(rows, "\n"), code) {
				t.Errorf("after the upgrade, table %s holds the code in plain text", table)
			}
		}
		for id, want := range map[int64]int{901: db.MailBodySealed, 902: db.MailBodySealed, 903: db.MailBodyPlain} {
			m, err := store.MailByID(ctx, d.Read(), id)
			if err != nil {
				t.Fatal(err)
			}
			if m.Seal != want || (m.Status == store.MailSent) != (m.Text == "" && m.HTML == "") {
				t.Errorf("mail %d (%s): seal %d, text %d bytes, html %d bytes; want seal %d, bodies only if not SENT",
					id, m.Status, m.Seal, len(m.Text), len(m.HTML), want)
			}
		}
		dev, err := mail.StartDevServer(ctx, d, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		defer dev.Close()
		sender, err := mail.NewSender(mail.DevSenderConfig(dev.Addr()))
		if err != nil {
			t.Fatal(err)
		}
		if n, err := (&mail.Worker{DB: d, Sender: sender}).DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("DeliverDue = %d, %v; want the pending message sent", n, err)
		}
		if got := dbtest.String(t, d, `SELECT text_body FROM dev_mail`); got != "Your code: "+code {
			t.Errorf("the SMTP server received %q; want the message as queued, with its code", got)
		}
	})
}
