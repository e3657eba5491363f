package rest_test

import (
	"context"

	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govalues/decimal"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/money"
	"seam/internal/payment"
	"seam/internal/rest"
	"seam/internal/voucher"
)

var redirectTo = map[string]any{"paymentReturnPage": "https://shop.example/thanks", "paymentFailedPage": "https://shop.example/failed"}

// payRedirect starts a payment that sends the shopper to a return page.
func payRedirect(extra map[string]any) map[string]any {
	out := map[string]any{"termsAndConditions": true, "address": shopper}
	for k, v := range redirectTo {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// TestReturnPagesMustBeWebAddresses: the shopper is sent to the return
// and fail pages, so only absolute http(s) URLs are taken.
func TestReturnPagesMustBeWebAddresses(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		for _, bad := range []string{"javascript:alert(document.domain)//", "/thanks", "//evil.example/x", "data:text/html,hi", "https://user:pw@shop.example/"} {
			for _, field := range []string{"paymentReturnPage", "paymentFailedPage"} {
				b.fails(http.StatusBadRequest, field, "POST", "/payment", payRedirect(map[string]any{field: bad}))
			}
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM stock_reservation`); n != 0 {
			t.Errorf("refused payments reserved stock: %d reservations", n)
		}
		// A redirect card without a return page cannot be sent anywhere.
		r := b.must(http.StatusOK, "POST", "/payment", map[string]any{"termsAndConditions": true, "address": shopper,
			"paymentMethodSpecificFields": map[string]any{"card": payment.CardRedirect}})
		if r.str("action") != "failed" || !strings.Contains(r.str("errors", "paymentMethod"), "paymentReturnPage") {
			t.Errorf("3-D Secure card without paymentReturnPage: %s", r.raw)
		}
	})
}

// TestStaleResultLeavesTheNewAttempt: the fields of a replaced payment
// attempt neither finish nor cancel the attempt that replaced it.
func TestStaleResultLeavesTheNewAttempt(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		before := dbtest.Int(t, d, `SELECT allocated FROM stock WHERE product_size_id = 3`)
		first := returnFields(t, b.must(http.StatusOK, "POST", "/payment", payRedirect(nil)))
		second := returnFields(t, b.must(http.StatusOK, "POST", "/payment", payRedirect(nil)))
		if got := dbtest.Int(t, d, `SELECT allocated FROM stock WHERE product_size_id = 3`); got != before+1 {
			t.Errorf("two attempts hold %d units, want 1", got-before)
		}
		b.fails(http.StatusBadRequest, "paymentMethodFields", "POST", "/payment-result", map[string]any{"paymentMethodFields": first})
		if got := dbtest.Int(t, d, `SELECT allocated FROM stock WHERE product_size_id = 3`); got != before+1 {
			t.Errorf("the stale result released the new attempt's stock: allocated %d, want %d", got, before+1)
		}
		forged := map[string]string{"seam_payment": second["seam_payment"], "result": "approved", "sig": "00"}
		b.fails(http.StatusBadRequest, "paymentMethodFields", "POST", "/payment-result", map[string]any{"paymentMethodFields": forged})
		done := b.must(http.StatusOK, "POST", "/payment-result", map[string]any{"paymentMethodFields": second})
		if done.str("action") != "success" {
			t.Errorf("the current attempt's result: %s", done.raw)
		}
	})
}

// slowProvider approves like the test provider, but Start waits until
// release is closed.
type slowProvider struct {
	payment.Test
	release chan struct{}
}

func (p *slowProvider) Start(ctx context.Context, in payment.Start) (payment.Action, error) {
	<-p.release
	return p.Test.Start(ctx, in)
}

// TestDisconnectedPaymentFinishes: a client that gives up while its payment
// starts does not leave its Idempotency-Key stuck or its stock held; the
// retry with the key gets the first answer.
func TestDisconnectedPaymentFinishes(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		slow := &slowProvider{Test: payment.Test{Key: []byte("k")}, release: make(chan struct{})}
		a := startAPIWith(t, d, func(s *checkout.Service) { s.Payments["slow"] = slow })
		dbtest.Exec(t, d, `INSERT INTO payment_method (store_id, name, provider, active, position) VALUES (1, 'Slow card', 'slow', TRUE, 9)`)
		method := dbtest.Int(t, d, `SELECT id FROM payment_method WHERE provider = 'slow'`)
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		b.must(http.StatusOK, "PUT", "/payment-methods/"+itoa(method), nil)

		impatient := *b
		impatient.hc = &http.Client{Transport: b.hc.Transport, Timeout: 300 * time.Millisecond}
		key := header("Idempotency-Key", "pay-1")
		req := payRedirect(nil)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(600 * time.Millisecond)
			close(slow.release)
		}()
		if _, err := impatient.try("POST", "/payment", req, key); err == nil || !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "Timeout") {
			t.Fatalf("the impatient client should time out, got %v", err)
		}
		wg.Wait()
		// 409 while the first call still runs; then its answer, replayed.
		var again answer
		dbtest.Eventually(t, "the first payment call to finish", func() bool {
			again = b.do("POST", "/payment", req, key)
			return again.status != http.StatusConflict
		})
		if again.status != http.StatusOK || again.header.Get("Idempotent-Replayed") != "true" || again.str("action") != "redirect" {
			t.Fatalf("retry with the key: %d %s (replayed %q)", again.status, again.raw, again.header.Get("Idempotent-Replayed"))
		}
		if again.str("token") != b.token {
			t.Errorf("the replayed answer carries token %q, want the caller's", again.str("token"))
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM idempotency_key WHERE body LIKE '%seam_cs_%' AND body NOT LIKE '%kept without the token%'`); n != 0 {
			t.Errorf("%d kept answers hold a session token", n)
		}
		fields := returnFields(t, again)
		b.must(http.StatusOK, "POST", "/payment-result", map[string]any{"paymentMethodFields": fields})
	})
}

// TestPayingSelectionCannotBeTakenOver: a selection being paid for cannot
// be attached to another session.
func TestPayingSelectionCannotBeTakenOver(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		b := a.browser(t)
		id := b.must(http.StatusOK, "POST", "/items/"+tee, nil).str("selection", "selection")
		b.must(http.StatusOK, "POST", "/payment", payRedirect(nil))
		other := a.browser(t)
		other.must(http.StatusOK, "GET", "/selection", nil)
		other.fails(http.StatusConflict, "selection", "PUT", "/selections/"+id, nil)
	})
}

// TestVoucherInAnotherCurrency: an amount off in EUR gives nothing in SEK,
// so it is refused there and never counted.
func TestVoucherInAnotherCurrency(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		percentOff := makeVoucher(t, d, "EUROS", func(in *voucher.Input) {
			one := 1
			in.MaxUsages = &one
			in.Actions[0].Result.SelectedProducts.Discount.PercentOff = nil
			in.Actions[0].Result.SelectedProducts.Discount.AmountOff = eur(10)
		})
		b := a.browser(t)
		b.must(http.StatusOK, "PUT", "/countries/SE", nil)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		r := b.fails(http.StatusBadRequest, "voucher", "POST", "/vouchers", map[string]any{"voucher": "EUROS"})
		if !strings.Contains(r.str("errors", "voucher"), "no discount in SEK") {
			t.Errorf("EUR voucher in SEK: %s", r.raw)
		}
		b.must(http.StatusOK, "PUT", "/countries/DE", nil)
		s := b.must(http.StatusOK, "POST", "/vouchers", map[string]any{"voucher": "EUROS"})
		if got := s.get("selection", "totals", "totalDiscountPriceAsNumber"); got != -10.0 {
			t.Errorf("10 EUR off in Germany: %v", got)
		}
		// Back to Sweden the voucher no longer applies, and paying says so.
		b.must(http.StatusOK, "PUT", "/countries/SE", nil)
		r = b.fails(http.StatusBadRequest, "voucher", "POST", "/payment", pay(shopper))
		if !strings.Contains(r.str("errors", "voucher"), "no discount in SEK") {
			t.Errorf("paying in SEK with the EUR voucher: %s", r.raw)
		}
		if n := dbtest.Int(t, d, `SELECT usages FROM voucher WHERE id = `+itoa(percentOff)); n != 0 {
			t.Errorf("usages %d, want 0", n)
		}
	})
}

// TestEnvelopeAddsUp: with a voucher, the items add up to itemsTotalPrice,
// and items + discount + shipping is the grand total, in the selection
// and in the order.
func TestEnvelopeAddsUp(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		makeVoucher(t, d, "TEN", nil)
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/"+tee+"/quantity/3", nil)
		b.must(http.StatusOK, "POST", "/items/1-4", nil)
		s := b.must(http.StatusOK, "POST", "/vouchers", map[string]any{"voucher": "TEN"})
		check := func(what string, env answer, root string) {
			var items float64
			for i := range env.list(root, "items") {
				items += env.get(root, "items", i, "totalPriceAsNumber").(float64)
			}
			n := func(f string) float64 { return env.get(root, "totals", f+"AsNumber").(float64) }
			if items != n("itemsTotalPrice") {
				t.Errorf("%s: items add up to %v, itemsTotalPrice is %v", what, items, n("itemsTotalPrice"))
			}
			if sum := n("itemsTotalPrice") + n("totalDiscountPrice") + n("shippingPrice"); sum != n("grandTotalPrice") {
				t.Errorf("%s: items %v + discount %v + shipping %v = %v, grand total %v", what, n("itemsTotalPrice"), n("totalDiscountPrice"),
					n("shippingPrice"), sum, n("grandTotalPrice"))
			}
		}
		check("selection", s, "selection")
		o := b.must(http.StatusOK, "POST", "/payment", pay(shopper))
		check("order", o, "order")
	})
}

// TestSessionUseIsNoted: a session in use is not deleted as idle.
func TestSessionUseIsNoted(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		b := a.browser(t)
		b.must(http.StatusOK, "GET", "/selection", nil)
		old := time.Now().Add(-40 * 24 * time.Hour).UTC().Format("2006-01-02 15:04:05")
		dbtest.Exec(t, d, `UPDATE checkout_session SET created_at = '`+old+`', seen_at = '`+old+`'`)
		b.must(http.StatusOK, "GET", "/selection", nil)
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM checkout_session WHERE seen_at > created_at`); n != 1 {
			t.Errorf("sessions whose use was noted: %d, want 1", n)
		}
	})
}

func eur(units int64) *money.Input {
	return &money.Input{Value: money.NumberOf(decimal.MustNew(units, 0)), CurrencyIsoCode: "EUR"}
}

func TestLogPathHidesSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"/api/checkout/vouchers/SUMMER24", "/api/checkout/vouchers/…"},
		{"/api/checkout/selections/0123456789abcdef0123456789abcdef/vouchers/CODE", "/api/checkout/selections/012345…/vouchers/…"},
		{"/api/checkout/selections/0123456789abcdef0123456789abcdef", "/api/checkout/selections/012345…"},
		{"/api/checkout/items/1-3", "/api/checkout/items/1-3"},
		{"/api/checkout/payment-links/0123456789abcdef/SECRETSECRET/qr.png", "/api/checkout/payment-links/012345…/…/qr.png"},
		{"/graphql", "/graphql"},
		{"/api/mel-store/products/7/payment-links/0123456789abcdef0123456789abcdef", "/api/mel-store/products/7/payment-links/0123…"},
	}
	for _, tc := range tests {
		if got := rest.LogPath(tc.in); got != tc.want {
			t.Errorf("LogPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
