package rest_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/rest"
)

// onlyStock leaves exactly units of one demo item, in one warehouse, and
// returns the item.
func onlyStock(t *testing.T, a *api, units int) string {
	t.Helper()
	b := a.browser(t)
	p := b.must(http.StatusOK, "POST", "/products", map[string]any{"onlyAvailable": true, "limit": 1})
	var item string
	for i := range p.list("products", 0, "items") {
		if item == "" && p.get("products", 0, "items", i, "available") == true {
			item = p.str("products", 0, "items", i, "item")
		}
	}
	size := sizeOf(t, item)
	wh := dbtest.Int(t, a.d, `SELECT MIN(warehouse_id) FROM stock WHERE product_size_id = `+size)
	dbtest.Exec(t, a.d,
		`UPDATE stock SET physical = 0, allocated = 0 WHERE product_size_id = `+size,
		`UPDATE stock SET physical = `+strconv.Itoa(units)+` WHERE product_size_id = `+size+` AND warehouse_id = `+strconv.FormatInt(wh, 10))
	return item
}

// sizeOf is the product size id of an item ("<display item>-<size>").
func sizeOf(t *testing.T, item string) string {
	t.Helper()
	_, size, ok := strings.Cut(item, "-")
	if _, err := strconv.ParseInt(size, 10, 64); !ok || err != nil {
		t.Fatalf("item %q is not <display item>-<product size>", item)
	}
	return size
}

// TestStockIsNeverOversold: 400 shoppers, each with one unit of the same
// item in their selection, pay at the same moment for 100 units. Exactly
// 100 get an order; the other 300 get 410 with the item unavailable, and
// the stock ends with 100 allocated and none free. On SQLite the payments never
// overlap (one writer), so the PostgreSQL half is the proof of atomicity.
func TestStockIsNeverOversold(t *testing.T) {
	t.Parallel()
	const units, buyers = 100, 400
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		item := onlyStock(t, a, units)
		sizeText := sizeOf(t, item)

		shoppers := make([]*client, buyers)
		var fill sync.WaitGroup
		sem := make(chan struct{}, 16)
		for i := range shoppers {
			shoppers[i] = a.browser(t)
			fill.Add(1)
			go func(c *client) {
				defer fill.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				c.must(http.StatusOK, "POST", "/items/"+item, nil)
				c.must(http.StatusOK, "PUT", "/address", map[string]any{"address": shopper})
			}(shoppers[i])
		}
		fill.Wait()

		start := make(chan struct{})
		answers := make([]answer, buyers)
		var pay sync.WaitGroup
		for i, c := range shoppers {
			pay.Add(1)
			go func() {
				defer pay.Done()
				<-start
				// A 503 says the database could not be had in time and
				// nothing changed; a buyer sends the payment again, as a
				// storefront does (a busy machine makes these on SQLite).
				for try := 0; ; try++ {
					answers[i] = c.do("POST", "/payment", map[string]any{"termsAndConditions": true})
					if answers[i].status != http.StatusServiceUnavailable || try == 20 {
						break
					}
					time.Sleep(time.Duration(rest.RetryAfterUnavailable) * time.Second)
				}
			}()
		}
		close(start)
		pay.Wait()

		statuses := map[int]int{}
		orders := map[string]bool{}
		for _, ans := range answers {
			statuses[ans.status]++
			switch ans.status {
			case http.StatusOK:
				if ans.str("action") != "success" || ans.str("order", "order") == "" {
					t.Errorf("a 200 payment without an order: %s", ans.raw)
				}
				orders[ans.str("order", "order")] = true
			case http.StatusGone:
				if ans.str("unavailable", 0, "item") != item || ans.get("unavailable", 0, "unavailable") != 1.0 ||
					ans.get("unavailable", 0, "available") != 0.0 {
					t.Errorf("a 410 should name the item with 1 unavailable and 0 available: %v", ans.get("unavailable"))
				}
			default:
				t.Errorf("payment answered %d: %s", ans.status, ans.raw)
			}
		}
		if statuses[http.StatusOK] != units || statuses[http.StatusGone] != buyers-units || len(orders) != units {
			t.Errorf("answers by status %v with %d distinct orders; want %d × 200 (orders) and %d × 410", statuses, len(orders), units, buyers-units)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM orders`); n != units {
			t.Errorf("orders in the database: %d, want %d", n, units)
		}
		if phys := dbtest.Int(t, d, `SELECT SUM(physical) FROM stock WHERE product_size_id = `+sizeText); phys != units {
			t.Errorf("physical stock %d, want %d", phys, units)
		}
		if alloc := dbtest.Int(t, d, `SELECT SUM(allocated) FROM stock WHERE product_size_id = `+sizeText); alloc != units {
			t.Errorf("allocated %d, want %d: free to allocate must end at 0", alloc, units)
		}
		if n := dbtest.Int(t, d, `SELECT COALESCE(SUM(quantity), 0) FROM order_allocation WHERE product_size_id = `+sizeText); n != units {
			t.Errorf("order allocations sum to %d, want %d", n, units)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM stock_reservation`); n != 0 {
			t.Errorf("%d reservations left behind", n)
		}
	})
}

// TestPaymentResultMakesOneOrder: 200 concurrent payment-result calls for
// one selection make one order, every call answers it, and so does a call
// after them. On SQLite the
// calls never overlap (one writer), so only the PostgreSQL half can see a
// broken claim; TestSelectionIsPaidOnceOnItsOwn races the claim itself.
func TestPaymentResultMakesOneOrder(t *testing.T) {
	t.Parallel()
	const calls = 200
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		item := onlyStock(t, a, 5)
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/"+item, nil)
		started := b.must(http.StatusOK, "POST", "/payment", map[string]any{"termsAndConditions": true, "address": shopper,
			"paymentReturnPage": "https://shop.example/thanks", "paymentFailedPage": "https://shop.example/failed"})
		fields := returnFields(t, started)

		start := make(chan struct{})
		answers := make([]answer, calls)
		var wg sync.WaitGroup
		for i := range answers {
			c := a.browser(t)
			c.token = b.token
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				answers[i] = c.do("POST", "/payment-result", map[string]any{"paymentMethodFields": fields})
			}()
		}
		close(start)
		wg.Wait()

		numbers := map[any]int{}
		for _, ans := range answers {
			if ans.status != http.StatusOK || ans.str("action") != "success" {
				t.Errorf("payment-result answered %d: %s", ans.status, ans.raw)
				continue
			}
			numbers[ans.get("order", "number")]++
		}
		if len(numbers) != 1 {
			t.Errorf("payment-result answered orders %v, want one", numbers)
		}
		// A repeat once the order exists answers it too.
		again := b.must(http.StatusOK, "POST", "/payment-result", map[string]any{"paymentMethodFields": fields})
		if n := again.get("order", "number"); numbers[n] == 0 {
			t.Errorf("a later payment-result answered order %v, want the one of the race %v", n, numbers)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM orders`); n != 1 {
			t.Errorf("orders in the database: %d, want 1", n)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM payment_history`); n != 1 {
			t.Errorf("payment history entries: %d, want 1", n)
		}
	})
}
