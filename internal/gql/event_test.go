package gql_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"seam/internal/auth"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/event"
	"seam/internal/gql/gqltest"
	"seam/internal/payment"
	"seam/internal/server"
)

// feedEvent is an event of the events query, as a test compares it.
type feedEvent struct {
	ID                 int64
	Type, Change, Ref  string
	ObjectID, Resolved string
}

// pollFeed asks for the client's queue with the given arguments
// ("(limit: 2)") and returns it.
func pollFeed(t *testing.T, c *gqltest.Client, args string) []feedEvent {
	t.Helper()
	r := c.MustOK(`{ events`+args+` { id objectType changeType objectReference objectId
		object { __typename ... on Product { name } ... on StockChange { id } ... on Selection { selectionId: id } } } }`, nil)
	var out []feedEvent
	for _, e := range r.Data["events"].([]any) {
		ev := feedEvent{ID: gqltest.ID(e, "id"), Type: gqltest.Get(e, "objectType").(string), Change: gqltest.Get(e, "changeType").(string),
			Ref: fmt.Sprint(gqltest.Get(e, "objectReference")), ObjectID: gqltest.Get(e, "objectId").(string)}
		if o, ok := gqltest.Get(e, "object").(map[string]any); ok {
			ev.Resolved = o["__typename"].(string)
			for _, k := range []string{"name", "id", "selectionId"} {
				if v, ok := o[k]; ok {
					ev.Resolved += " " + fmt.Sprint(v)
				}
			}
		}
		out = append(out, ev)
	}
	return out
}

// shape drops what a test cannot know in advance (ids) from events.
func shape(evs []feedEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type + " " + e.Change + " " + e.ObjectID + " (" + e.Resolved + ")"
	}
	return out
}

func ids(evs []feedEvent) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func idList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func TestEventsFeedShowsListenedChangesInCommitOrderUntilConfirmed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		erp := gqltest.New(t, d, "erp")
		wms := erp.With(gqltest.NewToken(t, d, auth.NewToken{Name: "wms", All: true}))
		erp2 := erp.With(gqltest.NewToken(t, d, auth.NewToken{Name: "erp", Permissions: []string{"Event:read", "Product:read", "StockChange:read"}}))

		// A change before anyone listens reaches no queue.
		erp.MustOK(`mutation { createProduct(input: {name: "Before", status: ACTIVE, productNumber: "B1"}) { userErrors { message } } }`, nil)

		r := erp.MustOK(`mutation { setEventListeners(input: [{objectType: Product}, {objectType: StockChange, changeTypes: [CREATED]},
			{objectType: ProductVariant, changeTypes: [UPDATED]}, {objectType: ProductVariant, changeTypes: [DELETED, UPDATED]}]) {
			userErrors { message } eventListeners { integrationName objectType changeTypes } } }`, nil)
		got, _ := json.Marshal(gqltest.Get(r.Data, "setEventListeners", "eventListeners"))
		want := `[{"changeTypes":["CREATED","UPDATED","COMPLETED","DELETED","DEPENDENT_DATA_CHANGED"],"integrationName":"erp","objectType":"Product"},` +
			`{"changeTypes":["CREATED"],"integrationName":"erp","objectType":"StockChange"},` +
			`{"changeTypes":["UPDATED","DELETED"],"integrationName":"erp","objectType":"ProductVariant"}]`
		if string(got) != want {
			t.Fatalf("setEventListeners:\n got %s\nwant %s", got, want)
		}
		wms.MustOK(`mutation { setEventListeners(input: [{objectType: Product}]) { userErrors { message } } }`, nil)

		r = erp.MustOK(`mutation { createProduct(input: {name: "Shirt", status: ACTIVE, productNumber: "S1"}) { product { id } } }`, nil)
		prod := gqltest.ID(r.Data, "createProduct", "product", "id")
		// A variant's creation is not listened for (only its updates are).
		erp.MustOK(fmt.Sprintf(`mutation { createProductVariant(input: {product: {id: %d}, name: "Blue", status: ACTIVE}) { userErrors { message } } }`, prod), nil)
		erp.MustOK(fmt.Sprintf(`mutation { updateProduct(id: %d, input: {name: "Shirt renamed"}) { userErrors { message } } }`, prod), nil)
		r = erp.MustOK(`mutation { changeStock(input: {intoWarehouse: {id: 1}, description: "delivery", productSizes: [{productSize: {id: 100}, deliveredQuantity: 5}]}) {
			userErrors { message } stockChange { id } } }`, nil)
		change := gqltest.ID(r.Data, "changeStock", "stockChange", "id")

		// Mutations that fail change nothing, so their events never show.
		for _, m := range []string{
			`createProduct(input: {name: "", status: ACTIVE, productNumber: "X"}) { userErrors { message } }`,
			fmt.Sprintf(`updateProduct(id: %d, input: {brand: {id: 999999}}) { userErrors { message } }`, prod),
			`changeStock(input: {outFromWarehouse: {id: 1}, description: "too much", productSizes: [{productSize: {id: 100}, deliveredQuantity: 500}]}) { userErrors { message } }`,
		} {
			r := erp.Do(`mutation { m: `+m+` }`, nil)
			if len(r.Errors) > 0 || len(r.UserErrors("m")) == 0 {
				t.Fatalf("%s succeeded", m)
			}
		}

		p, s := fmt.Sprint(prod), fmt.Sprint(change)
		wantFeed := []string{
			"Product CREATED " + p + " (Product Shirt renamed)",
			"Product UPDATED " + p + " (Product Shirt renamed)",
			"StockChange CREATED " + s + " (StockChange " + s + ")",
		}
		feed := pollFeed(t, erp, "")
		if diff := cmp.Diff(wantFeed, shape(feed)); diff != "" {
			t.Fatalf("erp's feed (-want +got):\n%s", diff)
		}
		if !slices.IsSorted(ids(feed)) || feed[0].Ref != p {
			t.Errorf("feed ids %v not ascending, or objectReference %s != product %s", ids(feed), feed[0].Ref, p)
		}
		// Polling again shows the same events; so does another token of the
		// same integration.
		if again := pollFeed(t, erp2, ""); !cmp.Equal(feed, again) {
			t.Errorf("second poll by another erp token: %v, want %v", again, feed)
		}
		if got := shape(pollFeed(t, erp, "(limit: 1)")); !cmp.Equal(got, wantFeed[:1]) {
			t.Errorf("limit 1: %v", got)
		}
		if got := shape(pollFeed(t, erp, "(where: {objectType: [StockChange]})")); !cmp.Equal(got, wantFeed[2:]) {
			t.Errorf("where StockChange: %v", got)
		}
		if got := shape(pollFeed(t, erp, "(where: {changeType: [UPDATED]})")); !cmp.Equal(got, wantFeed[1:2]) {
			t.Errorf("where UPDATED: %v", got)
		}
		for _, limit := range []int{0, -1, 1001} {
			r := erp.Do(fmt.Sprintf(`{ events(limit: %d) { id } }`, limit), nil)
			if len(r.Errors) == 0 || !strings.Contains(fmt.Sprint(r.Errors[0]["message"]), "limit") {
				t.Errorf("limit %d: errors %v", limit, r.Errors)
			}
		}

		// Confirming takes events out of this integration's queue only.
		r = erp.MustOK(`mutation { confirmEvents(input: {eventsIds: `+idList(ids(feed[:2]))+`}) { events { id objectType } userWarnings { message } } }`, nil)
		if got := gqltest.Get(r.Data, "confirmEvents", "events"); len(got.([]any)) != 2 || len(r.UserErrors("confirmEvents")) != 0 {
			t.Errorf("confirmEvents: %v", gqltest.Get(r.Data, "confirmEvents"))
		}
		if got := shape(pollFeed(t, erp, "")); !cmp.Equal(got, wantFeed[2:]) {
			t.Errorf("erp's feed after confirming: %v", got)
		}
		wmsFeed := []string{"Product CREATED " + p + " (Product Shirt renamed)", "Product UPDATED " + p + " (Product Shirt renamed)"}
		if got := shape(pollFeed(t, wms, "")); !cmp.Equal(got, wmsFeed) {
			t.Errorf("wms's feed: %v, want %v", got, wmsFeed)
		}
		// Confirming again changes nothing and says so.
		r = erp.MustOK(`mutation { confirmEvents(input: {eventsIds: `+idList(ids(feed[:1]))+`}) { events { id } userWarnings { message path } } }`, nil)
		if evs := gqltest.Get(r.Data, "confirmEvents", "events").([]any); len(evs) != 0 || len(gqltest.Get(r.Data, "confirmEvents", "userWarnings").([]any)) != 1 {
			t.Errorf("confirming twice: %v", gqltest.Get(r.Data, "confirmEvents"))
		}

		// Unsetting drops the type's queued events and stops new ones.
		erp.MustOK(`mutation { setEventListeners(input: [{objectType: Product}]) { userErrors { message } } }`, nil)
		erp.MustOK(fmt.Sprintf(`mutation { updateProduct(id: %d, input: {name: "Shirt again"}) { userErrors { message } } }`, prod), nil)
		r = erp.MustOK(`mutation { unsetEventListeners(input: [{objectType: Product}, {objectType: ProductVariant, changeTypes: [DELETED]}]) {
			userErrors { message } eventListeners { objectType changeTypes } } }`, nil)
		if got, _ := json.Marshal(gqltest.Get(r.Data, "unsetEventListeners", "eventListeners")); string(got) != `[{"changeTypes":["UPDATED"],"objectType":"ProductVariant"}]` {
			t.Errorf("unsetEventListeners: %s", got)
		}
		erp.MustOK(fmt.Sprintf(`mutation { updateProduct(id: %d, input: {name: "Shirt at last"}) { userErrors { message } } }`, prod), nil)
		if got := shape(pollFeed(t, erp, "")); len(got) != 1 || !strings.HasPrefix(got[0], "StockChange CREATED") {
			t.Errorf("erp's feed after unsetting Product: %v", got)
		}
		if got := pollFeed(t, wms, ""); len(got) != 4 {
			t.Errorf("wms's feed has %d events, want its 4 Product events: %v", len(got), shape(got))
		}
		r = erp.MustOK(`{ eventListeners { objectType changeTypes } }`, nil)
		if got, _ := json.Marshal(r.Data["eventListeners"]); string(got) !=
			`[{"changeTypes":["UPDATED"],"objectType":"ProductVariant"},{"changeTypes":["CREATED"],"objectType":"StockChange"}]` {
			t.Errorf("eventListeners: %s", got)
		}

		// The feed needs Event:read; the object needs its own permission.
		pim := erp.With(gqltest.NewToken(t, d, auth.NewToken{Name: "erp", Permissions: []string{"Product:read"}}))
		if r := pim.Do(`{ events { id } }`, nil); len(r.Errors) == 0 || !strings.Contains(fmt.Sprint(r.Errors[0]["message"]), "Event:read") {
			t.Errorf("events without Event:read: %v", r.Errors)
		}
		eventsOnly := erp.With(gqltest.NewToken(t, d, auth.NewToken{Name: "erp", Permissions: []string{"Event:read"}}))
		r = eventsOnly.Do(`{ events { id object { ... on StockChange { id } } } }`, nil)
		if len(r.Errors) == 0 || !strings.Contains(fmt.Sprint(r.Errors[0]["message"]), "StockChange:read") {
			t.Errorf("object without StockChange:read: %v", r.Errors)
		}
	})
}

// checkoutCall sends a Checkout API request with a session token and
// returns the new token.
func checkoutCall(t *testing.T, srv *httptest.Server, method, path, token string) (string, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+"/api/checkout"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("API-Token", token)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, body)
	}
	if tok, ok := out["token"].(string); ok {
		token = tok
	}
	out["status"] = res.StatusCode
	return token, out
}

func TestCheckoutSelectionChangesReachTheFeed(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		dbtest.Load(t, d, demoShop)
		erp := gqltest.New(t, d, "erp")
		erp.MustOK(`mutation { setEventListeners(input: [{objectType: Selection}]) { userErrors { message } } }`, nil)
		shop := httptest.NewServer(server.New(server.Config{DB: d, Log: slog.New(slog.DiscardHandler), Version: "test",
			Checkout: checkout.New(d, map[string]payment.Provider{"test": &payment.Test{Key: []byte("k")}})}).Handler())
		t.Cleanup(shop.Close)

		token, _ := checkoutCall(t, shop, "GET", "/selection", "")
		token, list := checkoutCall(t, shop, "POST", "/products", token)
		item := gqltest.Get(list, "products", 0, "items", 0, "item")
		if item == nil {
			t.Fatalf("no demo item: %v", list)
		}
		token, out := checkoutCall(t, shop, "POST", "/items/"+url.PathEscape(item.(string)), token)
		if out["status"].(int) >= 300 {
			t.Fatalf("add item: %v", out)
		}
		// A refused change records nothing.
		if _, out := checkoutCall(t, shop, "POST", "/items/no-such-item", token); out["status"].(int) < 400 {
			t.Fatalf("adding a bogus item: %v", out)
		}
		feed := pollFeed(t, erp, "")
		if len(feed) != 2 {
			t.Fatalf("feed: %v, want the selection's creation and its item", shape(feed))
		}
		sel := feed[0].ObjectID
		want := []string{"Selection CREATED " + sel + " (Selection " + sel + ")", "Selection UPDATED " + sel + " (Selection " + sel + ")"}
		if diff := cmp.Diff(want, shape(feed)); diff != "" || sel == "" || feed[0].Ref != "<nil>" {
			t.Errorf("feed (-want +got):\n%s\nobjectReference %s", diff, feed[0].Ref)
		}
	})
}

// TestFeedPollerSeesConcurrentChangesInCommitOrder has many integrations'
// changes commit at once while a poller reads and confirms its queue: each
// poll must return only events newer than every event it confirmed, and in
// the end it must have seen every change exactly once.
func TestFeedPollerSeesConcurrentChangesInCommitOrder(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		erp := gqltest.New(t, d, "erp")
		erp.MustOK(`mutation { setEventListeners(input: [{objectType: Product, changeTypes: [CREATED]}]) { userErrors { message } } }`, nil)
		const writers, each = 8, 5
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					r := erp.Do(fmt.Sprintf(`mutation { createProduct(input: {name: "P%d-%d", status: ACTIVE, productNumber: "C%d-%d"}) { userErrors { message } } }`,
						w, i, w, i), nil)
					if len(r.Errors) > 0 {
						t.Error(r.Errors)
					}
				}
			})
		}
		done := make(chan struct{})
		go func() {
			wg.Wait()
			close(done)
		}()
		var seen []int64
		poll := func() {
			evs := pollFeed(t, erp, "(limit: 1000)")
			for _, e := range evs {
				if len(seen) > 0 && e.ID <= seen[len(seen)-1] {
					t.Fatalf("event %d came after %d was confirmed: not in commit order", e.ID, seen[len(seen)-1])
				}
				seen = append(seen, e.ID)
			}
			if len(evs) > 0 {
				erp.MustOK(`mutation { confirmEvents(input: {eventsIds: `+idList(ids(evs))+`}) { userErrors { message } } }`, nil)
			}
		}
		for polling := true; polling; {
			select {
			case <-done:
				polling = false
			default:
				poll()
			}
		}
		poll()
		if len(seen) != writers*each {
			t.Fatalf("the poller saw %d events, want %d", len(seen), writers*each)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = 'Product' AND action = 'CREATED'`); n != writers*each {
			t.Fatalf("%d Product events stored, want %d", n, writers*each)
		}
	})
}

// TestEventsCarryTheMarketOfOrdersAndSelections: checkout's Order and
// Selection events name the order's market; other objects' events have
// none; where: {marketId} keeps only events of those markets.
func TestEventsCarryTheMarketOfOrdersAndSelections(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		erp := gqltest.New(t, d, "erp")
		erp.MustOK(`mutation { setEventListeners(input: [{objectType: Order}, {objectType: Selection}, {objectType: Product}]) { userErrors { message } } }`, nil)
		o := placeDemoOrder(t, d)
		erp.MustOK(`mutation { createProduct(input: {name: "No market", status: ACTIVE, productNumber: "NM-1"}) { userErrors { message } } }`, nil)
		// An operator's selection and an order's attributes record events
		// outside checkout.
		loadAttributeTypes(t, d, seedAttributeTypes)
		orders := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = 'Order'`)
		erp.MustOK(fmt.Sprintf(`mutation { assignAttributes(input: {objectType: Order, objectId: %d, dynamicAttributes: [
			{attributeTypeName: "ord_gift", attributeElementKey: "wrap", attributeElementValue: "true"}]}) { userErrors { message } } }`, o.Number), nil)
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = 'Order'`); n != orders+1 {
			t.Fatalf("assigning order attributes recorded %d Order events, want 1", n-orders)
		}
		erp.MustOK(`mutation { createSelection(input: {store: {id: 1}, market: {id: `+strconv.FormatInt(o.MarketID, 10)+`}, pricelist: {id: 1},
			country: {code: "SE"}, lines: [{item: "1-3", quantity: 1}]}) { userErrors { message path } } }`, nil)
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = 'Selection' AND actor = 'erp'`); n != 1 {
			t.Fatalf("an operator's selection recorded %d Selection events, want 1", n)
		}
		sweden := dbtest.Int(t, d, `SELECT m.id FROM market m JOIN market_country mc ON mc.market_id = m.id JOIN country c ON c.id = mc.country_id WHERE c.code = 'SE'`)
		if sweden != o.MarketID {
			t.Fatalf("the order's market is %d, want Sweden's %d", o.MarketID, sweden)
		}
		type ev struct {
			ObjectType string `json:"objectType"`
			Market     *struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"market"`
		}
		list := func(where string) []ev {
			t.Helper()
			r := erp.MustOK(`{ events`+where+` { objectType market { id name } } }`, nil)
			b, _ := json.Marshal(r.Data["events"])
			var out []ev
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatal(err)
			}
			return out
		}
		all := list("")
		seen := map[string]int{}
		for _, e := range all {
			seen[e.ObjectType]++
			switch e.ObjectType {
			case "Order", "Selection":
				if e.Market == nil || e.Market.ID != sweden || e.Market.Name != "Sweden" {
					t.Errorf("%s event with market %+v, want Sweden (%d)", e.ObjectType, e.Market, sweden)
				}
			default:
				if e.Market != nil {
					t.Errorf("%s event with market %+v, want none", e.ObjectType, e.Market)
				}
			}
		}
		if seen["Order"] == 0 || seen["Selection"] == 0 || seen["Product"] != 1 {
			t.Fatalf("events by type %v, want Order, Selection and one Product", seen)
		}
		if got := list(fmt.Sprintf("(where: {marketId: [%d]})", sweden)); len(got) != seen["Order"]+seen["Selection"] {
			t.Errorf("%d events of Sweden's market, want its %d Order and Selection events", len(got), seen["Order"]+seen["Selection"])
		}
		if got := list(fmt.Sprintf("(where: {marketId: [%d]})", sweden+100)); len(got) != 0 {
			t.Errorf("%d events of a market with none, want 0", len(got))
		}
	})
}

func TestOrderEventsNameTheOrderNumber(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		o := placeDemoOrder(t, d)
		erp := gqltest.New(t, d, "erp")
		erp.MustOK(`mutation { setEventListeners(input: [{objectType: Order}]) { userErrors { message } } }`, nil)
		err := d.Tx(t.Context(), func(tx *db.Tx) error {
			_, err := event.Record(t.Context(), tx, event.Event{StoreID: &o.StoreID, ObjectType: event.TypeOrder, ObjectID: o.Hash, Action: event.Updated, Actor: "admin"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		r := erp.MustOK(`{ events { objectType changeType objectReference objectId store { id }
			object { ... on DirectToConsumerOrder { id number } } } }`, nil)
		got, _ := json.Marshal(r.Data["events"])
		want := fmt.Sprintf(`[{"changeType":"UPDATED","object":{"id":%q,"number":%d},"objectId":%q,"objectReference":%d,"objectType":"Order","store":{"id":%d}}]`,
			o.Hash, o.Number, o.Hash, o.Number, o.StoreID)
		if string(got) != want {
			t.Errorf("events:\n got %s\nwant %s", got, want)
		}
	})
}
