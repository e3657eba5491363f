package rest_test

import (
	"context"
	"net/http"
	"testing"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
)

// TestAfterAnOrderTheSessionShopsAgain: once a payment makes an order (at
// POST /payment or at payment-result), the session has a new, empty
// selection; GET /receipt still shows the order, a return page loaded
// twice gets the same order, POST /items works at once, and a server
// holding the old selection id still reads it and its order.
func TestAfterAnOrderTheSessionShopsAgain(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		sec, err := checkout.CreateSecret(context.Background(), d, "shop")
		if err != nil {
			t.Fatal(err)
		}
		srv := a.server(t, sec.Reveal())
		for _, redirect := range []bool{false, true} {
			b := a.browser(t)
			old := b.must(http.StatusOK, "POST", "/items/1-4", nil).str("selection", "selection")
			body := pay(addressIn("SE", ""))
			var number any
			if redirect {
				body["paymentReturnPage"], body["paymentFailedPage"] = "https://shop.example/thanks", "https://shop.example/failed"
				fields := returnFields(t, b.must(http.StatusOK, "POST", "/payment", body))
				number = b.must(http.StatusOK, "POST", "/payment-result", map[string]any{"paymentMethodFields": fields}).get("order", "order")
				if again := b.must(http.StatusOK, "POST", "/payment-result", map[string]any{"paymentMethodFields": fields}); again.get("order", "order") != number {
					t.Errorf("payment-result again: order %v, want %v", again.get("order", "order"), number)
				}
			} else {
				number = b.must(http.StatusOK, "POST", "/payment", body).get("order", "order")
			}
			if number == nil {
				t.Fatalf("redirect %v: no order", redirect)
			}
			if got := b.must(http.StatusOK, "GET", "/receipt", nil).get("order", "order"); got != number {
				t.Errorf("redirect %v: receipt shows order %v, want %v", redirect, got, number)
			}
			s := b.must(http.StatusOK, "GET", "/selection", nil)
			if id := s.str("selection", "selection"); id == old || id == "" || len(s.list("selection", "items")) != 0 {
				t.Errorf("redirect %v: after the order the selection is %q with %d items, want a new empty one", redirect, id, len(s.list("selection", "items")))
			}
			if n := len(b.must(http.StatusOK, "POST", "/items/1-4", nil).list("selection", "items")); n != 1 {
				t.Errorf("redirect %v: adding after the order gives %d lines", redirect, n)
			}
			if got := b.must(http.StatusOK, "GET", "/receipt", nil).get("order", "order"); got != number {
				t.Errorf("redirect %v: receipt after adding shows order %v, want %v", redirect, got, number)
			}
			if got := srv.must(http.StatusOK, "GET", "/selections/"+old+"/receipt", nil).get("order", "order"); got != number {
				t.Errorf("redirect %v: server reads the old selection's order %v, want %v", redirect, got, number)
			}
			srv.must(http.StatusOK, "GET", "/selections/"+old, nil)
		}
	})
}
