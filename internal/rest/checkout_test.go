package rest_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govalues/decimal"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/voucher"
)

// The demo's first product, size M: 389 SEK, 35.00 EUR, 38.99 USD, 5600 JPY.
const tee = "1-3"

func pay(address map[string]any) map[string]any {
	return map[string]any{"termsAndConditions": true, "address": address}
}

func addressIn(country, state string) map[string]any {
	a := map[string]any{"email": "ann@example.com", "firstName": "Ann", "lastName": "Lee", "address1": "1 Main St", "zipCode": "10001",
		"city": "Town", "country": country}
	if state != "" {
		a["state"] = state
	}
	return a
}

// TestTotalsToTheMinorUnit buys one demo tee in each demo country and checks
// the selection's and the order's totals: tax included (SE, DE, JP, whose
// yen have no decimals) or added on top (US, New York's rate), on the line
// and on shipping, rounded per line.
func TestTotalsToTheMinorUnit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, country, state, currency string
		items, shipping, total, tax    int64 // minor units
		grandTotal                     string
	}{
		{"/countries/SE", "SE", "", "SEK", 38900, 4900, 43800, 8760, "438 SEK"},
		{"/countries/DE", "DE", "", "EUR", 3500, 490, 3990, 637, "39.90 EUR"},
		{"/countries/US/states/NY", "US", "NY", "USD", 3899, 790, 5105, 416, "51.05 USD"},
		{"/countries/JP", "JP", "", "JPY", 5600, 800, 6400, 582, "6 400 JPY"},
	}
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		for _, tc := range tests {
			b := a.browser(t)
			b.must(http.StatusOK, "PUT", tc.path, nil)
			s := b.must(http.StatusOK, "POST", "/items/"+tee, nil)
			digits := 2
			if tc.currency == "JPY" {
				digits = 0
			}
			num := func(minor int64) float64 {
				f, _ := decimal.MustNew(minor, digits).Float64()
				return f
			}
			totals := map[string]int64{"itemsTotalPriceAsNumber": tc.items, "shippingPriceAsNumber": tc.shipping,
				"grandTotalPriceAsNumber": tc.total, "grandTotalPriceTaxAsNumber": tc.tax}
			for field, want := range totals {
				if got := s.get("selection", "totals", field); got != num(want) {
					t.Errorf("%s: selection %s = %v, want %v", tc.path, field, got, num(want))
				}
			}
			if got := s.str("selection", "totals", "grandTotalPrice"); got != tc.grandTotal {
				t.Errorf("%s: grandTotalPrice %q, want %q", tc.path, got, tc.grandTotal)
			}
			o := b.must(http.StatusOK, "POST", "/payment", pay(addressIn(tc.country, tc.state)))
			if got := o.get("order", "totals", "grandTotalPriceAsNumber"); got != num(tc.total) {
				t.Errorf("%s: order total %v, want %v", tc.path, got, num(tc.total))
			}
			hash := o.str("order", "id")
			row := dbtest.String(t, d, `SELECT currency || ' ' || items_total_minor || ' ' || shipping_minor || ' ' || grand_total_minor || ' ' || tax_minor
				FROM orders WHERE hash = '`+hash+`'`)
			want := strings.Join([]string{tc.currency, itoa(tc.items), itoa(tc.shipping), itoa(tc.total), itoa(tc.tax)}, " ")
			if row != want {
				t.Errorf("%s: stored order %q, want %q", tc.path, row, want)
			}
		}
	})
}

func itoa(n int64) string { return decimal.MustNew(n, 0).String() }

// makeVoucher creates an active CODE voucher of the demo store for 10 %
// off, changed by change.
func makeVoucher(t *testing.T, d *db.DB, code string, change func(*voucher.Input)) int64 {
	t.Helper()
	str := func(s string) *string { return &s }
	off := money.NumberOf(decimal.MustNew(10, 0))
	start, stop := time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	in := voucher.Input{Name: str(code), Status: str("ACTIVE"), StartAt: &start, StopAt: &stop, Method: str("CODE"), Code: &code,
		Type: str("DISCOUNT"), EntryPointStrategy: str("APPLY_ALL_THAT_APPLY"), Store: seam.ByID(1),
		Actions: []voucher.ActionInput{{Result: &voucher.ResultInput{SelectedProducts: &voucher.SelectedProductsInput{
			ApplyOn: str(voucher.ApplyOnOrder), Discount: &voucher.DiscountInput{PercentOff: &off}}}}}}
	if change != nil {
		change(&in)
	}
	v, err := voucher.Create(context.Background(), d, seam.Actor{Name: "t"}, in)
	if err != nil {
		t.Fatal(err)
	}
	return v.ID
}

// TestVoucherRefusalsSayWhy: a code that cannot be used is refused with the
// reason, and the selection keeps no voucher.
func TestVoucherRefusalsSayWhy(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		past, longAgo := time.Now().Add(-time.Hour), time.Now().Add(-48*time.Hour)
		future := time.Now().Add(time.Hour)
		makeVoucher(t, d, "EXPIRED", func(in *voucher.Input) { in.StartAt, in.StopAt = &longAgo, &past })
		makeVoucher(t, d, "EARLY", func(in *voucher.Input) { in.StartAt = &future; later := future.Add(time.Hour); in.StopAt = &later })
		makeVoucher(t, d, "INACTIVE", func(in *voucher.Input) { s := "INACTIVE"; in.Status = &s })
		makeVoucher(t, d, "GERMANY", func(in *voucher.Input) { in.AddMarkets = []seam.Ref{*seam.ByID(2)} })
		used := makeVoucher(t, d, "USEDUP", func(in *voucher.Input) { one := 1; in.MaxUsages = &one })
		dbtest.Exec(t, d, `UPDATE voucher SET usages = 1 WHERE id = `+itoa(used))
		tests := []struct{ code, why string }{
			{"expired", "has expired"},
			{"EARLY", "not valid yet"},
			{"INACTIVE", "not active"},
			{"GERMANY", "not valid in this market"},
			{"UsedUp", "used up"},
			{"NOSUCHCODE", "no voucher"},
		}
		b := a.browser(t)
		b.must(http.StatusOK, "PUT", "/countries/SE", nil)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		for _, tc := range tests {
			r := b.fails(http.StatusBadRequest, "voucher", "POST", "/vouchers", map[string]any{"voucher": tc.code})
			if msg := r.str("errors", "voucher"); !strings.Contains(msg, tc.why) {
				t.Errorf("voucher %s: %q, want it to say %q", tc.code, msg, tc.why)
			}
		}
		s := b.must(http.StatusOK, "GET", "/selection", nil)
		if n := len(s.list("selection", "discounts", "vouchers")); n != 0 {
			t.Errorf("refused vouchers left %d on the selection", n)
		}
		// The German voucher works in Germany.
		b.must(http.StatusOK, "PUT", "/countries/DE", nil)
		s = b.must(http.StatusOK, "POST", "/vouchers", map[string]any{"voucher": "germany"})
		if got := s.get("selection", "totals", "totalDiscountPriceAsNumber"); got != -3.5 {
			t.Errorf("10 %% off 35.00 EUR: discount %v, want -3.5", got)
		}
	})
}

// TestVoucherUsesAreCountedAtOrder: two shoppers pay with a voucher that has
// one use left. The first order uses it; the second payment is voided, its
// stock released, and paying again is refused until the voucher is removed.
func TestVoucherUsesAreCountedAtOrder(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		id := makeVoucher(t, d, "ONCE", func(in *voucher.Input) { one := 1; in.MaxUsages = &one })
		redirect := map[string]any{"termsAndConditions": true, "address": shopper, "paymentReturnPage": "https://shop.example/thanks",
			"paymentFailedPage": "https://shop.example/failed"}
		var shoppers []*client
		var fields []map[string]string
		for range 2 {
			b := a.browser(t)
			b.must(http.StatusOK, "POST", "/items/"+tee, nil)
			b.must(http.StatusOK, "POST", "/vouchers", map[string]any{"voucher": "once"})
			fields = append(fields, returnFields(t, b.must(http.StatusOK, "POST", "/payment", redirect)))
			shoppers = append(shoppers, b)
		}
		allocated := dbtest.Int(t, d, `SELECT allocated FROM stock WHERE product_size_id = 3`)
		first := shoppers[0].must(http.StatusOK, "POST", "/payment-result", map[string]any{"paymentMethodFields": fields[0]})
		if first.get("order", "totals", "totalDiscountPriceAsNumber") != -38.9 {
			t.Errorf("the first order's discount: %v, want -38.9", first.get("order", "totals"))
		}
		r := shoppers[1].fails(http.StatusConflict, "selection", "POST", "/payment-result", map[string]any{"paymentMethodFields": fields[1]})
		if !strings.Contains(r.str("errors", "selection"), "has been used up") {
			t.Errorf("second payment-result: %s", r.raw)
		}
		if got := dbtest.Int(t, d, `SELECT allocated FROM stock WHERE product_size_id = 3`); got != allocated-1 {
			t.Errorf("allocated %d after the voided payment, want %d (its reservation released)", got, allocated-1)
		}
		r = shoppers[1].fails(http.StatusBadRequest, "voucher", "POST", "/payment", redirect)
		if !strings.Contains(r.str("errors", "voucher"), "used up") {
			t.Errorf("paying again with the used-up voucher: %s", r.raw)
		}
		shoppers[1].must(http.StatusOK, "DELETE", "/vouchers/ONCE", nil)
		done := shoppers[1].must(http.StatusOK, "POST", "/payment", pay(shopper))
		if done.get("order", "totals", "grandTotalPriceAsNumber") != 438.0 {
			t.Errorf("paying without the voucher: %v", done.get("order", "totals"))
		}
		if n := dbtest.Int(t, d, `SELECT usages FROM voucher WHERE id = `+itoa(id)); n != 1 {
			t.Errorf("voucher usages %d, want 1", n)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM order_voucher`); n != 1 {
			t.Errorf("orders with the voucher: %d, want 1", n)
		}
	})
}

// TestVoucherMaxUsagesUnderRace: 30 shoppers with the voucher pay at once
// for a voucher with 5 uses: exactly 5 orders carry it. On SQLite the
// payments never overlap, so only the PostgreSQL half proves atomicity
// (TestVoucherUseHoldsOnItsOwn races the statement itself).
func TestVoucherMaxUsagesUnderRace(t *testing.T) {
	t.Parallel()
	const shoppers, uses = 30, 5
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		dbtest.Exec(t, d, `UPDATE stock SET physical = 1000 WHERE product_size_id = 3`)
		id := makeVoucher(t, d, "FIVE", func(in *voucher.Input) { n := uses; in.MaxUsages = &n })
		// A broken use count must show as too many orders, not as the
		// CHECK on usages answering 500.
		withoutChecks(t, d, "voucher")
		cs := make([]*client, shoppers)
		for i := range cs {
			cs[i] = a.browser(t)
			cs[i].must(http.StatusOK, "POST", "/items/"+tee, nil)
			cs[i].must(http.StatusOK, "POST", "/vouchers", map[string]any{"voucher": "FIVE"})
		}
		start := make(chan struct{})
		answers := make([]answer, shoppers)
		var wg sync.WaitGroup
		for i, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				answers[i] = c.do("POST", "/payment", pay(shopper))
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, r := range answers {
			switch r.status {
			case http.StatusOK:
				ok++
			case http.StatusBadRequest, http.StatusConflict:
				if !strings.Contains(string(r.raw), "used up") {
					t.Errorf("a refusal that does not say the voucher is used up: %s", r.raw)
				}
			default:
				t.Errorf("payment answered %d: %s", r.status, r.raw)
			}
		}
		if ok != uses {
			t.Errorf("%d payments went through, want %d", ok, uses)
		}
		if n := dbtest.Int(t, d, `SELECT usages FROM voucher WHERE id = `+itoa(id)); n != uses {
			t.Errorf("usages %d, want %d", n, uses)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM order_voucher WHERE voucher_id = `+itoa(id)); n != uses {
			t.Errorf("orders with the voucher %d, want %d", n, uses)
		}
	})
}

// TestUnpaidReservationsAreReleased: a reservation older than the
// reservation time is given back by the sweeper, and the late payment result
// makes no order.
func TestUnpaidReservationsAreReleased(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		var mu sync.Mutex
		now := time.Now()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		a := startAPIWith(t, d, func(s *checkout.Service) { s.Now, s.ReservationTTL = clock, 10*time.Minute })
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/"+tee+"/quantity/2", nil)
		before := dbtest.Int(t, d, `SELECT allocated FROM stock WHERE product_size_id = 3`)
		fields := returnFields(t, b.must(http.StatusOK, "POST", "/payment", map[string]any{"termsAndConditions": true, "address": shopper,
			"paymentReturnPage": "https://shop.example/thanks", "paymentFailedPage": "https://shop.example/failed"}))
		if got := dbtest.Int(t, d, `SELECT allocated FROM stock WHERE product_size_id = 3`); got != before+2 {
			t.Fatalf("allocated %d while paying, want %d", got, before+2)
		}
		ctx := context.Background()
		if n, err := a.svc.SweepReservations(ctx); err != nil || n != 0 {
			t.Errorf("sweep before the time: %d, %v; want 0", n, err)
		}
		mu.Lock()
		now = now.Add(11 * time.Minute)
		mu.Unlock()
		if n, err := a.svc.SweepReservations(ctx); err != nil || n != 1 {
			t.Errorf("sweep after the time: %d, %v; want 1", n, err)
		}
		if got := dbtest.Int(t, d, `SELECT allocated FROM stock WHERE product_size_id = 3`); got != before {
			t.Errorf("allocated %d after the sweep, want %d", got, before)
		}
		b.fails(http.StatusConflict, "selection", "POST", "/payment-result", map[string]any{"paymentMethodFields": fields})
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM orders`); n != 0 {
			t.Errorf("%d orders from an expired payment", n)
		}
		// The selection is open again and can be paid.
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		b.must(http.StatusOK, "POST", "/payment", pay(shopper))
	})
}

// TestAutoconfirmedOrders: with the store's autoconfirmOrders on, new
// orders are CONFIRMED; otherwise PENDING.
func TestAutoconfirmedOrders(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		for _, tc := range []struct {
			autoconfirm bool
			want        string
		}{{false, "Pending"}, {true, "Confirmed"}} {
			if tc.autoconfirm {
				dbtest.Exec(t, d, `UPDATE store SET autoconfirm_orders = TRUE`)
			}
			b := a.browser(t)
			b.must(http.StatusOK, "POST", "/items/"+tee, nil)
			o := b.must(http.StatusOK, "POST", "/payment", pay(shopper))
			if got := o.str("order", "statusDescription"); got != tc.want {
				t.Errorf("autoconfirm %v: order status %s, want %s", tc.autoconfirm, got, tc.want)
			}
		}
	})
}

// TestStockComesFromWarehousesInPriorityOrder: 2 units in each of two
// warehouses; 3 are taken 2 + 1 by priority, and the next shopper asking
// for 3 is told 1 is available.
func TestStockComesFromWarehousesInPriorityOrder(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		dbtest.Exec(t, d,
			`INSERT INTO warehouse (id, name, priority, hide_from_stock_view, threshold, stock_master, stock_ownership, allocation_policy, is_consignation)
				VALUES (50, 'Second', 0, FALSE, 0, 'CENTRA', 'OWN', 'DIRECT', FALSE)`,
			`UPDATE stock SET physical = 2, allocated = 0 WHERE product_size_id = 3`,
			`INSERT INTO stock (warehouse_id, product_size_id, physical, allocated) VALUES (50, 3, 2, 0)`)
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/"+tee+"/quantity/3", nil)
		b.must(http.StatusOK, "POST", "/payment", pay(shopper))
		if got := dbtest.Int(t, d, `SELECT allocated FROM stock WHERE product_size_id = 3 AND warehouse_id = 1`); got != 1 {
			t.Errorf("warehouse 1 (priority 1, second) allocated %d, want 1", got)
		}
		if got := dbtest.Int(t, d, `SELECT allocated FROM stock WHERE product_size_id = 3 AND warehouse_id = 50`); got != 2 {
			t.Errorf("warehouse 50 (priority 0, first) allocated %d, want 2", got)
		}
		c := a.browser(t)
		c.must(http.StatusOK, "POST", "/items/"+tee+"/quantity/3", nil)
		r := c.fails(http.StatusGone, "stock", "POST", "/payment", pay(shopper))
		if r.get("unavailable", 0, "available") != 1.0 || r.get("unavailable", 0, "unavailable") != 2.0 {
			t.Errorf("unavailable = %v, want 1 available and 2 unavailable", r.get("unavailable"))
		}
		if got := dbtest.Int(t, d, `SELECT SUM(allocated) FROM stock WHERE product_size_id = 3`); got != 3 {
			t.Errorf("allocated %d after the refusal, want 3: a refused payment takes nothing", got)
		}
	})
}

// TestPayingAgainTakesTheNewAddress: a shopper who pays again while a
// payment runs replaces it, with the new address, and stock is held once.
func TestPayingAgainTakesTheNewAddress(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		before := dbtest.Int(t, d, `SELECT allocated FROM stock WHERE product_size_id = 3`)
		redirect := map[string]any{"termsAndConditions": true, "address": shopper, "paymentReturnPage": "https://shop.example/thanks",
			"paymentFailedPage": "https://shop.example/failed"}
		returnFields(t, b.must(http.StatusOK, "POST", "/payment", redirect))
		malmo := addressIn("SE", "")
		malmo["city"] = "Malmö"
		o := b.must(http.StatusOK, "POST", "/payment", pay(malmo))
		if got := o.str("order", "address", "city"); got != "Malmö" {
			t.Errorf("order address city %q, want Malmö", got)
		}
		if got := dbtest.Int(t, d, `SELECT allocated FROM stock WHERE product_size_id = 3`); got != before+1 {
			t.Errorf("allocated %d, want %d", got, before+1)
		}
	})
}

// TestPaymentResultWithoutFieldsKeepsThePayment: an empty payment-result is
// a storefront bug, answered 400; the payment can still finish.
func TestPaymentResultWithoutFieldsKeepsThePayment(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		fields := returnFields(t, b.must(http.StatusOK, "POST", "/payment", map[string]any{"termsAndConditions": true, "address": shopper,
			"paymentReturnPage": "https://shop.example/thanks", "paymentFailedPage": "https://shop.example/failed"}))
		b.fails(http.StatusBadRequest, "paymentMethodFields", "POST", "/payment-result", map[string]any{"paymentMethodFields": map[string]any{}})
		b.fails(http.StatusBadRequest, "paymentMethodFields", "POST", "/payment-result", map[string]any{}, outside)
		b.must(http.StatusOK, "POST", "/payment-result", map[string]any{"paymentMethodFields": fields})
	})
}

// TestMoreRefusals covers what the contract walk does not: bad JSON, a
// negative skipFirst, a code with a percent sign in the path.
func TestMoreRefusals(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		makeVoucher(t, d, "AB%41CD", nil)
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		b.fails(http.StatusBadRequest, "body", "POST", "/vouchers", []byte(`{"voucher": `), outside)
		b.fails(http.StatusBadRequest, "body", "PUT", "/address", []byte(`[1, 2]`), outside)
		b.fails(http.StatusBadRequest, "skipFirst", "POST", "/products", map[string]any{"skipFirst": -1}, outside)
		b.fails(http.StatusBadRequest, "quantity", "POST", "/items/"+tee+"/quantity/-3", nil, outside)
		b.fails(http.StatusBadRequest, "quantity", "POST", "/items/"+tee+"/quantity/abc", nil, outside)
		b.must(http.StatusOK, "POST", "/vouchers", map[string]any{"voucher": "ab%41cd"})
		s := b.must(http.StatusOK, "DELETE", "/vouchers/AB%2541CD", nil)
		if n := len(s.list("selection", "discounts", "vouchers")); n != 0 {
			t.Errorf("DELETE /vouchers/AB%%2541CD left %d vouchers", n)
		}
	})
}
