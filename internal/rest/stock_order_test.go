package rest_test

import (
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/dbtest"
)

// stockedItems returns n available demo items of n different sizes, each
// left with units free in its first warehouse and none elsewhere.
func stockedItems(t *testing.T, a *api, n, units int) []string {
	t.Helper()
	b := a.browser(t)
	p := b.must(http.StatusOK, "POST", "/products", map[string]any{"onlyAvailable": true, "limit": 20})
	var items []string
	for i := range p.list("products") {
		if len(items) < n && p.get("products", i, "items", 0, "available") == true {
			items = append(items, p.str("products", i, "items", 0, "item"))
		}
	}
	if len(items) < n {
		t.Fatalf("the demo shop has %d available items, want %d", len(items), n)
	}
	for _, item := range items {
		size := sizeOf(t, item)
		wh := dbtest.Int(t, a.d, `SELECT MIN(warehouse_id) FROM stock WHERE product_size_id = `+size)
		dbtest.Exec(t, a.d,
			`UPDATE stock SET physical = 0, allocated = 0 WHERE product_size_id = `+size,
			`UPDATE stock SET physical = `+strconv.Itoa(units)+` WHERE product_size_id = `+size+` AND warehouse_id = `+strconv.FormatInt(wh, 10))
	}
	return items
}

// TestMixedOrderCartsPayWithoutDeadlock: 40 shoppers pay at the same
// moment through two Seam servers on one database (two HTTP servers, each
// with its own connection pool, as two processes have), half of them with
// a cart of items A, B, C, D and half with D, C, B, A. Every payment
// succeeds (no 500, no timeout), the stock adds up, and no transaction had
// to be retried for a deadlock: stock rows are taken in one order.
func TestMixedOrderCartsPayWithoutDeadlock(t *testing.T) {
	t.Parallel()
	const buyers, units = 40, 1000
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		d2 := dbtest.Reopen(t, d)
		a2 := startAPI(t, d2)
		items := stockedItems(t, a, 4, units)

		shoppers := make([]*client, buyers)
		var fill sync.WaitGroup
		sem := make(chan struct{}, 8)
		for i := range shoppers {
			server := a
			if i%2 == 1 {
				server = a2
			}
			c := server.quickBrowser(t)
			shoppers[i] = c
			cart := slices.Clone(items)
			if i%4 >= 2 {
				slices.Reverse(cart)
			}
			fill.Add(1)
			go func() {
				defer fill.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				for _, item := range cart {
					c.must(http.StatusOK, "POST", "/items/"+item, nil)
				}
				c.must(http.StatusOK, "PUT", "/address", map[string]any{"address": shopper})
			}()
		}
		fill.Wait()

		start := make(chan struct{})
		answers := make([]answer, buyers)
		took := make([]time.Duration, buyers)
		var pay sync.WaitGroup
		for i, c := range shoppers {
			pay.Add(1)
			go func() {
				defer pay.Done()
				<-start
				t0 := time.Now()
				answers[i] = c.do("POST", "/payment", map[string]any{"termsAndConditions": true})
				took[i] = time.Since(t0)
			}()
		}
		began := time.Now()
		close(start)
		pay.Wait()
		wall := time.Since(began)

		for i, ans := range answers {
			if ans.status != http.StatusOK || ans.str("action") != "success" {
				t.Errorf("shopper %d: payment answered %d: %s", i, ans.status, ans.raw)
			}
		}
		slices.Sort(took)
		t.Logf("%d mixed-order payments through two servers: all done in %v; per payment p50 %v, p95 %v, max %v",
			buyers, wall.Round(time.Millisecond), took[buyers/2].Round(time.Millisecond), took[buyers*95/100].Round(time.Millisecond),
			took[buyers-1].Round(time.Millisecond))

		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM orders`); n != buyers {
			t.Errorf("orders in the database: %d, want %d", n, buyers)
		}
		for _, item := range items {
			size := sizeOf(t, item)
			if alloc := dbtest.Int(t, d, `SELECT SUM(allocated) FROM stock WHERE product_size_id = `+size); alloc != buyers {
				t.Errorf("item %s: %d allocated, want %d", item, alloc, buyers)
			}
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM stock_reservation`); n != 0 {
			t.Errorf("%d reservations left behind", n)
		}
		if n := d.Retried(db.RetryDeadlock) + d2.Retried(db.RetryDeadlock); n != 0 {
			t.Errorf("%d transactions deadlocked and were retried; stock rows must be taken in one order", n)
		}
	})
}
