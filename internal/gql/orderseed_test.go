package gql_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

// orderInfo is the fragment seed 003's order updates spread without
// defining it: the fields their example answers show that Seam has.
const orderInfo = `
fragment orderInfo on Order {
  id number status isOnHold
  lines { id product { name } quantity taxPercent unitPrice { value currency { code } } hasAnyDiscount unitOriginalPrice { value currency { code } }
    lineValue { value currency { code } } }
  shippingAddress { ...orderAddress }
  billingAddress { ...orderAddress }
  customer { email firstName lastName }
}
fragment orderAddress on Address {
  firstName lastName address1 address2 city zipCode stateOrProvince phoneNumber email companyName vatNumber country { name } state { name }
}
`

// seedDoc reads a seed document and its example answer, if any.
func seedDoc(t *testing.T, name string) (string, []byte) {
	t.Helper()
	q, err := os.ReadFile("testdata/seed-orders/" + name + ".graphql")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/seed-orders/" + name + ".response.json")
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(q), want
}

// intersect keeps of two decoded JSON values only the object keys both
// have, so that an answer can be compared with the seed's where the seed's
// world and Seam's fields overlap. Lists are kept whole, item by item.
func intersect(a, b any) (any, any) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return a, b
		}
		outA, outB := map[string]any{}, map[string]any{}
		for k, v := range x {
			if w, ok := y[k]; ok {
				outA[k], outB[k] = intersect(v, w)
			}
		}
		return outA, outB
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return a, b
		}
		outA, outB := make([]any, len(x)), make([]any, len(y))
		for i := range x {
			outA[i], outB[i] = intersect(x[i], y[i])
		}
		return outA, outB
	}
	return a, b
}

// compareOverlap compares an answer with the seed's example where both
// have fields, ids and the keys in skip apart, and fails when they share
// fewer than min leaves.
func compareOverlap(t *testing.T, name string, seed []byte, got gqltest.Result, min int, skip ...string) {
	t.Helper()
	var want struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(seed, &want); err != nil {
		t.Fatal(err)
	}
	w, g := intersect(want.Data, any(got.Data))
	ignoreIDs := cmp.FilterPath(func(p cmp.Path) bool {
		mi, ok := p.Last().(cmp.MapIndex)
		return ok && (mi.Key().String() == "id" || slices.Contains(skip, mi.Key().String()))
	}, cmp.Ignore())
	if diff := cmp.Diff(w, g, ignoreIDs); diff != "" {
		t.Errorf("%s: answer differs from the seed's (-seed +seam):\n%s", name, diff)
	}
	if n := leaves(w); n < min {
		t.Errorf("%s: only %d fields compared with the seed's answer, want at least %d", name, n, min)
	}
}

func leaves(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := 0
		for _, e := range x {
			n += leaves(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += leaves(e)
		}
		return n
	}
	return 1
}

// TestSeedOrderProcessingDocumentsRunAsWritten places the seed's orders
// through the Checkout API (Jon Snow's number 14 with line 68 of ten Basic
// Jackets at 675 SEK, Pio Sym's 39514 and 39515, wholesale order 3957),
// runs the documents of "Order processing" from locking to confirming as
// written, and checks the answers against the seed's and the database
// after each.
func TestSeedOrderProcessingDocumentsRunAsWritten(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		// Customers 1–3 exist, so that Jon Snow is customer 4.
		dbtest.Exec(t, d, `INSERT INTO customer (id, store_id, email, created_at, updated_at)
			SELECT n.id, s.id, 'c' || n.id || '@example.com', '2024-01-01 00:00:00+00:00', '2024-01-01 00:00:00+00:00'
			FROM store s, (SELECT 1 AS id UNION SELECT 2 UNION SELECT 3) n WHERE s.name = 'Retail'`)
		jacket, jacketSize := s.item(0)
		s.renumber(s.buy(jacket, 10, address("Jon", "Snow", "jon.snow@example.com")), 14)
		line := dbtest.Int(t, d, `SELECT l.id FROM order_line l JOIN orders o ON o.id = l.order_id WHERE o.number = 14`)
		oldTax := dbtest.Int(t, d, `SELECT tax_minor FROM order_line WHERE id = $1`, line)
		dbtest.Exec(t, d,
			fmt.Sprintf(`INSERT INTO order_line (id, order_id, position, display_variant_id, product_id, product_variant_id, product_size_id,
				product_name, variant_name, size_name, sku, ean, quantity, unit_price_minor, unit_original_price_minor, discount_minor,
				line_value_minor, tax_percent, tax_minor) SELECT 68, order_id, position, display_variant_id, product_id, product_variant_id,
				product_size_id, 'Basic Jacket', variant_name, size_name, sku, ean, 10, 67500, 67500, 0, 675000, '25', 135000
				FROM order_line WHERE id = %d`, line),
			fmt.Sprintf(`UPDATE order_allocation SET order_line_id = 68 WHERE order_line_id = %d`, line),
			fmt.Sprintf(`DELETE FROM order_line WHERE id = %d`, line),
			fmt.Sprintf(`UPDATE orders SET items_total_minor = 675000, discount_minor = 0, tax_minor = tax_minor - %d + 135000,
				grand_total_minor = 675000 + shipping_minor WHERE number = 14`, oldTax),
			`UPDATE product SET name = 'Basic Jacket' WHERE id = (SELECT product_id FROM order_line WHERE id = 68)`)
		shirt, _ := s.item(1)
		s.renumber(s.buy(shirt, 1, address("Pio", "Sym", "pio@example.com")), 39514)
		s.renumber(s.buy(shirt, 1, address("Pio", "Sym", "pio@example.com")), 39515)
		wholesale := s.buy(shirt, 1, address("Ned", "Stark", "ned@example.com"))

		// Lock two orders.
		q, want := seedDoc(t, "lock_orders")
		r := s.erp.MustOK(q, nil)
		// The seed's orders are PROCESSING (they have shipments); these
		// are not.
		compareOverlap(t, "lock_orders", want, r, 6, "status")
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM orders WHERE number IN (39514, 39515) AND is_locked`); n != 2 {
			t.Errorf("%d of orders 39514 and 39515 are locked, want 2", n)
		}

		// Correct Jon's addresses and customer.
		q, want = seedDoc(t, "update_dtc_basic_fields")
		r = s.erp.MustOK(q+orderInfo, nil)
		compareOverlap(t, "update_dtc_basic_fields", want, r, 40)
		if n := dbtest.Int(t, d, `SELECT customer_id FROM orders WHERE number = 14`); n != 4 {
			t.Errorf("order 14 has customer %d, want 4", n)
		}

		// Cancel one jacket, back to the warehouse.
		freeBefore := s.free(jacketSize)
		q, want = seedDoc(t, "update_dtc_cancel")
		r = s.erp.MustOK(q+orderInfo, nil)
		compareOverlap(t, "update_dtc_cancel", want, r, 40)
		if got := s.free(jacketSize); got != freeBefore+1 {
			t.Errorf("free to allocate after cancelling one jacket: %d, want %d", got, freeBefore+1)
		}
		if got := s.allocated(14); got != 9 {
			t.Errorf("order 14 holds %d allocated, want 9", got)
		}
		for what, c := range map[string]struct {
			query string
			want  int64
		}{
			"line 68 cancelled 1":        {`SELECT cancelled_quantity FROM order_line WHERE id = 68`, 1},
			"line 68 tax of 6075 SEK":    {`SELECT tax_minor FROM order_line WHERE id = 68`, 121500},
			"order 14 items total":       {`SELECT items_total_minor FROM orders WHERE number = 14`, 607500},
			"comment kept":               {`SELECT COUNT(*) FROM orders WHERE number = 14 AND cancellation_comment = 'Some good reason'`, 1},
			"UPDATED events by erp":      {`SELECT COUNT(*) FROM event WHERE object_type = 'Order' AND action = 'UPDATED' AND actor = 'erp'`, 4},
			"CREATED events by checkout": {`SELECT COUNT(*) FROM event WHERE object_type = 'Order' AND action = 'CREATED' AND actor = 'checkout'`, 4},
		} {
			if got := dbtest.Int(t, d, c.query); got != c.want {
				t.Errorf("%s: %d, want %d", what, got, c.want)
			}
		}

		// Confirm it.
		q, want = seedDoc(t, "confirm_order")
		r = s.erp.MustOK(q, nil)
		compareWithSeed(t, "confirm_order", want, r)

		// Wholesale order 3957 gets a product at 110 SEK in tax group 2
		// (12 %), twice: the second time adds to the first line.
		dbtest.Exec(t, d, `INSERT INTO store (id, name, type) VALUES (2, 'Wholesale', 'WHOLESALE')`,
			`INSERT INTO tax_group (id, name) VALUES (2, 'Reduced')`,
			`INSERT INTO tax_rule (tax_group_id, country_id, rate) SELECT 2, id, '12' FROM country WHERE code = 'SE'`,
			`UPDATE display SET store_id = 2 WHERE id = 1`,
			`UPDATE stock SET physical = allocated + 50 WHERE product_size_id = 1`,
			fmt.Sprintf(`UPDATE orders SET store_id = 2, number = 3957 WHERE number = %d`, wholesale))
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM display_variant dv JOIN product_size ps ON ps.product_variant_id = dv.product_variant_id
			WHERE dv.display_id = 1 AND ps.id = 1`); n != 1 {
			t.Fatalf("the demo's display 1 does not show product size 1; the fixture needs another pair")
		}
		grand := dbtest.Int(t, d, `SELECT grand_total_minor FROM orders WHERE number = 3957`)
		free := s.free(1)
		q, _ = seedDoc(t, "update_wholesale_add_products")
		q += orderInfo
		for i := 1; i <= 2; i++ {
			r = s.erp.MustOK(q, nil)
			lines, _ := gqltest.Get(r.Data, "updateWholesaleOrder", "order", "lines").([]any)
			last := gqltest.Get(lines, len(lines)-1)
			if len(lines) != 2 || gqltest.Get(last, "quantity") != float64(i) || gqltest.Get(last, "unitPrice", "value") != 110.0 ||
				gqltest.Get(last, "taxPercent") != 12.0 {
				t.Errorf("after adding %d: lines %v", i, lines)
			}
			if got := s.free(1); got != free-int64(i) {
				t.Errorf("after adding %d: %d free, want %d", i, got, free-int64(i))
			}
		}
		for what, c := range map[string]struct {
			query string
			want  int64
		}{
			"grand total grew by 220 SEK": {`SELECT grand_total_minor FROM orders WHERE number = 3957`, grand + 22000},
			"tax of 220 SEK at 12 %":      {`SELECT tax_minor FROM order_line WHERE unit_price_minor = 11000`, 2357},
			"2 allocated to the new line": {`SELECT SUM(a.quantity) FROM order_allocation a JOIN order_line l ON l.id = a.order_line_id WHERE l.unit_price_minor = 11000`, 2},
		} {
			if got := dbtest.Int(t, d, c.query); got != c.want {
				t.Errorf("%s: %d, want %d", what, got, c.want)
			}
		}
	})
}
