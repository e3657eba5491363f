package rest_test

import (
	"net/http"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
)

// TestTaxIsRoundedOncePerLine: three demo tees (35.00 EUR each, 19 % German
// VAT included) on one line carry 16.76 EUR of tax, 105.00 × 19/119
// rounded once; rounding each unit (5.59 × 3) would give 16.77. Shipping is
// free from 50 EUR, so the line's tax is the selection's and the order's.
func TestTaxIsRoundedOncePerLine(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		b := a.browser(t)
		b.must(http.StatusOK, "PUT", "/countries/DE", nil)
		s := b.must(http.StatusOK, "POST", "/items/"+tee+"/quantity/3", nil)
		if got := s.get("selection", "items", 0, "quantity"); got != 3.0 {
			t.Fatalf("quantity %v, want 3", got)
		}
		if got := s.get("selection", "totals", "grandTotalPriceAsNumber"); got != 105.0 {
			t.Errorf("grand total %v, want 105 (3 × 35.00 EUR, shipping free)", got)
		}
		if got := s.get("selection", "totals", "grandTotalPriceTaxAsNumber"); got != 16.76 {
			t.Errorf("selection tax %v EUR, want 16.76 (105.00 × 19/119 rounded once, not 5.59 per unit)", got)
		}
		o := b.must(http.StatusOK, "POST", "/payment", pay(addressIn("DE", "")))
		if got := o.get("order", "totals", "grandTotalPriceTaxAsNumber"); got != 16.76 {
			t.Errorf("order tax %v EUR, want 16.76", got)
		}
		hash := o.str("order", "id")
		if tax := dbtest.Int(t, d, `SELECT tax_minor FROM orders WHERE hash = '`+hash+`'`); tax != 1676 {
			t.Errorf("stored order tax %d minor units, want 1676", tax)
		}
		if tax := dbtest.Int(t, d, `SELECT SUM(order_line.tax_minor) FROM order_line JOIN orders ON orders.id = order_line.order_id WHERE hash = '`+hash+`'`); tax != 1676 {
			t.Errorf("stored order line tax %d minor units, want 1676", tax)
		}
	})
}

// TestIdempotencyKeyWithAnotherBodyIs422: the same Idempotency-Key on the
// same path with another body is refused with 422, and the first call's
// effect is all there is.
func TestIdempotencyKeyWithAnotherBodyIs422(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		b := a.browser(t)
		b.must(http.StatusOK, "GET", "/selection", nil)
		key := header("Idempotency-Key", "add-tee")
		b.must(http.StatusOK, "POST", "/items/"+tee, map[string]any{"quantity": 1}, key)
		r := b.fails(http.StatusUnprocessableEntity, "Idempotency-Key", "POST", "/items/"+tee, map[string]any{"quantity": 2}, key)
		if r.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("another body got the first answer replayed: %s", r.raw)
		}
		s := b.must(http.StatusOK, "GET", "/selection", nil)
		if n, q := len(s.list("selection", "items")), s.get("selection", "items", 0, "quantity"); n != 1 || q != 1.0 {
			t.Errorf("after the refused call: %d lines, quantity %v; want 1 line of 1", n, q)
		}
	})
}

// TestSessionCannotTouchAnotherSessionsLine: shopper B naming shopper A's
// line gets 404 for every line call, and A's selection stays as it was.
func TestSessionCannotTouchAnotherSessionsLine(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		shopperA, shopperB := a.browser(t), a.browser(t)
		s := shopperA.must(http.StatusOK, "POST", "/items/"+tee+"/quantity/2", nil)
		line := s.str("selection", "items", 0, "line")
		if line == "" {
			t.Fatalf("no line in %s", s.raw)
		}
		shopperB.must(http.StatusOK, "POST", "/items/"+tee, nil)
		for _, call := range []struct{ method, path string }{
			{"PUT", "/lines/" + line + "/quantity/5"},
			{"POST", "/lines/" + line},
			{"POST", "/lines/" + line + "/quantity/5"},
			{"DELETE", "/lines/" + line + "/quantity/1"},
			{"DELETE", "/lines/" + line},
		} {
			r := shopperB.must(http.StatusNotFound, call.method, call.path, nil)
			if r.get("errors") == nil {
				t.Errorf("%s %s by another session: 404 without errors: %s", call.method, call.path, r.raw)
			}
		}
		s = shopperA.must(http.StatusOK, "GET", "/selection", nil)
		if n, q := len(s.list("selection", "items")), s.get("selection", "items", 0, "quantity"); n != 1 || q != 2.0 {
			t.Errorf("A's selection after B's calls: %d lines, quantity %v; want 1 line of 2", n, q)
		}
		s = shopperB.must(http.StatusOK, "GET", "/selection", nil)
		if n, q := len(s.list("selection", "items")), s.get("selection", "items", 0, "quantity"); n != 1 || q != 1.0 {
			t.Errorf("B's selection: %d lines, quantity %v; want its own 1 line of 1", n, q)
		}
	})
}
