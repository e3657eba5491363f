package gql_test

import (
	"fmt"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

const createReturnDoc = `mutation($shipment: Int!, $line: Int!, $q: Int!, $policy: ReturnStockActionPolicyInput!, $shipping: ReturnCostPolicyInput,
	$handling: ReturnCostPolicyInput, $voucher: ReturnCostPolicyInput) {
	createReturn(input: {shipment: {id: $shipment}, lines: [{shipmentLine: {id: $line}, quantity: $q}], returnStockActionPolicy: $policy,
		shippingCost: $shipping, handlingCost: $handling, voucherValue: $voucher}) {
		userErrors { message path } return { id status returnStockActionPolicy warehouse { id } shippingCost { value }
			lines { quantity lineValue { value } warehouse { id } shipmentLine { id returnedQuantity } } } } }`

// shipped ships quantity units of an order's first line and returns the
// shipment and its line.
func (s *shopAPI) shipped(o placed, quantity int) (shipment, line int64) {
	s.t.Helper()
	shipment = s.ship(o, map[int64]int{s.lineIDs(o)[0]: quantity}, `isGoodToGo: true, isPaid: true, shippedAt: "now"`)
	return shipment, dbtest.Int(s.t, s.d, `SELECT MIN(id) FROM shipment_line WHERE shipment_id = $1`, shipment)
}

// TestReturnToAnotherWarehouseRaisesItsStockUntilDeleted: two units sent
// to a named warehouse raise its physical stock by two and leave theirs
// alone; the return completes once, uncompletes, and deleting it takes
// the two units out again. Each step is in the events feed.
func TestReturnToAnotherWarehouseRaisesItsStockUntilDeleted(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startFulfilShop(t, d, nil)
		dbtest.Exec(t, d, `INSERT INTO warehouse (id, name, priority, hide_from_stock_view, threshold, stock_master, stock_ownership,
			allocation_policy, is_consignation) VALUES (77, 'Returns', 9, FALSE, 0, 'CENTRA', 'OWN', 'DIRECT', FALSE)`)
		item := s.items(1, 4)[0]
		o := s.buy(map[string]int{item: 3}, item)
		home := s.warehouseOf(item)
		shipment, line := s.shipped(o, 3)
		homeBefore := s.physical(home, item)

		r := s.gql.MustOK(createReturnDoc, map[string]any{"shipment": shipment, "line": line, "q": 2,
			"policy": map[string]any{"sendItemsToDifferentWarehouse": map[string]any{"id": 77}}})
		ret := func(path ...any) any { return gqltest.Get(r.Data, append([]any{"createReturn", "return"}, path...)...) }
		unitValue := dbtest.Int(t, d, `SELECT line_value_minor / quantity FROM order_line WHERE order_id = $1`, o.id)
		if ret("status") != "IN_PROGRESS" || ret("returnStockActionPolicy") != "sendItemsToDifferentWarehouse" || ret("warehouse", "id") != 77.0 ||
			ret("lines", 0, "quantity") != 2.0 || ret("lines", 0, "warehouse", "id") != 77.0 || ret("lines", 0, "shipmentLine", "returnedQuantity") != 2.0 ||
			ret("lines", 0, "lineValue", "value") != float64(2*unitValue)/100 {
			t.Errorf("createReturn: %s", r.Raw)
		}
		id := gqltest.ID(r.Data, "createReturn", "return", "id")
		if got := s.physical(77, item); got != 2 {
			t.Errorf("warehouse 77 holds %d after the return, want 2", got)
		}
		if got := s.physical(home, item); got != homeBefore {
			t.Errorf("the home warehouse went from %d to %d; the units went elsewhere", homeBefore, got)
		}
		r = s.gql.Do(createReturnDoc, map[string]any{"shipment": shipment, "line": line, "q": 2, "policy": map[string]any{"removeItemsFromStock": true}})
		if msg := userError(r, "createReturn"); !strings.Contains(msg, "1 of its 3 units not returned") {
			t.Errorf("returning more than is left: %s", r.Raw)
		}

		const complete = `mutation($id: Int!) { completeReturn(id: $id, input: {sendEmail: false}) { userErrors { message } return { status completedAt } } }`
		r = s.gql.MustOK(complete, map[string]any{"id": id})
		if gqltest.Get(r.Data, "completeReturn", "return", "status") != "COMPLETED" || gqltest.Get(r.Data, "completeReturn", "return", "completedAt") == nil {
			t.Errorf("completeReturn: %s", r.Raw)
		}
		r = s.gql.Do(complete, map[string]any{"id": id})
		if msg := userError(r, "completeReturn"); !strings.Contains(msg, "completed already") {
			t.Errorf("completing twice: %s", r.Raw)
		}
		const uncomplete = `mutation($id: Int!) { uncompleteReturn(id: $id) { userErrors { message } return { status } } }`
		r = s.gql.MustOK(uncomplete, map[string]any{"id": id})
		if gqltest.Get(r.Data, "uncompleteReturn", "return", "status") != "IN_PROGRESS" {
			t.Errorf("uncompleteReturn: %s", r.Raw)
		}
		r = s.gql.Do(uncomplete, map[string]any{"id": id})
		if msg := userError(r, "uncompleteReturn"); !strings.Contains(msg, "not completed") {
			t.Errorf("uncompleting an uncompleted return: %s", r.Raw)
		}

		r = s.gql.MustOK(`mutation($id: Int!) { deleteReturn(id: $id) { userErrors { message } return { id lines { quantity } } } }`, map[string]any{"id": id})
		if gqltest.ID(r.Data, "deleteReturn", "return", "id") != id || gqltest.Get(r.Data, "deleteReturn", "return", "lines", 0, "quantity") != 2.0 {
			t.Errorf("deleteReturn: %s", r.Raw)
		}
		if got := s.physical(77, item); got != 0 {
			t.Errorf("warehouse 77 holds %d after the return was deleted, want 0", got)
		}
		if n := dbtest.Int(t, d, `SELECT returned_quantity FROM shipment_line WHERE id = $1`, line); n != 0 {
			t.Errorf("shipment line counts %d returned after the return was deleted", n)
		}
		r = s.gql.MustOK(`{ returns { id } }`, nil)
		if l, _ := gqltest.Get(r.Data, "returns").([]any); len(l) != 0 {
			t.Errorf("returns after deleting the only one: %s", r.Raw)
		}
		for _, action := range []string{"CREATED", "COMPLETED", "UPDATED", "DELETED"} {
			if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = 'Return' AND action = $1 AND object_id = $2`, action, fmt.Sprint(id)); n != 1 {
				t.Errorf("Return %s events: %d, want 1", action, n)
			}
		}

		// Removed from stock: no warehouse gains anything.
		before := dbtest.Int(t, d, `SELECT SUM(physical) FROM stock`)
		s.gql.MustOK(createReturnDoc, map[string]any{"shipment": shipment, "line": line, "q": 1, "policy": map[string]any{"removeItemsFromStock": true}})
		if after := dbtest.Int(t, d, `SELECT SUM(physical) FROM stock`); after != before {
			t.Errorf("removeItemsFromStock changed stock from %d to %d", before, after)
		}
	})
}

// TestReturnCostsNeverExceedWhatIsLeftOnTheShipment: shipping, handling
// and voucher values given back are capped by what the shipment still
// carries, across returns; each breach is a userError naming the field,
// and nothing is returned.
func TestReturnCostsNeverExceedWhatIsLeftOnTheShipment(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startFulfilShop(t, d, nil)
		item := s.items(1, 4)[0]
		o := s.buy(map[string]int{item: 3}, item)
		shipment, line := s.shipped(o, 3)
		shipping := dbtest.Int(t, d, `SELECT shipping_minor FROM shipment WHERE id = $1`, shipment)
		if shipping == 0 {
			t.Fatal("the shipment carries no shipping")
		}
		sek := func(minor int64) map[string]any {
			return map[string]any{"value": map[string]any{"value": float64(minor) / 100, "currencyIsoCode": "SEK"}}
		}
		release := map[string]any{"releaseItemsBackToWarehouse": true}
		for _, tc := range []struct {
			name string
			vars map[string]any
			path string
			want string
		}{
			{"shipping above the shipment's", map[string]any{"shipping": sek(shipping + 1)}, "[input shippingCost value]", "left on the shipment"},
			{"handling the shipment has none of", map[string]any{"handling": sek(100)}, "[input handlingCost value]", "0.00 SEK left"},
			{"voucher value without discounts", map[string]any{"voucher": sek(1)}, "[input voucherValue value]", "0.00 SEK left"},
			{"another currency", map[string]any{"shipping": map[string]any{"value": map[string]any{"value": 1, "currencyIsoCode": "EUR"}}},
				"[input shippingCost value]", "not EUR"},
			{"value and fromShipment", map[string]any{"shipping": map[string]any{"value": sek(1)["value"], "fromShipment": true}},
				"[input shippingCost]", "one of them"},
			{"two policies", map[string]any{"policy": map[string]any{"releaseItemsBackToWarehouse": true, "removeItemsFromStock": true}},
				"[input returnStockActionPolicy]", "Choose one"},
		} {
			vars := map[string]any{"shipment": shipment, "line": line, "q": 1, "policy": release}
			for k, v := range tc.vars {
				vars[k] = v
			}
			r := s.gql.Do(createReturnDoc, vars)
			ue := r.UserErrors("createReturn")
			if len(ue) != 1 || fmt.Sprint(ue[0]["path"]) != tc.path || !strings.Contains(fmt.Sprint(ue[0]["message"]), tc.want) {
				t.Errorf("%s: %s; want a userError on %s with %q", tc.name, r.Raw, tc.path, tc.want)
			}
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM shipment_return`); n != 0 {
			t.Errorf("refused returns left %d returns", n)
		}
		// All the shipping back once; then none is left for a second return.
		s.gql.MustOK(createReturnDoc, map[string]any{"shipment": shipment, "line": line, "q": 1, "policy": release,
			"shipping": map[string]any{"fromShipment": true}})
		r := s.gql.Do(createReturnDoc, map[string]any{"shipment": shipment, "line": line, "q": 1, "policy": release, "shipping": sek(1)})
		if msg := userError(r, "createReturn"); !strings.Contains(msg, "0.00 SEK left") {
			t.Errorf("shipping given back twice: %s", r.Raw)
		}
		if got := dbtest.Int(t, d, `SELECT SUM(shipping_minor) FROM shipment_return`); got != shipping {
			t.Errorf("returns gave back %d of shipping, want %d", got, shipping)
		}
		// An unshipped shipment has nothing to return.
		o2 := s.buy(map[string]int{item: 1}, item)
		unshipped := s.ship(o2, map[int64]int{s.lineIDs(o2)[0]: 1}, "")
		l2 := dbtest.Int(t, d, `SELECT MIN(id) FROM shipment_line WHERE shipment_id = $1`, unshipped)
		r = s.gql.Do(createReturnDoc, map[string]any{"shipment": unshipped, "line": l2, "q": 1, "policy": release})
		if msg := userError(r, "createReturn"); !strings.Contains(msg, "not shipped yet") {
			t.Errorf("returning an unshipped shipment: %s", r.Raw)
		}
	})
}
