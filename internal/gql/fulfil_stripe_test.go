package gql_test

import (
	"os"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/payment"
)

// TestStripeRefusedCaptureGivesTheAmountBack: an order authorized with
// Stripe (stripe-mock, whose payment intents are never authorized) is
// captured through Stripe; Stripe's refusal is a userError, a FAILED
// CAPTURE entry, and the amount is left to capture again.
func TestStripeRefusedCaptureGivesTheAmountBack(t *testing.T) {
	t.Parallel()
	base := os.Getenv("SEAM_STRIPE_MOCK_URL")
	if base == "" {
		if os.Getenv("SEAM_TEST_REQUIRE_STRIPE") == "1" {
			t.Fatal("SEAM_TEST_REQUIRE_STRIPE=1 but SEAM_STRIPE_MOCK_URL is not set")
		}
		t.Skip("set SEAM_STRIPE_MOCK_URL to a running stripe-mock")
	}
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		stripe := &payment.Stripe{SecretKey: "sk_test_seam", PublishableKey: "pk_test_seam", APIURL: base}
		s := startFulfilShop(t, d, map[string]payment.Provider{"stripe": stripe})
		item := s.items(1, 2)[0]
		o := s.buy(map[string]int{item: 1}, item)
		// The order's authorization is a Stripe payment intent.
		dbtest.Exec(t, d, `UPDATE payment_history SET payment_method = 'stripe', external_reference = 'pi_seam_1' WHERE order_id = `+itoa(o.id))
		shipment := s.ship(o, map[int64]int{s.lineIDs(o)[0]: 1}, "")
		r := s.gql.Do(captureShipmentDoc, map[string]any{"id": shipment})
		if msg := userError(r, "captureShipment"); !strings.Contains(msg, "payment provider did not capture") {
			t.Errorf("a capture Stripe refuses: %s", r.Raw)
		}
		for _, c := range []struct {
			what  string
			query string
			want  int64
		}{
			{"FAILED capture entries", `SELECT COUNT(*) FROM payment_history WHERE entry_type = 'CAPTURE' AND status = 'FAILED' AND order_id = ` + itoa(o.id), 1},
			{"successful captures", `SELECT COUNT(*) FROM payment_history WHERE entry_type = 'CAPTURE' AND status = 'SUCCESS' AND order_id = ` + itoa(o.id), 0},
			{"amount counted captured", `SELECT captured_minor FROM payment_history WHERE entry_type = 'AUTHORIZATION' AND order_id = ` + itoa(o.id), 0},
			{"shipment captured or paid", `SELECT COUNT(*) FROM shipment WHERE (captured_at IS NOT NULL OR is_paid) AND order_id = ` + itoa(o.id), 0},
		} {
			if got := dbtest.Int(t, d, c.query); got != c.want {
				t.Errorf("%s: %d, want %d", c.what, got, c.want)
			}
		}
	})
}
