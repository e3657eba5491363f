package rest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/dbtest"
)

// holdLock holds, from another connection (as another process would), the
// lock that stmt takes (nothing on SQLite: its write transaction is the
// database's one write lock), until the returned release is called.
func holdLock(t *testing.T, d *db.DB, stmt string) (release func()) {
	t.Helper()
	other := dbtest.Reopen(t, d)
	held, done := make(chan error, 1), make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		err := other.Tx(context.Background(), func(tx *db.Tx) error {
			if stmt != "" {
				if _, err := tx.ExecContext(context.Background(), stmt); err != nil {
					return err
				}
			}
			held <- nil
			<-done
			return nil
		})
		if err != nil {
			held <- err
		}
	}()
	if err := <-held; err != nil {
		t.Fatalf("hold the lock: %v", err)
	}
	var once bool
	release = func() {
		if !once {
			once = true
			close(done)
			<-finished
		}
	}
	t.Cleanup(release)
	return release
}

// TestPaymentWithoutTheDatabaseAnswers503AndLeavesNothingBehind: while
// another connection holds the lock a payment needs (SQLite's write lock;
// on PostgreSQL the orders table, so that the stock is reserved and only
// the order cannot be written), POST /payment answers 503 with Retry-After,
// never 500, and leaves no reservation, no allocated stock, no order and
// no selection stuck in payment. Once the lock is gone the same payment
// succeeds.
func TestPaymentWithoutTheDatabaseAnswers503AndLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		d.SetLockWait(500 * time.Millisecond)
		a := startAPI(t, d)
		item := onlyStock(t, a, 5)
		size := sizeOf(t, item)
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/"+item, nil)
		b.must(http.StatusOK, "PUT", "/address", map[string]any{"address": shopper})

		stmt := ""
		if d.Engine() == db.Postgres {
			stmt = "LOCK TABLE orders IN EXCLUSIVE MODE"
		}
		release := holdLock(t, d, stmt)
		began := time.Now()
		ans := b.do("POST", "/payment", map[string]any{"termsAndConditions": true})
		t.Logf("answered %d after %v with the lock held", ans.status, time.Since(began).Round(time.Millisecond))
		if ans.status != http.StatusServiceUnavailable || ans.header.Get("Retry-After") == "" || ans.str("errors", "database") == "" {
			t.Errorf("payment with the database locked answered %d, Retry-After %q: %s; want 503 with Retry-After and errors.database",
				ans.status, ans.header.Get("Retry-After"), ans.raw)
		}
		// Read while the lock is still held: nothing may wait for the
		// sweeper.
		for what, q := range map[string]string{
			"reservations":          `SELECT COUNT(*) FROM stock_reservation`,
			"allocated units":       `SELECT COALESCE(SUM(allocated), 0) FROM stock WHERE product_size_id = ` + size,
			"orders":                `SELECT COUNT(*) FROM orders`,
			"selections in payment": `SELECT COUNT(*) FROM selection WHERE status = 'PAYING'`,
		} {
			if n := dbtest.Int(t, d, q); n != 0 {
				t.Errorf("%d %s left behind by the failed payment", n, what)
			}
		}
		release()

		if ans := b.do("POST", "/payment", map[string]any{"termsAndConditions": true}); ans.status != http.StatusOK || ans.str("action") != "success" {
			t.Errorf("payment after the lock was released answered %d: %s", ans.status, ans.raw)
		}
	})
}
