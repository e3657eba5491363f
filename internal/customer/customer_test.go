package customer_test

import (
	"context"
	"sync"
	"testing"

	"seam/internal/customer"
	"seam/internal/db"
	"seam/internal/dbtest"
)

// TestGuestOrdersRacingForOneAddressMakeOneCustomer: 50 transactions at once
// ask for the unregistered customer of a new address (in varying case);
// all get the same one, which has one CREATED event.
func TestGuestOrdersRacingForOneAddressMakeOneCustomer(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dbtest.Exec(t, d, `INSERT INTO store (id, name, type) VALUES (1, 'Retail', 'DIRECT_TO_CONSUMER')`)
		const n = 50
		ids := make([]int64, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				email := "race@example.com"
				if i%2 == 1 {
					email = " Race@Example.COM "
				}
				errs[i] = d.Tx(context.Background(), func(tx *db.Tx) error {
					var err error
					ids[i], err = customer.Guest(context.Background(), tx, "checkout", 1, email, "Ra", "Ce")
					return err
				})
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("transaction %d: customer %d, %v; the first got %d", i, ids[i], errs[i], ids[0])
			}
		}
		if c := dbtest.Int(t, d, `SELECT COUNT(*) FROM customer`); c != 1 {
			t.Errorf("%d customers, want 1", c)
		}
		if e := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = 'Customer' AND action = 'CREATED'`); e != 1 {
			t.Errorf("%d CREATED events, want 1", e)
		}
		if e := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = 'Customer' AND action = 'UPDATED'`); e != 0 {
			t.Errorf("%d UPDATED events for names that did not change, want 0", e)
		}
	})
}
