package admin_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/mail"
	"seam/internal/store"
)

func TestGiftCertificatesPageShowsTheBoughtCertificateWithoutItsCode(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startSeam(t, d)
		b := s.url + "/api/checkout"
		start := api(t, "PUT", b+"/countries/SE", "", nil)
		token, _ := start["token"].(string)
		api(t, "POST", b+"/items/gift-certificates/gift-2", token, nil)
		api(t, "POST", b+"/payment", token, map[string]any{"termsAndConditions": true, "address": map[string]any{
			"email": "gift@example.com", "firstName": "Gi", "lastName": "Ft", "address1": "Storgatan 1", "zipCode": "11122",
			"city": "Stockholm", "country": "SE"}})
		c, _ := signedInClient(t, s)
		resp, err := c.Get(s.url + "/admin/gift-certificates")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Pre-defined gift certificate") || !strings.Contains(page, "100 SEK") ||
			!strings.Contains(page, "issue") {
			t.Fatalf("gift certificates page %d:\n%s", resp.StatusCode, page)
		}
		mail := queuedText(t, d, `kind = 'gift_certificate'`)
		hint := dbtest.String(t, d, `SELECT code_hint FROM voucher WHERE type = 'CREDIT'`)
		i := strings.Index(mail, hint)
		if i < 12 {
			t.Fatalf("no code in the mail: %q", mail)
		}
		if code := mail[i-12 : i+4]; strings.Contains(page, code) {
			t.Errorf("the page shows the code %s", code)
		}
	})
}

// queuedText is the text body of the one outbox message matching where,
// opened (the outbox keeps it sealed).
func queuedText(t *testing.T, d *db.DB, where string) string {
	t.Helper()
	ctx := context.Background()
	m, err := store.MailByID(ctx, d.Read(), dbtest.Int(t, d, `SELECT id FROM mail_outbox WHERE `+where))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.Open(ctx, d.Read(), m)
	if err != nil {
		t.Fatal(err)
	}
	return msg.Text
}
