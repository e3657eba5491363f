package gql_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/event"
	"seam/internal/gql/gqltest"
	"seam/internal/order"
	"seam/internal/retry"
	"seam/internal/seam"
	"seam/internal/webhook"
)

// hookCall is one POST an ERP's webhook receiver got, and how it answered.
type hookCall struct {
	status    int
	body      []byte
	signature string
}

// erpReceiver is an ERP's webhook endpoint that is down (503) for its
// first down calls and answers 200 after.
type erpReceiver struct {
	*httptest.Server
	down  int
	mu    sync.Mutex
	calls []hookCall
}

func newERPReceiver(t *testing.T, down int) *erpReceiver {
	rc := &erpReceiver{down: down}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		c := hookCall{status: http.StatusOK, body: b, signature: r.Header.Get("X-Centra-Signature")}
		if len(rc.calls) < rc.down {
			c.status = http.StatusServiceUnavailable
		}
		rc.calls = append(rc.calls, c)
		w.WriteHeader(c.status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *erpReceiver) received() []hookCall {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.calls)
}

// hookEvent is an event of a JSON-flavour webhook call.
type hookEvent struct {
	ID         int64          `json:"id"`
	ObjectType string         `json:"objectType"`
	ObjectID   string         `json:"objectId"`
	Action     string         `json:"action"`
	Actor      string         `json:"actor"`
	Payload    map[string]any `json:"payload"`
}

// signedBy reports whether an X-Centra-Signature header is the receiver's
// own HMAC-SHA256 of "<t>.<body>" under secret.
func signedBy(secret, header string, body []byte) bool {
	var ts, v1 string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = v
		}
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	return ts != "" && hmac.Equal([]byte(v1), []byte(hex.EncodeToString(mac.Sum(nil))))
}

// TestERPProcessesAnOrderEndToEnd is issue 7's acceptance scenario: an ERP
// polls the events feed, reads a new order, locks it, cancels a unit back
// to stock, confirms it, ships the rest with capture and tracking, takes
// two units back into another warehouse and undoes that return. Every
// step is in the feed in commit order, and a webhook receiver that was
// down for the first minutes gets each event the feed has, once, in
// order.
func TestERPProcessesAnOrderEndToEnd(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		erp := s.erp
		itemA, sizeA := s.item(0)
		itemB, sizeB := s.item(1)
		dbtest.Exec(t, d, `INSERT INTO warehouse (id, name, priority, hide_from_stock_view, threshold, stock_master, stock_ownership,
			allocation_policy, is_consignation) VALUES (77, 'Returns', 9, FALSE, 0, 'CENTRA', 'OWN', 'DIRECT', FALSE)`)

		// 1. Before any order: the ERP listens and subscribes a receiver
		// that is down for its first five calls.
		erp.MustOK(`mutation { setEventListeners(input: [{objectType: Order}, {objectType: Shipment}, {objectType: Return},
			{objectType: StockChange}]) { userErrors { message } } }`, nil)
		rc := newERPReceiver(t, 5)
		r := erp.MustOK(`mutation($url: String!) { createWebhookSubscription(input: {url: $url, flavour: JSON, objectTypes: ["Order", "Shipment", "Return"]}) {
			userErrors { message path } secret webhookSubscription { id cursor } } }`, map[string]any{"url": rc.URL + "/seam"})
		secret, _ := gqltest.Get(r.Data, "createWebhookSubscription", "secret").(string)
		startCursor := gqltest.ID(r.Data, "createWebhookSubscription", "webhookSubscription", "cursor")
		// The delivery worker runs on a clock that moves a minute per ERP
		// step; each failed call waits a minute longer than the last.
		now := db.Now().Add(time.Second)
		worker := &webhook.FeedWorker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: func() time.Time { return now },
			Backoff: func(attempt int) time.Duration { return time.Duration(attempt) * time.Minute }}}
		tick := func() {
			t.Helper()
			now = now.Add(time.Minute)
			if _, err := worker.DeliverDue(t.Context()); err != nil {
				t.Fatal(err)
			}
		}

		// 2. A shopper buys two of A and two of B; the ERP sees the new
		// order in its feed and reads it by the number the event names.
		number := s.buyLines(address("Anna", "Berg", "anna@example.com"), cartLine{itemA, 2}, cartLine{itemB, 2})
		tick()
		feed := pollFeed(t, erp, "")
		if len(feed) != 1 || feed[0].Type != "Order" || feed[0].Change != "CREATED" || feed[0].Ref != strconv.FormatInt(number, 10) {
			t.Fatalf("feed after the purchase: %+v, want Order CREATED with objectReference %d", feed, number)
		}
		hash := feed[0].ObjectID
		r = erp.MustOK(`query($id: String!) { order(id: $id) { id number status isLocked lines { id quantity } } }`, map[string]any{"id": feed[0].Ref})
		o := func(path ...any) any { return gqltest.Get(r.Data, append([]any{"order"}, path...)...) }
		if o("id") != hash || o("status") != "PENDING" || o("isLocked") != false || o("lines", 0, "quantity") != 2.0 || o("lines", 1, "quantity") != 2.0 {
			t.Fatalf("the new order: %s", r.Raw)
		}
		lineA, lineB := gqltest.ID(r.Data, "order", "lines", 0, "id"), gqltest.ID(r.Data, "order", "lines", 1, "id")
		if dbtest.Int(t, d, `SELECT product_size_id FROM order_line WHERE id = $1`, lineA) != sizeA ||
			dbtest.Int(t, d, `SELECT product_size_id FROM order_line WHERE id = $1`, lineB) != sizeB {
			t.Fatalf("order lines %d, %d are not of sizes %d, %d", lineA, lineB, sizeA, sizeB)
		}

		// 3. Locked, the order refuses the checkout's changes.
		r = erp.MustOK(`mutation($n: Int!) { setOrdersLock(input: {orders: [{number: $n}], isLocked: true}) { orders { isLocked } userErrors { message } } }`,
			map[string]any{"n": number})
		if gqltest.Get(r.Data, "setOrdersLock", "orders", 0, "isLocked") != true {
			t.Fatalf("setOrdersLock: %s", r.Raw)
		}
		orderID := dbtest.Int(t, d, `SELECT id FROM orders WHERE number = $1`, number)
		if _, err := order.Cancel(t.Context(), checkout.New(d, nil), seam.Actor{Name: event.ActorCheckout}, orderID, "shopper asked"); err == nil ||
			!strings.Contains(err.Error(), "locked") {
			t.Fatalf("cancelling the locked order from the checkout: %v, want a refusal naming the lock", err)
		}
		tick()

		// 4. One unit of B is cancelled back to the warehouse.
		freeB := s.free(sizeB)
		r = erp.MustOK(updateDTC, map[string]any{"order": map[string]any{"number": number}, "input": map[string]any{
			"cancelLines": []any{map[string]any{"line": map[string]any{"id": lineB}, "quantity": 1, "stockAction": "RELEASE_BACK_TO_WAREHOUSE"}}}})
		if msg := userErrorText(r, "updateDirectToConsumerOrder"); msg != "" || gqltest.Get(r.Data, "updateDirectToConsumerOrder", "order", "status") != "PENDING" {
			t.Fatalf("cancelling a unit: %s", r.Raw)
		}
		if got := s.free(sizeB); got != freeB+1 {
			t.Errorf("free stock of B after cancelling a unit: %d, want %d", got, freeB+1)
		}
		tick()

		// 5. Confirmed.
		r = erp.MustOK(`mutation($n: Int!) { confirmOrder(input: {order: {number: $n}}) { order { status } userErrors { message } } }`, map[string]any{"n": number})
		if gqltest.Get(r.Data, "confirmOrder", "order", "status") != "CONFIRMED" {
			t.Fatalf("confirmOrder: %s", r.Raw)
		}
		tick()

		// 6. The three units left ship in one captured shipment, completed
		// with a tracking number: the order is SHIPPED.
		r = erp.MustOK(`mutation($o: String!, $a: Int!, $b: Int!) { createShipment(input: {order: {id: $o}, isGoodToGo: true, capture: true,
			lines: [{orderLine: {id: $a}, quantity: 2}, {orderLine: {id: $b}, quantity: 1}]}) { userErrors { message path }
			shipment { id isCaptured isPaid grandTotal { value } lines { id quantity orderLine { id } }
				order { paymentHistory { entryType status value { value } } } } } }`, map[string]any{"o": hash, "a": lineA, "b": lineB})
		sh := func(path ...any) any {
			return gqltest.Get(r.Data, append([]any{"createShipment", "shipment"}, path...)...)
		}
		shipment := gqltest.ID(r.Data, "createShipment", "shipment", "id")
		worth := dbtest.Int(t, d, `SELECT grand_total_minor FROM shipment WHERE id = $1`, shipment)
		lines := dbtest.Int(t, d, `SELECT SUM(line_value_minor) FROM order_line WHERE order_id = $1`, orderID)
		shipping := dbtest.Int(t, d, `SELECT shipping_minor FROM orders WHERE id = $1`, orderID)
		history, _ := sh("order", "paymentHistory").([]any)
		var captures []any
		for _, e := range history {
			if gqltest.Get(e, "entryType") == "CAPTURE" {
				captures = append(captures, e)
			}
		}
		if sh("isCaptured") != true || sh("isPaid") != true || worth != lines+shipping || sh("grandTotal", "value") != float64(worth)/100 ||
			len(captures) != 1 || gqltest.Get(captures, 0, "status") != "SUCCESS" || gqltest.Get(captures, 0, "value", "value") != float64(worth)/100 {
			t.Fatalf("createShipment with capture of %d (lines %d + shipping %d): %s", worth, lines, shipping, r.Raw)
		}
		shipmentLineA := int64(0)
		for i := range sh("lines").([]any) {
			if gqltest.ID(r.Data, "createShipment", "shipment", "lines", i, "orderLine", "id") == lineA {
				shipmentLineA = gqltest.ID(r.Data, "createShipment", "shipment", "lines", i, "id")
			}
		}
		tick()
		r = erp.MustOK(`mutation($id: Int!) { completeShipment(id: $id, input: {shippedAt: "now", shipmentInfo: {carrier: "PostNord", trackingNumber: "PN-123"}}) {
			userErrors { message path } shipment { isShipped trackingNumber order { status } } } }`, map[string]any{"id": shipment})
		c := func(path ...any) any {
			return gqltest.Get(r.Data, append([]any{"completeShipment", "shipment"}, path...)...)
		}
		if c("isShipped") != true || c("trackingNumber") != "PN-123" || c("order", "status") != "SHIPPED" {
			t.Fatalf("completeShipment: %s", r.Raw)
		}
		tick()

		// 7. Two units of A come back into warehouse 77; the return is
		// completed, uncompleted and deleted, which takes them out again.
		before := s.physicalIn(77, sizeA)
		r = erp.MustOK(createReturnDoc, map[string]any{"shipment": shipment, "line": shipmentLineA, "q": 2,
			"policy": map[string]any{"sendItemsToDifferentWarehouse": map[string]any{"id": 77}}})
		ret := gqltest.ID(r.Data, "createReturn", "return", "id")
		if gqltest.Get(r.Data, "createReturn", "return", "warehouse", "id") != 77.0 || gqltest.Get(r.Data, "createReturn", "return", "status") != "IN_PROGRESS" {
			t.Fatalf("createReturn: %s", r.Raw)
		}
		if got := s.physicalIn(77, sizeA); got != before+2 {
			t.Errorf("warehouse 77 holds %d of A after the return, want %d", got, before+2)
		}
		tick()
		for _, step := range []struct{ mutation, doc, want string }{
			{"completeReturn", `mutation($id: Int!) { completeReturn(id: $id, input: {sendEmail: false}) { userErrors { message } return { status } } }`, "COMPLETED"},
			{"uncompleteReturn", `mutation($id: Int!) { uncompleteReturn(id: $id) { userErrors { message } return { status } } }`, "IN_PROGRESS"},
			{"deleteReturn", `mutation($id: Int!) { deleteReturn(id: $id) { userErrors { message } return { status } } }`, "IN_PROGRESS"},
		} {
			r = erp.MustOK(step.doc, map[string]any{"id": ret})
			if got := gqltest.Get(r.Data, step.mutation, "return", "status"); got != step.want {
				t.Fatalf("%s: %s, want status %s", step.mutation, r.Raw, step.want)
			}
			tick()
		}
		if got := s.physicalIn(77, sizeA); got != before {
			t.Errorf("warehouse 77 holds %d of A after the return was deleted, want %d as before it", got, before)
		}

		// 8. The feed holds every step, in commit order, until confirmed.
		o1, sh1, re1 := hash, strconv.FormatInt(shipment, 10), strconv.FormatInt(ret, 10)
		steps := []struct {
			step, objectType, change, objectID, actor string
			// payload is what the webhook's copy of the event carries
			// (among other fields).
			payload map[string]any
		}{
			{"bought", "Order", "CREATED", o1, "checkout", map[string]any{"number": number, "status": "PENDING"}},
			{"locked", "Order", "UPDATED", o1, "erp", map[string]any{"number": number, "isLocked": true}},
			{"a unit cancelled", "Order", "UPDATED", o1, "erp", map[string]any{"cancelledLines": 1, "status": "PENDING"}},
			{"confirmed", "Order", "UPDATED", o1, "erp", map[string]any{"number": number, "status": "CONFIRMED"}},
			{"first shipment", "Order", "UPDATED", o1, "erp", map[string]any{"number": number, "status": "PROCESSING"}},
			{"shipment created", "Shipment", "CREATED", sh1, "erp", map[string]any{"order": o1, "isPaid": false, "isShipped": false}},
			{"shipment captured", "Shipment", "UPDATED", sh1, "erp", map[string]any{"order": o1, "isPaid": true, "isShipped": false}},
			{"shipment shipped", "Shipment", "COMPLETED", sh1, "erp", map[string]any{"order": o1, "isPaid": true, "isShipped": true}},
			{"order shipped", "Order", "COMPLETED", o1, "erp", map[string]any{"number": number, "status": "SHIPPED"}},
			{"return created", "Return", "CREATED", re1, "erp", map[string]any{"shipment": shipment, "status": "IN_PROGRESS"}},
			{"return completed", "Return", "COMPLETED", re1, "erp", map[string]any{"shipment": shipment, "status": "COMPLETED"}},
			{"return uncompleted", "Return", "UPDATED", re1, "erp", map[string]any{"shipment": shipment, "status": "IN_PROGRESS"}},
			{"return deleted", "Return", "DELETED", re1, "erp", map[string]any{"shipment": shipment}},
		}
		var want []string
		for _, st := range steps {
			want = append(want, st.objectType+" "+st.change+" "+st.objectID)
		}
		feed = pollFeed(t, erp, "(limit: 1000)")
		var got, stockChanges []string
		for _, e := range feed {
			if e.Type == "StockChange" {
				// Shipping and returning move stock: each records its
				// stock change, checked below.
				stockChanges = append(stockChanges, e.ObjectID)
				continue
			}
			got = append(got, e.Type+" "+e.Change+" "+e.ObjectID)
			if e.Type == "Order" && e.Ref != strconv.FormatInt(number, 10) {
				t.Errorf("event %d: objectReference %s, want the order number %d", e.ID, e.Ref, number)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("events feed (-want +got):\n%s", diff)
		}
		if len(stockChanges) != 3 {
			t.Errorf("StockChange events %v, want 3: the shipment, the return, the deleted return", stockChanges)
		} else if kinds := dbtest.String(t, d, `SELECT string_agg(kind, ',' ORDER BY id) FROM stock_change WHERE id IN (`+strings.Join(stockChanges, ",")+`)`); kinds != "SHIPMENT,RETURN,RETURN" {
			t.Errorf("the StockChange events are of stock changes %s, want SHIPMENT,RETURN,RETURN", kinds)
		}
		if !slices.IsSorted(ids(feed)) {
			t.Errorf("feed ids %v are not in commit order", ids(feed))
		}
		r = erp.MustOK(`mutation { confirmEvents(input: {eventsIds: `+idList(ids(feed))+`}) { events { id } userWarnings { message } } }`, nil)
		if n := len(gqltest.Get(r.Data, "confirmEvents", "events").([]any)); n != len(feed) {
			t.Errorf("confirmEvents confirmed %d of %d: %s", n, len(feed), r.Raw)
		}
		if left := pollFeed(t, erp, ""); len(left) != 0 {
			t.Errorf("feed after confirming everything: %+v", left)
		}

		// 9. The receiver came back after five refused calls and has every
		// event the subscription's filter passes, once each, in order.
		var calls []hookCall
		var bodies [][]hookEvent
		var delivered []hookEvent
		for i := 0; i < 30 && len(delivered) < len(steps); i++ {
			tick()
			calls, bodies, delivered = rc.received(), nil, nil
			for _, call := range calls {
				var b struct {
					Events []hookEvent `json:"events"`
				}
				if err := json.Unmarshal(call.body, &b); err != nil || len(b.Events) == 0 {
					t.Fatalf("webhook body %q: %v", call.body, err)
				}
				bodies = append(bodies, b.Events)
				if call.status == http.StatusOK {
					delivered = append(delivered, b.Events...)
				}
			}
		}
		if len(calls) <= 5 || calls[4].status != http.StatusServiceUnavailable || calls[5].status != http.StatusOK {
			t.Fatalf("receiver got %d calls, want 5 refused and then accepted ones", len(calls))
		}
		for i, call := range calls {
			if !signedBy(secret, call.signature, call.body) {
				t.Errorf("webhook call %d: X-Centra-Signature %q does not verify with the subscription's secret", i+1, call.signature)
			}
			if i < 5 && bodies[i][0].ID != feed[0].ID {
				t.Errorf("refused call %d starts at event %d, not at the order's CREATED event %d", i+1, bodies[i][0].ID, feed[0].ID)
			}
		}
		wantIDs := int64s(t, d, `SELECT id FROM event WHERE object_type IN ('Order', 'Shipment', 'Return') AND id > $1 ORDER BY id`, startCursor)
		var gotIDs []int64
		got = nil
		for _, e := range delivered {
			gotIDs = append(gotIDs, e.ID)
			got = append(got, e.ObjectType+" "+e.Action+" "+e.ObjectID)
		}
		if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
			t.Errorf("event ids the receiver accepted (-events table +received):\n%s", diff)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("events the receiver accepted (-feed +received):\n%s", diff)
		}
		for i, st := range steps {
			e := delivered[i]
			if e.Actor != st.actor {
				t.Errorf("%s: actor %q, want %q", st.step, e.Actor, st.actor)
			}
			for k, v := range st.payload {
				if fmt.Sprint(e.Payload[k]) != fmt.Sprint(v) {
					t.Errorf("%s: payload %s = %v, want %v (payload %v)", st.step, k, e.Payload[k], v, e.Payload)
				}
			}
		}
	})
}

// physicalIn is the physical stock of a product size in a warehouse.
func (s *liveShop) physicalIn(warehouseID, sizeID int64) int64 {
	s.t.Helper()
	return dbtest.Int(s.t, s.d, `SELECT COALESCE(SUM(physical), 0) FROM stock WHERE warehouse_id = $1 AND product_size_id = $2`, warehouseID, sizeID)
}

// int64s runs a query of one integer column.
func int64s(t *testing.T, d *db.DB, query string, args ...any) []int64 {
	t.Helper()
	rows, err := d.Read().QueryContext(t.Context(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
