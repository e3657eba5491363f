package gql_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

// TestConcurrentStockChangesAllCount sends 200 changeStock mutations for one
// size at once over HTTP, adding and removing, and checks that the final
// stock is the exact sum: no update is lost.
func TestConcurrentStockChangesAllCount(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		// Product size 100 is size S of variant 2; start with 10,000 in
		// warehouse 1 so that every removal can be covered.
		dbtest.Exec(t, d, `INSERT INTO stock (warehouse_id, product_size_id, physical, allocated) VALUES (1, 100, 10000, 0)`)
		c := gqltest.New(t, d, "erp")
		c.HTTP.Transport.(*http.Transport).MaxIdleConnsPerHost = 200
		const workers = 200
		want := int64(10000)
		var wg sync.WaitGroup
		failures := make(chan string, workers)
		for i := range workers {
			n := i%7 + 1
			direction := "intoWarehouse"
			if i%3 == 0 {
				n, direction = i%5+1, "outFromWarehouse"
				want -= int64(n)
			} else {
				want += int64(n)
			}
			query := fmt.Sprintf(`mutation { changeStock(input: {%s: {id: 1}, description: "race %d",
				productVariants: [{productVariant: {id: 2}, sizeChanges: [{size: {name: "S"}, deliveredQuantity: %d}]}]}) {
				stockChange { id } userErrors { message } } }`, direction, i, n)
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := c.Do(query, nil)
				if r.Status != http.StatusOK || len(r.Errors) > 0 || len(r.UserErrors("changeStock")) > 0 {
					failures <- fmt.Sprintf("status %d: %s", r.Status, r.Raw)
				}
			}()
		}
		wg.Wait()
		close(failures)
		for f := range failures {
			t.Error(f)
		}
		if got := dbtest.Int(t, d, `SELECT physical FROM stock WHERE warehouse_id = 1 AND product_size_id = 100`); got != want {
			t.Errorf("physical stock %d; want %d", got, want)
		}
		if got := dbtest.Int(t, d, `SELECT COALESCE(SUM(quantity), 0) FROM stock_change_line WHERE warehouse_id = 1 AND product_size_id = 100`); got != want-10000 {
			t.Errorf("recorded changes sum to %d; want %d", got, want-10000)
		}
		if got := dbtest.Int(t, d, `SELECT COUNT(*) FROM stock_change`); got != workers {
			t.Errorf("%d stock changes recorded; want %d", got, workers)
		}
	})
}
