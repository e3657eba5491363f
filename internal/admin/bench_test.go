package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"seam/internal/admin"
	"seam/internal/adminuser"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/store"
)

// benchOrders is how many orders the benchmark's database holds.
const benchOrders = 10_000

// BenchmarkOrderPages renders the orders list and an order page with
// 10,000 orders in the database, signed in, on both engines, and reports
// p50 and p99 per page:
//
//	SEAM_TEST_POSTGRES=… go test ./internal/admin -run '^$' -bench OrderPages -benchtime 200x
func BenchmarkOrderPages(b *testing.B) {
	dbtest.EachBench(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		dbtest.Load(b, d, demoShop)
		now := db.Now()
		err := d.Tx(ctx, func(tx *db.Tx) error {
			for i := 1; i <= benchOrders; i++ {
				o := store.Order{Hash: fmt.Sprintf("%032x", i), Number: int64(i), StoreID: 1, MarketID: 1, PricelistID: 1, Currency: "SEK",
					PricesIncludeTax: true, Status: store.OrderConfirmed, Email: fmt.Sprintf("buyer%d@example.com", i), Language: "en",
					Address: `{"firstName":"Ann","lastName":"Lee"}`, ShippingAddress: "{}", ItemsTotal: 38900, Shipping: 4900, Tax: 8760,
					GrandTotal: 43800, CreatedAt: now.Add(-time.Duration(benchOrders-i) * time.Minute), UpdatedAt: now}
				if err := store.InsertOrder(ctx, tx, &o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := adminuser.Create(ctx, d, "bench", adminuser.NewUser{Email: adminEmail, Role: adminuser.Administrator, Password: password}); err != nil {
			b.Fatal(err)
		}
		s, err := adminuser.SignIn(ctx, d, adminEmail, password, "192.0.2.1", time.Now())
		if err != nil {
			b.Fatal(err)
		}
		h := admin.New(admin.Config{DB: d, Checkout: checkout.New(d, nil)})
		id := dbtest.Int(b, d, `SELECT id FROM orders WHERE number = $1`, benchOrders/2)
		for _, page := range []struct{ name, path string }{{"list", "/admin/orders"}, {"list-search", "/admin/orders?q=buyer77"},
			{"order", fmt.Sprintf("/admin/orders/%d", id)}} {
			b.Run(page.name, func(b *testing.B) {
				var took []time.Duration
				for b.Loop() {
					r := httptest.NewRequest("GET", page.path, nil)
					r.AddCookie(&http.Cookie{Name: "seam_admin", Value: s.Secret.Reveal()})
					w := httptest.NewRecorder()
					start := time.Now()
					h.ServeHTTP(w, r)
					took = append(took, time.Since(start))
					if w.Code != http.StatusOK {
						b.Fatalf("%s: %d %s", page.path, w.Code, w.Body.String())
					}
				}
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	})
}
