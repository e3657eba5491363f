package rest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/dbtest"
)

// TestBrowsingWithoutATokenStoresNoSession: catalog, countries, languages,
// markets and pricelists read without an API-Token answer a token but
// store no session; the first write stores the session under that same
// token.
func TestBrowsingWithoutATokenStoresNoSession(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		sessions := func() int64 { return dbtest.Int(t, d, `SELECT COUNT(*) FROM checkout_session`) }
		selections := func() int64 { return dbtest.Int(t, d, `SELECT COUNT(*) FROM selection`) }
		before, beforeSel := sessions(), selections()
		reads := []struct {
			method, path string
			body         any
		}{
			{"GET", "/countries", nil}, {"GET", "/languages", nil}, {"GET", "/markets", nil}, {"GET", "/pricelists", nil},
			{"POST", "/products", map[string]any{"limit": 2}}, {"POST", "/categories", nil}, {"GET", "/products/1", nil},
			{"POST", "/uri", map[string]any{"uri": "tops"}},
		}
		for range 3 {
			for _, r := range reads {
				anon := a.client(t)
				if tok := anon.must(http.StatusOK, r.method, r.path, r.body).str("token"); tok == "" {
					t.Errorf("%s %s without a token answered no token", r.method, r.path)
				}
			}
		}
		if n, m := sessions(), selections(); n != before || m != beforeSel {
			t.Errorf("reads without a token stored %d sessions and %d selections", n-before, m-beforeSel)
		}
		b := a.browser(t)
		tok := b.must(http.StatusOK, "POST", "/products", map[string]any{"limit": 1}).str("token")
		b.must(http.StatusOK, "GET", "/countries", nil)
		if sessions() != before {
			t.Error("a browser's reads stored a session")
		}
		s := b.must(http.StatusOK, "POST", "/items/1-4", nil)
		if s.str("token") != tok {
			t.Errorf("the first write answered token %q, want the one the reads gave", s.str("token"))
		}
		if n := sessions(); n != before+1 {
			t.Errorf("the first write stored %d sessions, want 1", n-before)
		}
		if n := len(b.must(http.StatusOK, "GET", "/selection", nil).list("selection", "items")); n != 1 {
			t.Errorf("the session's selection has %d items, want 1", n)
		}
		// Reads of a session with a selection price for its selection and
		// write nothing either.
		b.must(http.StatusOK, "PUT", "/countries/DE", nil)
		if cur := b.must(http.StatusOK, "GET", "/products/1", nil).str("product", "price"); cur == "" || cur[len(cur)-3:] != "EUR" {
			t.Errorf("a German session's product price is %q, want EUR", cur)
		}
	})
}

// TestIdleSessionsAndCartsAreSwept: sessions and unpaid selections nobody
// touched for the idle time go; a paid selection, a selection a live
// session works on and a selection in payment stay.
func TestIdleSessionsAndCartsAreSwept(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		idle := a.browser(t)
		idleSel := idle.must(http.StatusOK, "POST", "/items/1-4", nil).str("selection", "selection")
		live := a.browser(t)
		liveSel := live.must(http.StatusOK, "POST", "/items/1-4", nil).str("selection", "selection")
		paid := a.browser(t)
		paidSel := paid.must(http.StatusOK, "POST", "/items/1-4", nil).str("selection", "selection")
		paid.must(http.StatusOK, "POST", "/payment", pay(addressIn("SE", "")))
		old := db.Time(time.Now().Add(-31 * 24 * time.Hour))
		err := d.Tx(context.Background(), func(tx *db.Tx) error {
			for _, id := range []string{idleSel, liveSel, paidSel} {
				if _, err := tx.ExecContext(context.Background(), `UPDATE selection SET updated_at = $1 WHERE id = $2`, old, id); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(context.Background(), `UPDATE checkout_session SET seen_at = $1 WHERE selection_id = $2 OR receipt_selection_id = $3`,
				old, idleSel, paidSel)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		sessions, selections, err := a.svc.SweepIdle(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if sessions != 2 || selections != 1 {
			t.Errorf("swept %d sessions and %d selections, want 2 and 1", sessions, selections)
		}
		for id, want := range map[string]int64{idleSel: 0, liveSel: 1, paidSel: 1} {
			if got := dbtest.Int(t, d, `SELECT COUNT(*) FROM selection WHERE id = '`+id+`'`); got != want {
				t.Errorf("selection %s…: %d rows, want %d", id[:6], got, want)
			}
		}
		if n := len(live.must(http.StatusOK, "GET", "/selection", nil).list("selection", "items")); n != 1 {
			t.Errorf("the live session's selection has %d items after the sweep", n)
		}
	})
}
