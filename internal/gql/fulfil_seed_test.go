package gql_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

// seedDoc reads a document of seed 003's fulfilment sections.
func fulfilDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/seed-fulfil/" + name + ".graphql")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shipmentDetails is the fragment the seed defines with its createShipment
// document and spreads, undefined, in updateShipment and completeShipment.
func shipmentDetails(t *testing.T) string {
	doc := fulfilDoc(t, "02_create_shipment")
	return doc[strings.Index(doc, "fragment shipmentDetails"):]
}

// seedPermissions checks that a response used every permission the seed's
// example response lists.
func seedPermissions(t *testing.T, name string, r gqltest.Result) {
	t.Helper()
	b, err := os.ReadFile("testdata/seed-fulfil/" + name + ".response.json")
	if err != nil {
		t.Fatal(err)
	}
	var seed struct {
		Extensions struct {
			PermissionsUsed []string `json:"permissionsUsed"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal(b, &seed); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, p := range gqltest.Get(r.Extensions, "permissionsUsed").([]any) {
		used[p.(string)] = true
	}
	for _, p := range seed.Extensions.PermissionsUsed {
		if !used[p] {
			t.Errorf("%s: permissionsUsed %v lacks %s, which the seed lists", name, r.Extensions["permissionsUsed"], p)
		}
	}
}

// TestSeedShipmentAndReturnDocumentsRunAsWritten runs seed 003's
// "Shipment creation and capture" and "Returns" documents as written
// against orders placed through the Checkout API, whose orders, lines,
// shipments and returns are given the ids the documents name, and checks
// the answers and the state after each.
func TestSeedShipmentAndReturnDocumentsRunAsWritten(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startFulfilShop(t, d, nil)
		items := s.items(3, 6)
		x, y, z := items[0], items[1], items[2]
		schema := gqltest.Schema()
		run := func(name, query string) gqltest.Result {
			t.Helper()
			r := s.gql.MustOK(query, nil)
			missing, err := gqltest.MissingFields(schema, query, r.Data)
			if err != nil || len(missing) > 0 {
				t.Errorf("%s: response lacks fields %v (%v)", name, missing, err)
			}
			return r
		}
		get := func(r gqltest.Result, path ...any) any { return gqltest.Get(r.Data, path...) }

		// Order 39790: two of x (line 17635) and one of y.
		a := s.buy(map[string]int{x: 2, y: 1}, x, y)
		dbtest.Exec(t, d, `UPDATE orders SET number = 39790 WHERE hash = '`+a.hash+`'`)
		a.number = 39790
		aLines := s.lineIDs(a)
		s.renumberLine(aLines[0], 17635)
		unit := dbtest.Int(t, d, `SELECT unit_price_minor FROM order_line WHERE id = 17635`)
		shipping := dbtest.Int(t, d, `SELECT shipping_minor FROM orders WHERE id = $1`, a.id)
		if shipping == 0 {
			t.Fatal("order 39790 has no shipping to put on its first shipment")
		}

		r := run("createShipment", fulfilDoc(t, "02_create_shipment"))
		sh := func(path ...any) any { return get(r, append([]any{firstField(r.Data), "shipment"}, path...)...) }
		if sh("number") != "39790-1" || sh("isGoodToGo") != true || sh("isPaid") != false || sh("isShipped") != false || sh("paidAt") != nil ||
			sh("additionalMessage") != "Additional message" || sh("createdAt") != "2022-06-23T15:47:12+00:00" {
			t.Errorf("createShipment: %s", r.Raw)
		}
		if sh("lines", 0, "quantity") != 2.0 || sh("grandTotal", "value") != float64(2*unit+shipping)/100 || sh("numberOfPackages") != 0.0 ||
			sh("internalShippingCost", "value") != 0.0 || sh("carrierInformation") != nil || sh("shippingAddress", "country", "code") != "SE" ||
			sh("shippingAddress", "firstName") != "Pio" {
			t.Errorf("createShipment: lines, total (2 × %d + shipping %d), address: %s", unit, shipping, r.Raw)
		}
		seedPermissions(t, "02_create_shipment", r)
		s.renumber("shipment", gqltest.ID(r.Data, "createShipment", "shipment", "id"), 345)
		if st := dbtest.Int(t, d, `SELECT COUNT(*) FROM orders WHERE id = $1 AND status = 'PROCESSING'`, a.id); st != 1 {
			t.Errorf("order 39790 is not PROCESSING after its first shipment")
		}

		// Shipment 123 holds the order's y; capture it.
		s.renumber("shipment", s.ship(a, map[int64]int{aLines[1]: 1}, "isGoodToGo: true"), 123)
		r = run("captureShipment", fulfilDoc(t, "03_capture_shipment"))
		yUnit := dbtest.Int(t, d, `SELECT unit_price_minor FROM order_line WHERE id = $1`, aLines[1])
		if get(r, "captureShipment", "paymentHistoryEntry", "entryType") != "CAPTURE" || get(r, "captureShipment", "paymentHistoryEntry", "status") != "SUCCESS" ||
			get(r, "captureShipment", "paymentHistoryEntry", "value", "value") != float64(yUnit)/100 ||
			get(r, "captureShipment", "shipment", "isCaptured") != true || get(r, "captureShipment", "shipment", "capturedAt") == nil {
			t.Errorf("captureShipment of %d: %s", yUnit, r.Raw)
		}

		r = run("updateShipmentMarkPaid", fulfilDoc(t, "04_update_shipment_mark_paid")+shipmentDetails(t))
		if get(r, "updateShipment", "shipment", "isPaid") != true || get(r, "updateShipment", "shipment", "paidAt") != "2023-01-16T09:35:35+00:00" {
			t.Errorf("updateShipment: %s", r.Raw)
		}
		seedPermissions(t, "04_update_shipment_mark_paid", r)

		physical := s.physical(s.warehouseOf(x), x)
		r = run("completeShipment", fulfilDoc(t, "06_complete_shipment")+shipmentDetails(t))
		c := func(path ...any) any { return get(r, append([]any{"completeShipment", "shipment"}, path...)...) }
		if c("isShipped") != true || c("shippedAt") != "2023-01-09T14:18:33+00:00" || c("numberOfPackages") != 1.0 ||
			c("trackingNumber") != "1234trackingcode" || c("returnTrackingNumber") != "1234returncode" || c("internalShippingCost", "value") != 12.0 ||
			c("carrierInformation", "carrierName") != "Carrier name" || c("carrierInformation", "serviceName") != "Service name" {
			t.Errorf("completeShipment: %s", r.Raw)
		}
		seedPermissions(t, "06_complete_shipment", r)
		if got := s.physical(s.warehouseOf(x), x); got != physical-2 {
			t.Errorf("physical stock of x after shipping 2: %d, want %d", got, physical-2)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM mail_outbox WHERE kind = 'shipment_confirmation'`); n != 1 {
			t.Errorf("shipping confirmations queued: %d, want 1", n)
		}
		// Shipment 123 is paid but not shipped: the order waits for it.
		if st := dbtest.Int(t, d, `SELECT COUNT(*) FROM orders WHERE id = $1 AND status = 'PROCESSING'`, a.id); st != 1 {
			t.Errorf("order 39790 left PROCESSING before its last shipment was completed")
		}
		s.gql.MustOK(`mutation { completeShipment(id: 123, input: {shippedAt: "now"}) { userErrors { message } } }`, nil)
		if st := dbtest.Int(t, d, `SELECT COUNT(*) FROM orders WHERE id = $1 AND status = 'SHIPPED'`, a.id); st != 1 {
			t.Errorf("order 39790 is not SHIPPED after its last shipment was completed")
		}

		// Order 05ac…: one x (line 10) and one y; ship x with capture,
		// then capture the rest of the order.
		b := s.buy(map[string]int{x: 1, y: 1}, x, y)
		dbtest.Exec(t, d, `UPDATE orders SET hash = '05ac658a8e815571fdba2984eb358932' WHERE id = `+itoa(b.id))
		b.hash = "05ac658a8e815571fdba2984eb358932"
		bLines := s.lineIDs(b)
		s.renumberLine(bLines[0], 10)
		authorized := dbtest.Int(t, d, `SELECT value_minor FROM payment_history WHERE order_id = $1 AND entry_type = 'AUTHORIZATION'`, b.id)
		r = run("createShipmentWithCapturing", fulfilDoc(t, "05_create_shipment_with_capturing"))
		history, _ := get(r, "createShipment", "shipment", "order", "paymentHistory").([]any)
		if get(r, "createShipment", "shipment", "isCaptured") != true || len(history) != 2 ||
			gqltest.Get(history, 0, "entryType") != "CAPTURE_REQUEST" || gqltest.Get(history, 1, "entryType") != "CAPTURE" ||
			gqltest.Get(history, 1, "value", "value") != float64(unit+shipping)/100 {
			t.Errorf("createShipment with capture of %d: %s", unit+shipping, r.Raw)
		}
		r = run("captureOrder", strings.Replace(fulfilDoc(t, "01_capture_order"), "# number: 10 }) {", "# number: 10\n}) {", 1))
		if get(r, "captureOrder", "paymentHistoryEntry", "entryType") != "CAPTURE" || get(r, "captureOrder", "order", "id") != b.hash ||
			get(r, "captureOrder", "paymentHistoryEntry", "value", "value") != float64(authorized-unit-shipping)/100 {
			t.Errorf("captureOrder of the %d left: %s", authorized-unit-shipping, r.Raw)
		}
		if got := dbtest.Int(t, d, `SELECT SUM(value_minor) FROM payment_history WHERE order_id = $1 AND entry_type = 'CAPTURE' AND status = 'SUCCESS'`, b.id); got != authorized {
			t.Errorf("order 05ac… captured %d of %d authorized", got, authorized)
		}

		// Shipment 1338 (lines 2943, 2944) shipped two x and two z.
		cOrder := s.buy(map[string]int{x: 2, z: 2}, x, z)
		cLines := s.lineIDs(cOrder)
		shipment := s.ship(cOrder, map[int64]int{cLines[0]: 2, cLines[1]: 2}, `isGoodToGo: true, capture: true, shippedAt: "now"`)
		s.renumber("shipment", shipment, 1338)
		slIDs := []int64{dbtest.Int(t, d, `SELECT MIN(id) FROM shipment_line WHERE shipment_id = 1338`),
			dbtest.Int(t, d, `SELECT MAX(id) FROM shipment_line WHERE shipment_id = 1338`)}
		s.renumber("shipment_line", slIDs[0], 2943)
		s.renumber("shipment_line", slIDs[1], 2944)
		xBefore, zBefore := s.physical(s.warehouseOf(x), x), s.physical(s.warehouseOf(z), z)
		r = run("createreturn", fulfilDoc(t, "07_create_return"))
		if l, _ := get(r, "createReturn", "return", "lines").([]any); len(l) != 2 {
			t.Errorf("createReturn: %s", r.Raw)
		}
		if xa, za := s.physical(s.warehouseOf(x), x), s.physical(s.warehouseOf(z), z); xa != xBefore+2 || za != zBefore+2 {
			t.Errorf("released back to their warehouse: x %d → %d, z %d → %d; want +2 each", xBefore, xa, zBefore, za)
		}
		if got := dbtest.Int(t, d, `SELECT shipping_minor FROM shipment_return`); got != 1000 {
			t.Errorf("return shipping cost %d, want 1000", got)
		}
		s.renumber("shipment_return", gqltest.ID(r.Data, "createReturn", "return", "id"), 315)

		r = run("returns", fulfilDoc(t, "08_returns"))
		if get(r, "returns", 0, "id") != 315.0 || get(r, "returns", 0, "status") != "IN_PROGRESS" || get(r, "returns", 0, "lines", 1, "shipmentLine", "id") != 2944.0 {
			t.Errorf("returns: %s", r.Raw)
		}
		r = run("completereturn", fulfilDoc(t, "09_complete_return"))
		if get(r, "completeReturn", "return", "status") != "COMPLETED" {
			t.Errorf("completeReturn: %s", r.Raw)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM mail_outbox WHERE kind = 'return_confirmation'`); n != 1 {
			t.Errorf("return confirmations queued: %d, want 1", n)
		}
		again := s.gql.Do(fulfilDoc(t, "09_complete_return"), nil)
		if msg := userError(again, "completeReturn"); !strings.Contains(msg, "completed already") {
			t.Errorf("completing a completed return: %s", again.Raw)
		}
		r = run("uncompletereturn", fulfilDoc(t, "10_uncomplete_return"))
		if get(r, "uncompleteReturn", "return", "status") != "IN_PROGRESS" {
			t.Errorf("uncompleteReturn: %s", r.Raw)
		}
		s.renumber("shipment_return", 315, 436)
		r = run("deleteReturn", fulfilDoc(t, "11_delete_return"))
		if get(r, "deleteReturn", "return", "id") != 436.0 || len(get(r, "deleteReturn", "return", "lines").([]any)) != 2 {
			t.Errorf("deleteReturn: %s", r.Raw)
		}
		if xa, za := s.physical(s.warehouseOf(x), x), s.physical(s.warehouseOf(z), z); xa != xBefore || za != zBefore {
			t.Errorf("after deleting the return: x %d, z %d; want %d, %d as before it", xa, za, xBefore, zBefore)
		}
		if n := dbtest.Int(t, d, `SELECT SUM(returned_quantity) + SUM(returned_shipping_minor) FROM shipment_line JOIN shipment ON shipment.id = shipment_line.shipment_id WHERE shipment.id = 1338`); n != 0 {
			t.Errorf("shipment 1338 still counts %d returned after the return was deleted", n)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
