package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"seam/internal/dbtest"
)

// crashFlags make leases, reservations and the sweeper quick enough for a
// crash test to see them run.
var crashFlags = []string{"--idempotency-lease", "2s", "--sweep-interval", "1s", "--reservation-ttl", "5s"}

// TestKilledServeProcessesLoseNoOrder: two `seam serve` processes on one
// database take a steady checkout load (guest sessions, two items added
// in either order, payment with an Idempotency-Key, every call retried
// with its key on a transport error, a 5xx or a 409 "still running"); one
// of them is killed with SIGKILL three times and started again. Afterwards
// every order a client was told succeeded exists exactly once, every
// order has a payment entry, the stock adds up (allocated = what orders
// hold), and once leases and the sweeper have run no Idempotency-Key,
// reservation or selection stays stuck in payment.
func TestKilledServeProcessesLoseNoOrder(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, e engine) {
		began := time.Now()
		steady := startProcess(t, e, nil, crashFlags...)
		d := e.open(t)
		items := []string{"1-3", "2-6"}
		const units = 100_000
		var physical [2]int64
		for i, item := range items {
			size := item[2:]
			dbtest.Exec(t, d, `UPDATE stock SET physical = 0, allocated = 0 WHERE product_size_id = `+size,
				`UPDATE stock SET physical = `+strconv.Itoa(units)+` WHERE product_size_id = `+size+
					` AND warehouse_id = (SELECT MIN(warehouse_id) FROM stock WHERE product_size_id = `+size+`)`)
			physical[i] = dbtest.Int(t, d, `SELECT SUM(physical) FROM stock WHERE product_size_id = `+size)
		}
		var victim atomic.Pointer[process]
		victim.Store(startProcess(t, e, nil, crashFlags...))

		var (
			mu       sync.Mutex
			told     []string // orders clients were told succeeded
			failed   = map[string]int{}
			stop     atomic.Bool
			paid     atomic.Int64
			hc       = &http.Client{Timeout: 90 * time.Second}
			workers  sync.WaitGroup
			retries  atomic.Int64
			deadline = time.Now().Add(3 * time.Minute)
		)
		// send sends one call, retrying with the same Idempotency-Key on
		// either process until it has an answer that is not "try again".
		send := func(worker int, method, path string, body any, header map[string]string) reply {
			for attempt := 0; ; attempt++ {
				base := steady.base
				if (worker+attempt)%2 == 1 {
					base = victim.Load().base
				}
				r := call(context.Background(), hc, method, base+"/api/checkout"+path, body, header)
				errs, _ := r.body["errors"].(map[string]any)
				_, stillRunning := errs["Idempotency-Key"]
				if r.status != 0 && r.status < 500 && !(r.status == http.StatusConflict && stillRunning) {
					return r
				}
				if time.Now().After(deadline) {
					return r
				}
				retries.Add(1)
				time.Sleep(50 * time.Millisecond)
			}
		}
		checkout := func(worker, n int) {
			key := func(step string) string { return fmt.Sprintf("w%d-c%d-%s-%s", worker, n, step, randomHex()) }
			session := send(worker, "PUT", "/countries/SE", nil, nil)
			token, _ := session.body["token"].(string)
			if token == "" {
				mu.Lock()
				failed[fmt.Sprintf("session %d", session.status)]++
				mu.Unlock()
				return
			}
			order := items
			if n%2 == 1 {
				order = []string{items[1], items[0]}
			}
			for _, item := range order {
				if r := send(worker, "POST", "/items/"+item, nil, map[string]string{"API-Token": token, "Idempotency-Key": key(item)}); r.status != http.StatusOK {
					mu.Lock()
					failed[fmt.Sprintf("add item %d", r.status)]++
					mu.Unlock()
					return
				}
			}
			if r := send(worker, "PUT", "/address", map[string]any{"address": map[string]any{"email": "crash@example.com", "firstName": "C",
				"lastName": "Rash", "address1": "Storgatan 1", "zipCode": "11122", "city": "Stockholm", "country": "SE"}},
				map[string]string{"API-Token": token, "Idempotency-Key": key("address")}); r.status != http.StatusOK {
				mu.Lock()
				failed[fmt.Sprintf("address %d", r.status)]++
				mu.Unlock()
				return
			}
			r := send(worker, "POST", "/payment", map[string]any{"termsAndConditions": true}, map[string]string{"API-Token": token, "Idempotency-Key": key("pay")})
			ord, _ := r.body["order"].(map[string]any)
			hash, _ := ord["id"].(string) // "order" is the number, as in Centra's receipts
			mu.Lock()
			defer mu.Unlock()
			if r.status == http.StatusOK && r.body["action"] == "success" && hash != "" {
				told = append(told, hash)
				paid.Add(1)
				return
			}
			failed[fmt.Sprintf("payment %d", r.status)]++
		}
		const workerCount = 6
		for w := range workerCount {
			workers.Add(1)
			go func() {
				defer workers.Done()
				for n := 0; !stop.Load(); n++ {
					checkout(w, n)
				}
			}()
		}

		// Kill the victim three times, each after some checkouts went
		// through, and start it again on the same database.
		waitPaid := func(n int64) {
			waitFor(t, fmt.Sprintf("%d paid checkouts", n), func() bool { return paid.Load() >= n })
		}
		for kill := 1; kill <= 3; kill++ {
			waitPaid(paid.Load() + 8)
			victim.Load().kill()
			t.Logf("kill %d after %v, %d checkouts paid", kill, time.Since(began).Round(time.Millisecond), paid.Load())
			victim.Store(startProcess(t, e, nil, crashFlags...))
		}
		waitPaid(paid.Load() + 8)
		stop.Store(true)
		workers.Wait()
		loadDone := time.Now()

		// Leases lapse and the sweepers run: nothing may stay stuck.
		waitFor(t, "idempotency keys, reservations and payments in progress to clear", func() bool {
			return dbtest.Int(t, d, `SELECT COUNT(*) FROM idempotency_key WHERE status = 0`) == 0 &&
				dbtest.Int(t, d, `SELECT COUNT(*) FROM stock_reservation`) == 0 &&
				dbtest.Int(t, d, `SELECT COUNT(*) FROM selection WHERE status = 'PAYING'`) == 0
		})
		t.Logf("%d checkouts paid in %v with 3 kills; %d calls retried; other outcomes %v; cleared %v after the load",
			len(told), loadDone.Sub(began).Round(time.Millisecond), retries.Load(), failed, time.Since(loadDone).Round(time.Millisecond))

		seen := map[string]bool{}
		for _, hash := range told {
			if seen[hash] {
				t.Errorf("order %s was told to two clients", hash)
			}
			seen[hash] = true
			if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM orders WHERE hash = $1`, hash); n != 1 {
				t.Errorf("order %s, told to a client, is in the database %d times", hash, n)
			}
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM payment_history p WHERE p.order_id = o.id)`); n != 0 {
			t.Errorf("%d orders have no payment entry", n)
		}
		orders := dbtest.Int(t, d, `SELECT COUNT(*) FROM orders`)
		if orders < int64(len(told)) {
			t.Errorf("%d orders in the database, fewer than the %d clients were told of", orders, len(told))
		}
		for i, item := range items {
			size := item[2:]
			if p := dbtest.Int(t, d, `SELECT SUM(physical) FROM stock WHERE product_size_id = `+size); p != physical[i] {
				t.Errorf("item %s: physical stock %d, want %d (nothing shipped)", item, p, physical[i])
			}
			alloc := dbtest.Int(t, d, `SELECT SUM(allocated) FROM stock WHERE product_size_id = `+size)
			held := dbtest.Int(t, d, `SELECT COALESCE(SUM(quantity), 0) FROM order_allocation WHERE product_size_id = `+size)
			sold := dbtest.Int(t, d, `SELECT COALESCE(SUM(l.quantity), 0) FROM order_line l WHERE l.product_size_id = `+size)
			// An order holds at least one unit of each item (a cart change
			// whose process died after it committed but before its answer
			// was kept runs again when its key's lease lapses).
			if alloc != held || held != sold || sold < orders {
				t.Errorf("item %s: %d allocated in stock, %d held by order allocations, %d on order lines for %d orders; the first three must agree",
					item, alloc, held, sold, orders)
			}
		}
	})
}

// randomHex is a short random string for unique keys.
func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
