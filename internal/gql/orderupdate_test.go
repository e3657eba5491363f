package gql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"seam/internal/auth"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/event"
	"seam/internal/gql/gqltest"
	"seam/internal/order"
	"seam/internal/seam"
)

const updateDTC = `mutation($order: OrderInput!, $input: DirectToConsumerOrderUpdateInput!) {
  updateDirectToConsumerOrder(order: $order, input: $input) {
    order { number status lines { id quantity cancelledQuantity comment unitPrice { value } lineValue { value } allocations { quantity } }
      totals { grandTotal { value } } }
    userErrors { message path }
    userWarnings { message path }
  }
}`

// orderLine reads the first line of an order: its id, display, unit price
// in major units and quantity.
func orderLine(t *testing.T, d *db.DB, number int64) (id, display int64, price float64, quantity int64) {
	t.Helper()
	id = dbtest.Int(t, d, `SELECT l.id FROM order_line l JOIN orders o ON o.id = l.order_id WHERE o.number = $1 ORDER BY l.position LIMIT 1`, number)
	display = dbtest.Int(t, d, `SELECT dv.display_id FROM display_variant dv JOIN order_line l ON l.display_variant_id = dv.id WHERE l.id = $1`, id)
	price = float64(dbtest.Int(t, d, `SELECT unit_price_minor FROM order_line WHERE id = $1`, id)) / 100
	quantity = dbtest.Int(t, d, `SELECT quantity FROM order_line WHERE id = $1`, id)
	return id, display, price, quantity
}

func userErrorText(r gqltest.Result, mutation string) string {
	var msgs []string
	for _, e := range r.UserErrors(mutation) {
		msgs = append(msgs, fmt.Sprint(e["message"]))
	}
	return strings.Join(msgs, " | ")
}

// TestLockedOrderRefusesChangesFromOutsideTheIntegrationAPI locks an order
// and tries to cancel it as the checkout would (refused, nothing changes),
// then cancels every line through the Integration API, which cancels the
// order and gives its stock back.
func TestLockedOrderRefusesChangesFromOutsideTheIntegrationAPI(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		item, size := s.item(0)
		free := s.free(size)
		number := s.buy(item, 3, address("Anna", "Berg", "anna@example.com"))
		s.erp.MustOK(`mutation($n: Int!) { setOrdersLock(input: {orders: [{number: $n}], isLocked: true}) { orders { isLocked } userErrors { message } } }`,
			map[string]any{"n": number})
		id := dbtest.Int(t, d, `SELECT id FROM orders WHERE number = $1`, number)
		svc := checkout.New(d, nil)
		_, err := order.Cancel(context.Background(), svc, seam.Actor{Name: event.ActorCheckout}, id, "shopper asked")
		if err == nil || !strings.Contains(err.Error(), "locked") {
			t.Fatalf("cancelling a locked order from the checkout: %v, want a refusal naming the lock", err)
		}
		if st := dbtest.String(t, d, `SELECT status FROM orders WHERE id = $1`, id); st != "PENDING" || s.free(size) != free-3 {
			t.Fatalf("after the refusal: status %s, free %d; want PENDING and %d", st, s.free(size), free-3)
		}
		line, _, _, _ := orderLine(t, d, number)
		r := s.erp.MustOK(updateDTC, map[string]any{"order": map[string]any{"number": number}, "input": map[string]any{
			"cancelLines": []any{map[string]any{"line": map[string]any{"id": line}, "quantity": 3, "stockAction": "RELEASE_BACK_TO_WAREHOUSE"}}}})
		if st := gqltest.Get(r.Data, "updateDirectToConsumerOrder", "order", "status"); st != "CANCELLED" {
			t.Errorf("cancelling every unit: status %v, want CANCELLED", st)
		}
		if got := s.free(size); got != free {
			t.Errorf("free to allocate after the cancel: %d, want %d", got, free)
		}
		r = s.erp.MustOK(`query($id: String!) { order(id: $id) { paymentHistory(where: {entryType: CANCEL}) { entryType value { value } }
			all: paymentHistory { entryType } } }`, map[string]any{"id": fmt.Sprint(number)})
		cancels, _ := gqltest.Get(r.Data, "order", "paymentHistory").([]any)
		all, _ := gqltest.Get(r.Data, "order", "all").([]any)
		if len(cancels) != 1 || gqltest.Get(cancels, 0, "entryType") != "CANCEL" || len(all) != 2 {
			t.Errorf("payment history: CANCEL entries %v of %v; want the authorization voided once", cancels, all)
		}
		// The wholesale mutation does not change a direct-to-consumer order.
		r = s.erp.Do(`mutation($n: Int!) { updateWholesaleOrder(order: {number: $n}, input: {isInternal: true}) { userErrors { message } } }`,
			map[string]any{"n": number})
		if msg := userErrorText(r, "updateWholesaleOrder"); !strings.Contains(msg, "change it with updateDirectToConsumerOrder") {
			t.Errorf("updateWholesaleOrder of a direct-to-consumer order: %q", msg)
		}
		// Unlocked, the checkout side may act again (and finds it cancelled).
		s.erp.MustOK(`mutation($n: Int!) { setOrdersLock(input: {orders: [{number: $n}], isLocked: false}) { userErrors { message } } }`, map[string]any{"n": number})
		if _, err := order.Cancel(context.Background(), svc, seam.Actor{Name: event.ActorCheckout}, id, "again"); err == nil || !strings.Contains(err.Error(), "cancelled already") {
			t.Errorf("cancelling the unlocked, cancelled order: %v", err)
		}
	})
}

// TestCancelLinesStockActions cancels units with each stock action and
// checks the stock and the refusals.
func TestCancelLinesStockActions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		cancel    map[string]any
		wantError string
		// freeDelta and physicalDelta are the stock changes of the size.
		freeDelta, physicalDelta int64
	}{
		{"old enum releases", map[string]any{"quantity": 2, "stockAction": "RELEASE_BACK_TO_WAREHOUSE"}, "", 2, 0},
		{"old enum removes", map[string]any{"quantity": 2, "stockAction": "REMOVE_FROM_WAREHOUSE"}, "", 0, -2},
		{"policy releases", map[string]any{"quantity": 1, "stockActionPolicy": map[string]any{"releaseBackToWarehouse": true}}, "", 1, 0},
		{"policy removes", map[string]any{"quantity": 1, "stockActionPolicy": map[string]any{"removeFromWarehouse": true}}, "", 0, -1},
		{"both forms", map[string]any{"quantity": 1, "stockAction": "RELEASE_BACK_TO_WAREHOUSE", "stockActionPolicy": map[string]any{"releaseBackToWarehouse": true}},
			"exactly one of stockAction and stockActionPolicy", 0, 0},
		{"neither form", map[string]any{"quantity": 1}, "exactly one of stockAction and stockActionPolicy", 0, 0},
		{"policy with two fields", map[string]any{"quantity": 1, "stockActionPolicy": map[string]any{"releaseBackToWarehouse": true, "removeFromWarehouse": true}},
			"Exactly one input field", 0, 0},
		{"more than left", map[string]any{"quantity": 5, "stockAction": "RELEASE_BACK_TO_WAREHOUSE"}, "has 3 unit(s) left", 0, 0},
		{"zero", map[string]any{"quantity": 0, "stockAction": "RELEASE_BACK_TO_WAREHOUSE"}, "at least 1", 0, 0},
		{"unknown line", map[string]any{"line": map[string]any{"id": 999999}, "quantity": 1, "stockAction": "RELEASE_BACK_TO_WAREHOUSE"}, "no line with ID 999999", 0, 0},
	}
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		item, size := s.item(0)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				number := s.buy(item, 3, address("Anna", "Berg", "anna@example.com"))
				line, _, _, _ := orderLine(t, d, number)
				free, physical := s.free(size), dbtest.Int(t, d, `SELECT SUM(physical) FROM stock WHERE product_size_id = $1`, size)
				cancel := map[string]any{"line": map[string]any{"id": line}}
				for k, v := range c.cancel {
					cancel[k] = v
				}
				r := s.erp.Do(updateDTC, map[string]any{"order": map[string]any{"number": number},
					"input": map[string]any{"cancelLines": []any{cancel}}})
				if r.Status != http.StatusOK || len(r.Errors) > 0 {
					t.Fatalf("status %d, errors %v", r.Status, r.Errors)
				}
				msg := userErrorText(r, "updateDirectToConsumerOrder")
				if c.wantError == "" && msg != "" || !strings.Contains(msg, c.wantError) {
					t.Fatalf("userErrors %q, want %q", msg, c.wantError)
				}
				if got := s.free(size) - free; got != c.freeDelta {
					t.Errorf("free to allocate changed by %d, want %d", got, c.freeDelta)
				}
				if got := dbtest.Int(t, d, `SELECT SUM(physical) FROM stock WHERE product_size_id = $1`, size) - physical; got != c.physicalDelta {
					t.Errorf("physical stock changed by %d, want %d", got, c.physicalDelta)
				}
				cancelled := int64(0)
				if c.wantError == "" {
					cancelled = int64(c.cancel["quantity"].(int))
				}
				if got := s.allocated(number); got != 3-cancelled {
					t.Errorf("the order holds %d allocated, want %d", got, 3-cancelled)
				}
			})
		}
	})
}

// TestAddLinesMergeOnlyWhenEverythingMatches adds a unit to an order's line
// with the same display, size, unit price, comment and delivery window
// (merged), and with one of them different (a new line), as seed 003
// explains.
func TestAddLinesMergeOnlyWhenEverythingMatches(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(add map[string]any)
		// setup runs on the order's line before the add.
		setup  string
		merged bool
	}{
		{"all match", func(map[string]any) {}, "", true},
		{"other unit price", func(a map[string]any) { a["unitPrice"].(map[string]any)["value"] = 1.5 }, "", false},
		{"a comment", func(a map[string]any) { a["comment"] = "gift wrap" }, "", false},
		{"same comment", func(a map[string]any) { a["comment"] = "gift wrap" }, `UPDATE order_line SET comment = 'gift wrap' WHERE id = %d`, true},
		{"a delivery window", func(a map[string]any) { a["deliveryWindow"] = map[string]any{"id": 7} }, "", false},
		{"same delivery window", func(a map[string]any) { a["deliveryWindow"] = map[string]any{"id": 7} }, `UPDATE order_line SET delivery_window_id = 7 WHERE id = %d`, true},
		{"product renamed since", func(map[string]any) {}, `UPDATE order_line SET product_name = 'Old name' WHERE id = %d`, false},
	}
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		item, size := s.item(0)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				number := s.buy(item, 1, address("Anna", "Berg", "anna@example.com"))
				line, display, price, _ := orderLine(t, d, number)
				if c.setup != "" {
					dbtest.Exec(t, d, fmt.Sprintf(c.setup, line))
				}
				grand := dbtest.Int(t, d, `SELECT grand_total_minor FROM orders WHERE number = $1`, number)
				add := map[string]any{"display": map[string]any{"id": display}, "productSize": map[string]any{"id": size}, "quantity": 2,
					"unitPrice": map[string]any{"value": price, "currencyIsoCode": "SEK"}}
				c.change(add)
				r := s.erp.MustOK(updateDTC, map[string]any{"order": map[string]any{"number": number}, "input": map[string]any{"addLines": []any{add}}})
				lines, _ := gqltest.Get(r.Data, "updateDirectToConsumerOrder", "order", "lines").([]any)
				wantLines, wantFirst := 2, 1.0
				if c.merged {
					wantLines, wantFirst = 1, 3.0
				}
				if len(lines) != wantLines || gqltest.Get(lines, 0, "quantity") != wantFirst {
					t.Errorf("lines %v; want %d line(s), the first of %v", lines, wantLines, wantFirst)
				}
				unit := int64(add["unitPrice"].(map[string]any)["value"].(float64)*100 + 0.5)
				if got := dbtest.Int(t, d, `SELECT grand_total_minor FROM orders WHERE number = $1`, number); got != grand+2*unit {
					t.Errorf("grand total %d, want %d (+2 × %d)", got, grand+2*unit, unit)
				}
				if got := s.allocated(number); got != 3 {
					t.Errorf("%d allocated to the order, want 3", got)
				}
			})
		}
		// Refusals name the field.
		number := s.buy(item, 1, address("Anna", "Berg", "anna@example.com"))
		_, display, _, _ := orderLine(t, d, number)
		for _, c := range []struct {
			add  map[string]any
			want string
		}{
			{map[string]any{"display": map[string]any{"id": display}, "productSize": map[string]any{"id": size}, "quantity": 1,
				"unitPrice": map[string]any{"value": 10, "currencyIsoCode": "EUR"}}, "The order is in SEK"},
			{map[string]any{"display": map[string]any{"id": display}, "productSize": map[string]any{"id": size}, "quantity": 0,
				"unitPrice": map[string]any{"value": 10, "currencyIsoCode": "SEK"}}, "at least 1"},
			{map[string]any{"display": map[string]any{"id": 999999}, "productSize": map[string]any{"id": size}, "quantity": 1,
				"unitPrice": map[string]any{"value": 10, "currencyIsoCode": "SEK"}}, "Could not find Display"},
		} {
			r := s.erp.Do(updateDTC, map[string]any{"order": map[string]any{"number": number}, "input": map[string]any{"addLines": []any{c.add}}})
			if msg := userErrorText(r, "updateDirectToConsumerOrder"); !strings.Contains(msg, c.want) {
				t.Errorf("adding %v: userErrors %q, want %q", c.add, msg, c.want)
			}
		}
		if got := s.allocated(number); got != 1 {
			t.Errorf("refused adds allocated stock: %d, want 1", got)
		}
	})
}

// TestConfirmOrderMovesOnlyPendingOrders confirms an order, then refuses
// to confirm it again or to confirm a cancelled one, and finds autoconfirmed
// orders CONFIRMED from the start.
func TestConfirmOrderMovesOnlyPendingOrders(t *testing.T) {
	t.Parallel()
	const confirm = `mutation($o: OrderInput!) { confirmOrder(input: {order: $o}) { order { number status } userErrors { message path } } }`
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		item, _ := s.item(0)
		number := s.buy(item, 1, address("Anna", "Berg", "anna@example.com"))
		hash := dbtest.String(t, d, `SELECT hash FROM orders WHERE number = $1`, number)
		r := s.erp.MustOK(confirm, map[string]any{"o": map[string]any{"id": hash}})
		if gqltest.Get(r.Data, "confirmOrder", "order", "status") != "CONFIRMED" {
			t.Errorf("confirm: %s", r.Raw)
		}
		r = s.erp.Do(confirm, map[string]any{"o": map[string]any{"number": number}})
		if msg := userErrorText(r, "confirmOrder"); !strings.Contains(msg, "confirmed already") {
			t.Errorf("confirming twice: %q", msg)
		}
		cancelled := s.buy(item, 1, address("Anna", "Berg", "anna@example.com"))
		dbtest.Exec(t, d, fmt.Sprintf(`UPDATE orders SET status = 'CANCELLED' WHERE number = %d`, cancelled))
		r = s.erp.Do(confirm, map[string]any{"o": map[string]any{"number": cancelled}})
		if msg := userErrorText(r, "confirmOrder"); !strings.Contains(msg, "is CANCELLED: only PENDING orders can be confirmed") {
			t.Errorf("confirming a cancelled order: %q", msg)
		}
		storeID := dbtest.Int(t, d, `SELECT store_id FROM orders WHERE number = $1`, number)
		s.erp.MustOK(`mutation($id: Int!) { updateStore(id: $id, input: {autoconfirmOrders: true}) { userErrors { message } } }`, map[string]any{"id": storeID})
		r = s.erp.MustOK(`mutation($id: Int!) { updateStore(id: $id, input: {directToShipment: true}) { store { autoconfirmOrders directToShipment } } }`,
			map[string]any{"id": storeID})
		if gqltest.Get(r.Data, "updateStore", "store", "directToShipment") != true || gqltest.Get(r.Data, "updateStore", "store", "autoconfirmOrders") != true {
			t.Errorf("store settings: %s", r.Raw)
		}
		// Autoconfirmed and direct to shipment: the order is placed into
		// one good-to-go shipment of all its units at once.
		auto := s.buy(item, 2, address("Anna", "Berg", "anna@example.com"))
		if st := dbtest.String(t, d, `SELECT status FROM orders WHERE number = $1`, auto); st != "PROCESSING" {
			t.Errorf("an order of an autoconfirming, direct-to-shipment store is %s, want PROCESSING", st)
		}
		shipped := `SELECT COUNT(*) || ':' || COALESCE(SUM(l.quantity), 0) FROM shipment sh JOIN shipment_line l ON l.shipment_id = sh.id
			JOIN orders o ON o.id = sh.order_id WHERE o.number = $1 AND sh.is_good_to_go`
		if got := dbtest.String(t, d, shipped, auto); got != "1:2" {
			t.Errorf("shipments:units of the direct-to-shipment order = %s, want 1:2", got)
		}
		// Confirmed by the ERP: confirmOrder makes the shipment.
		s.erp.MustOK(`mutation($id: Int!) { updateStore(id: $id, input: {autoconfirmOrders: false}) { userErrors { message } } }`, map[string]any{"id": storeID})
		later := s.buy(item, 1, address("Anna", "Berg", "anna@example.com"))
		if got := dbtest.String(t, d, shipped, later); got != "0:0" {
			t.Errorf("a PENDING order got a shipment: %s", got)
		}
		r = s.erp.MustOK(confirm, map[string]any{"o": map[string]any{"number": later}})
		if gqltest.Get(r.Data, "confirmOrder", "order", "status") != "PROCESSING" || dbtest.String(t, d, shipped, later) != "1:1" {
			t.Errorf("confirming in a direct-to-shipment store: %s, shipments %s", r.Raw, dbtest.String(t, d, shipped, later))
		}
		for _, c := range []struct{ from, to string }{{"PENDING", "SHIPPED"}, {"SHIPPED", "PENDING"}, {"CANCELLED", "CONFIRMED"}, {"ARCHIVED", "SHIPPED"}} {
			if order.CanMove(c.from, c.to) {
				t.Errorf("an order may go from %s to %s", c.from, c.to)
			}
		}
	})
}

// TestOrderInputTakesExactlyOneIdentifier points at orders by id, number
// and externalId, and refuses none or two.
func TestOrderInputTakesExactlyOneIdentifier(t *testing.T) {
	t.Parallel()
	const lock = `mutation($o: OrderInput!) { setOrdersLock(input: {orders: [$o], isLocked: true}) { orders { number } userErrors { message path } } }`
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		item, _ := s.item(0)
		number := s.buy(item, 1, address("Anna", "Berg", "anna@example.com"))
		id := dbtest.Int(t, d, `SELECT id FROM orders WHERE number = $1`, number)
		hash := dbtest.String(t, d, `SELECT hash FROM orders WHERE number = $1`, number)
		dbtest.Exec(t, d, fmt.Sprintf(`INSERT INTO id_conversion (integration, object_type, external_id, internal_id) VALUES ('erp', 'Order', 'ERP-1', %d)`, id))
		for _, ref := range []map[string]any{{"id": hash}, {"number": number}, {"externalId": "ERP-1"}} {
			r := s.erp.MustOK(lock, map[string]any{"o": ref})
			if gqltest.Get(r.Data, "setOrdersLock", "orders", 0, "number") != float64(number) {
				t.Errorf("by %v: %s", ref, r.Raw)
			}
		}
		for _, c := range []struct {
			ref  map[string]any
			want string
		}{
			{map[string]any{}, "got 0"},
			{map[string]any{"id": hash, "number": number}, "got 2"},
			{map[string]any{"number": 999999}, "Could not find Order with number 999999"},
			{map[string]any{"externalId": "nope"}, `Could not find Order with external ID "nope"`},
		} {
			r := s.erp.Do(lock, map[string]any{"o": c.ref})
			if msg := userErrorText(r, "setOrdersLock"); !strings.Contains(msg, c.want) {
				t.Errorf("by %v: userErrors %q, want %q", c.ref, msg, c.want)
			}
		}
		// order(id:) takes any of the three as a string.
		for _, id := range []string{hash, fmt.Sprint(number), "ERP-1"} {
			r := s.erp.MustOK(`query($id: String!) { order(id: $id) { number } }`, map[string]any{"id": id})
			if gqltest.Get(r.Data, "order", "number") != float64(number) {
				t.Errorf("order(id: %q): %s", id, r.Raw)
			}
		}
	})
}

// TestOrderConnectionPagesByNumber walks three orders two at a time.
func TestOrderConnectionPagesByNumber(t *testing.T) {
	t.Parallel()
	const q = `query($after: String) { orderConnection(first: 2, after: $after) { totalCount
		pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { number } } } }`
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		item, _ := s.item(0)
		var numbers []any
		for range 3 {
			numbers = append(numbers, float64(s.buy(item, 1, address("Anna", "Berg", "anna@example.com"))))
		}
		r := s.erp.MustOK(q, nil)
		c := func(path ...any) any { return gqltest.Get(r.Data, append([]any{"orderConnection"}, path...)...) }
		if c("totalCount") != 3.0 || c("pageInfo", "hasNextPage") != true || c("pageInfo", "hasPreviousPage") != false ||
			c("edges", 0, "node", "number") != numbers[0] || c("edges", 1, "node", "number") != numbers[1] {
			t.Fatalf("first page: %s", r.Raw)
		}
		r = s.erp.MustOK(q, map[string]any{"after": c("pageInfo", "endCursor")})
		if c("totalCount") != 3.0 || c("pageInfo", "hasNextPage") != false || c("pageInfo", "hasPreviousPage") != true ||
			len(c("edges").([]any)) != 1 || c("edges", 0, "node", "number") != numbers[2] {
			t.Fatalf("second page: %s", r.Raw)
		}
		r = s.erp.Do(q, map[string]any{"after": "bm9wZQ=="})
		if len(r.Errors) == 0 {
			t.Errorf("a made-up cursor: %s", r.Raw)
		}

		// Newest first: after and before follow the sort.
		const desc = `query($after: String, $before: String, $first: Int, $last: Int) {
			orderConnection(first: $first, after: $after, last: $last, before: $before, sort: [number_DESC]) {
			totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { number } } } }`
		page := func(vars map[string]any) (got []any, info map[string]any) {
			t.Helper()
			r := s.erp.MustOK(desc, vars)
			for _, e := range gqltest.Get(r.Data, "orderConnection", "edges").([]any) {
				got = append(got, gqltest.Get(e, "node", "number"))
			}
			return got, gqltest.Get(r.Data, "orderConnection", "pageInfo").(map[string]any)
		}
		got, info := page(map[string]any{"first": 2})
		if !slices.Equal(got, []any{numbers[2], numbers[1]}) || info["hasNextPage"] != true || info["hasPreviousPage"] != false {
			t.Fatalf("newest first, first page: %v %v, want %v then more", got, info, []any{numbers[2], numbers[1]})
		}
		got, info = page(map[string]any{"first": 2, "after": info["endCursor"]})
		if !slices.Equal(got, []any{numbers[0]}) || info["hasNextPage"] != false || info["hasPreviousPage"] != true {
			t.Fatalf("newest first, after the first page: %v %v, want [%v]", got, info, numbers[0])
		}
		got, _ = page(map[string]any{"last": 1, "before": info["startCursor"]})
		if !slices.Equal(got, []any{numbers[1]}) {
			t.Fatalf("newest first, the one before the oldest: %v, want [%v]", got, numbers[1])
		}
		got, _ = page(map[string]any{"last": 2})
		if !slices.Equal(got, []any{numbers[1], numbers[0]}) {
			t.Fatalf("newest first, last 2: %v, want the two oldest, newer first", got)
		}
		r = s.erp.Do(`{ orderConnection(first: 1, sort: [orderDate_DESC]) { totalCount } }`, nil)
		if len(r.Errors) == 0 || !strings.Contains(string(r.Raw), "number_DESC") {
			t.Errorf("a sort orderConnection does not page by: %s", r.Raw)
		}
	})
}

// TestIdempotencyKeyReplaysAMutation sends the same mutation twice with
// one Idempotency-Key (one change, the first answer twice), then another
// body with that key (refused).
func TestIdempotencyKeyReplaysAMutation(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		item, _ := s.item(0)
		number := s.buy(item, 1, address("Anna", "Berg", "anna@example.com"))
		post := func(key, query string) gqltest.Result {
			body, _ := json.Marshal(map[string]any{"query": query})
			req, err := http.NewRequest(http.MethodPost, s.erp.URL+"/graphql", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+s.erp.Token)
			req.Header.Set("Idempotency-Key", key)
			return s.erp.Send(req)
		}
		confirm := fmt.Sprintf(`mutation { confirmOrder(input: {order: {number: %d}}) { order { status } userErrors { message } } }`, number)
		first := post("k-1", confirm)
		second := post("k-1", confirm)
		if first.Status != http.StatusOK || gqltest.Get(first.Data, "confirmOrder", "order", "status") != "CONFIRMED" {
			t.Fatalf("first: %s", first.Raw)
		}
		if !bytes.Equal(first.Raw, second.Raw) || second.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("the repeat answered %s (replayed %q), want the first answer again", second.Raw, second.Header.Get("Idempotent-Replayed"))
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = 'Order' AND action = 'UPDATED'`); n != 1 {
			t.Errorf("%d order changes, want 1", n)
		}
		other := post("k-1", strings.Replace(confirm, "status", "number status", 1))
		if other.Status != http.StatusUnprocessableEntity || !strings.Contains(string(other.Raw), "different request") {
			t.Errorf("another body with the key: %d %s", other.Status, other.Raw)
		}
		// Another token's key is its own.
		s.erp = s.erp.With(gqltest.NewToken(t, d, auth.NewToken{Name: "wms", All: true}))
		third := post("k-1", confirm)
		if third.Header.Get("Idempotent-Replayed") != "" || !strings.Contains(userErrorText(third, "confirmOrder"), "confirmed already") {
			t.Errorf("another token with the same key: %s", third.Raw)
		}
	})
}
