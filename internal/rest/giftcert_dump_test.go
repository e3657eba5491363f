package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
)

// TestGiftCertificateCodeIsInNoTableButTheDevMailbox buys a gift
// certificate over HTTP and reads every table, as a database dump would,
// while the e-mail with its code waits in the outbox and again once it was
// sent: the code is in plain text in none of them (the outbox holds it
// sealed under code_key), except the dev mailbox after delivery, which is
// what the real SMTP server received.
func TestGiftCertificateCodeIsInNoTableButTheDevMailbox(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		m := newMailbox(t, d)
		b := a.browser(t)
		b.must(http.StatusOK, "PUT", "/countries/SE", nil)
		b.must(http.StatusOK, "POST", "/items/gift-certificates/gift-1", map[string]any{"amount": 300})
		addr := addressIn("SE", "")
		addr["email"] = "dump@example.com"
		o := b.must(http.StatusOK, "POST", "/payment", map[string]any{"termsAndConditions": true, "address": addr})
		if o.str("action") != "success" {
			t.Fatalf("payment: %s", o.raw)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM mail_outbox WHERE kind = 'gift_certificate' AND status = 'PENDING' AND body_seal = 1`); n != 1 {
			t.Fatalf("%d sealed gift certificate messages queued, want 1", n)
		}
		queued := dbtest.Snapshot(t, d)
		codes := m.codes("dump@example.com")
		if len(codes) != 1 {
			t.Fatalf("the SMTP server received %d codes for the buyer, want 1", len(codes))
		}
		code := codes[0]
		for table, rows := range queued {
			if strings.Contains(strings.Join(rows, "\n"), code) {
				t.Errorf("while the mail was queued, table %s held the code in plain text", table)
			}
		}
		for table, rows := range dbtest.Snapshot(t, d) {
			if table != "dev_mail" && strings.Contains(strings.Join(rows, "\n"), code) {
				t.Errorf("once the mail was sent, table %s holds the code in plain text", table)
			}
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM mail_outbox WHERE kind = 'gift_certificate' AND status = 'SENT' AND text_body = '' AND html_body = ''`); n != 1 {
			t.Errorf("%d sent gift certificate messages without bodies, want 1", n)
		}
	})
}
