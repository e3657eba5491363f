package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"seam/internal/auth"
	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/event"
	"seam/internal/productlink"
	"seam/internal/seam"
	"seam/internal/stock"
	"seam/internal/store"
)

// TestSeedExampleMakesALinkWithTheEURPriceDerived sends seed 002's
// example payload verbatim against the demo shop.
func TestSeedExampleMakesALinkWithTheEURPriceDerived(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		a := e.createLink("1", plSeedExample)
		uuid := plUUID(t, a)
		if got, want := a.str("payment_link"), e.url+"/p/1?uuid="+uuid; got != want {
			t.Errorf("payment_link = %q, want %q", got, want)
		}
		if a.body["use_once"] != true {
			t.Errorf("use_once = %v, want true", a.body["use_once"])
		}
		wantMeta := map[string]any{"order_id": "559472095N", "name": "Alex Brown", "shop_url": "https://google.com/"}
		if diff := cmp.Diff(wantMeta, a.body["metadata"]); diff != "" {
			t.Errorf("metadata (-want +got):\n%s", diff)
		}
		type price struct{ Currency, Price, Discount, From, Rate string }
		var got []price
		for _, p := range a.body["prices"].([]any) {
			m := p.(map[string]any)
			s := func(k string) string {
				if v, ok := m[k].(json.Number); ok {
					return v.String()
				}
				v, _ := m[k].(string)
				return v
			}
			got = append(got, price{s("currency"), s("price"), s("discount_price"), s("derived_from"), s("exchange_rate")})
		}
		want := []price{
			{"USD", "2500.00", "2000.00", "", ""},
			{"SEK", "100000.00", "", "", ""},
			// 2500 × 0.92 and 2000 × 0.92, to the cent.
			{"EUR", "2300.00", "1840.00", "USD", "0.92"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("prices (-want +got):\n%s", diff)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM audit_log WHERE object_type = $1 AND action = 'CREATE' AND actor = 'seller-tool'`, productlink.ObjectType); n != 1 {
			t.Errorf("%d CREATE audit rows by the token's name, want 1", n)
		}
		evs, err := event.After(context.Background(), d.Read(), 0, nil, 1000)
		if err != nil {
			t.Fatal(err)
		}
		created := 0
		for _, ev := range evs {
			if ev.ObjectType == productlink.ObjectType && ev.Action == event.Created {
				created++
				if strings.Contains(ev.Payload, uuid) {
					t.Errorf("the event shows the link's uuid: %s", ev.Payload)
				}
			}
		}
		if created != 1 {
			t.Errorf("%d CREATED events, want 1", created)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM product_link WHERE uuid_hash = $1`, uuid); n != 0 {
			t.Errorf("the uuid is stored in plain text")
		}
	})
}

// TestCreatingALinkPublishesTheProduct makes a link for an inactive
// product without a display: it becomes ACTIVE with an ACTIVE display.
func TestCreatingALinkPublishesTheProduct(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		ctx := context.Background()
		str := func(s string) *string { return &s }
		chart := int64(plCount(t, d, `SELECT id FROM size_chart WHERE name = 'One Size'`))
		id, err := catalog.CreateProduct(ctx, d, seam.Actor{Name: "pim"}, catalog.ProductInput{Name: str("Gift Card Holder"), Status: str("INACTIVE"),
			ProductNumber: str("GCH1"), AddProductVariants: []catalog.VariantInput{{Name: str("Black"), Status: str("INACTIVE"),
				SizeChart: seam.ByID(chart), ProductSizes: []catalog.ProductSizeInput{{Size: &seam.Ref{Name: str("One Size")}}}}}})
		if err != nil {
			t.Fatal(err)
		}
		pid := fmt.Sprint(id)
		if a := e.pageGet("/p/" + pid); !strings.Contains(string(a.raw), "not for sale") {
			t.Errorf("before any link the page says %d:\n%s", a.status, a.raw)
		}
		e.createLink(pid, map[string]any{"prices": []any{map[string]any{"currency_id": 1, "price": 199, "is_discount_price": false}}})
		p, err := store.GetProduct(ctx, d.Read(), id)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := store.ListDisplays(ctx, d.Read(), store.DisplayFilter{ProductIDs: []int64{id}}, nil, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != "ACTIVE" || len(ds) != 1 || ds[0].Status != "ACTIVE" || ds[0].Name != "Gift Card Holder" {
			t.Fatalf("product %s, displays %+v; want an ACTIVE product with one ACTIVE display", p.Status, ds)
		}
		items, err := store.DisplayItemsByDisplayIDs(ctx, d.Read(), []int64{ds[0].ID})
		if err != nil || len(items) != 1 {
			t.Fatalf("display items %v, %v; want the variant", items, err)
		}
		// A second link changes nothing more.
		jpy := plUUID(t, e.createLink(pid, map[string]any{"prices": []any{map[string]any{"currency_id": 4, "price": 3000, "is_discount_price": false}}}))
		if ds, _ := store.ListDisplays(ctx, d.Read(), store.DisplayFilter{ProductIDs: []int64{id}}, nil, store.Page{}); len(ds) != 1 {
			t.Errorf("%d displays after a second link, want 1", len(ds))
		}
		// With stock it sells at the link's price, though no pricelist
		// prices it.
		variant := int64(plCount(t, d, `SELECT id FROM product_variant WHERE product_id = $1`, id))
		if _, err := stock.Set(ctx, d, seam.Actor{Name: "wms"}, stock.SetInput{Warehouse: seam.ByID(1), Description: str("in"), StockQuantityType: str("PHYSICAL"),
			ProductVariants: []stock.VariantLevels{{ProductVariant: seam.ByID(variant), SizeStockLevels: []stock.SizeLevel{{Size: &seam.Ref{Name: str("One Size")}, Quantity: 2}}}}}); err != nil {
			t.Fatal(err)
		}
		thanks := e.pageGet(plBuy(t, e, "/p/"+pid+"?uuid="+jpy, nil))
		if !strings.Contains(string(thanks.raw), "3 000 JPY") {
			t.Errorf("thank-you page without the link's 3 000 JPY:\n%s", thanks.raw)
		}
	})
}

// TestLinkInputIsRefusedNamingTheField sends bad input: each answer is 422
// (404 for an unknown product) naming the field, and nothing is made.
func TestLinkInputIsRefusedNamingTheField(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		usd := func(price any) map[string]any {
			return map[string]any{"currency_id": 2, "price": price, "is_discount_price": false}
		}
		big := map[string]any{}
		for i := range 300 {
			big[fmt.Sprintf("key%03d", i)] = strings.Repeat("x", 50)
		}
		cases := []struct {
			name, product string
			body          any
			status        int
			field         string
			// outside: the request breaks melstore.yaml on purpose.
			outside bool
		}{
			{"no prices", "1", `{"use_once": true}`, 422, "prices", true},
			{"empty prices", "1", `{"prices": []}`, 422, "prices", true},
			{"duplicate currency", "1", map[string]any{"prices": []any{usd(10), usd(12)}}, 422, "prices.1.currency_id", false},
			{"discount not lower", "1", `{"prices": [{"currency_id": 1, "price": 100, "is_discount_price": true, "discount_price": 100}]}`, 422, "prices.0.discount_price", false},
			{"discount higher", "1", `{"prices": [{"currency_id": 1, "price": 100, "is_discount_price": true, "discount_price": 150.5}]}`, 422, "prices.0.discount_price", false},
			{"discount missing", "1", `{"prices": [{"currency_id": 1, "price": 100, "is_discount_price": true}]}`, 422, "prices.0.discount_price", false},
			{"negative price", "1", `{"prices": [{"currency_id": 2, "price": -5, "is_discount_price": false}]}`, 422, "prices.0.price", true},
			{"zero price", "1", `{"prices": [{"currency_id": 2, "price": 0, "is_discount_price": false}]}`, 422, "prices.0.price", true},
			{"three decimals in USD", "1", `{"prices": [{"currency_id": 2, "price": 10.555, "is_discount_price": false}]}`, 422, "prices.0.price", false},
			{"decimals in JPY", "1", `{"prices": [{"currency_id": 4, "price": 100.5, "is_discount_price": false}]}`, 422, "prices.0.price", false},
			{"price too large", "1", `{"prices": [{"currency_id": 2, "price": 92233720368547758.07, "is_discount_price": false}]}`, 422, "prices.0.price", false},
			{"SEK price too large", "1", `{"prices": [{"currency_id": 1, "price": 10000000001, "is_discount_price": false}]}`, 422, "prices.0.price", false},
			{"exponent", "1", `{"prices": [{"currency_id": 2, "price": 1e3, "is_discount_price": false}]}`, 422, "prices.0.price", false},
			{"price as text", "1", `{"prices": [{"currency_id": 2, "price": "25", "is_discount_price": false}]}`, 422, "prices.0.price", true},
			{"is_discount_price missing", "1", `{"prices": [{"currency_id": 2, "price": 25}]}`, 422, "prices.0.is_discount_price", true},
			{"unknown currency", "1", `{"prices": [{"currency_id": 99, "price": 25, "is_discount_price": false}]}`, 422, "prices.0.currency_id", false},
			{"EUR is derived", "1", `{"prices": [{"currency_id": 3, "price": 25, "is_discount_price": false}]}`, 422, "prices.0.currency_id", false},
			{"metadata a list", "1", `{"prices": [{"currency_id": 2, "price": 25, "is_discount_price": false}], "metadata": ["a"]}`, 422, "metadata", true},
			{"metadata not UTF-8", "1", "{\"prices\": [{\"currency_id\": 2, \"price\": 25, \"is_discount_price\": false}], \"metadata\": {\"a\": \"\xff\"}}", 422, "metadata", false},
			{"metadata over 16 KiB", "1", map[string]any{"prices": []any{usd(25)}, "metadata": big}, 422, "metadata", false},
			{"expired at birth", "1", map[string]any{"prices": []any{usd(25)}, "expires_at": "2001-01-01T00:00:00Z"}, 422, "expires_at", false},
			{"expires_at not a time", "1", map[string]any{"prices": []any{usd(25)}, "expires_at": 5}, 422, "expires_at", true},
			{"unknown field", "1", map[string]any{"prices": []any{usd(25)}, "useOnce": true}, 422, "useOnce", true},
			{"unknown product", "999999", map[string]any{"prices": []any{usd(25)}}, 404, "", false},
			{"product not an id", "tee", map[string]any{"prices": []any{usd(25)}}, 422, "productId", true},
		}
		for _, c := range cases {
			var opts []func(*http.Request) *http.Request
			if c.outside {
				opts = append(opts, plOutside)
			}
			a := e.melCall("POST", "/products/"+c.product+"/payment-links", c.body, "-", opts...)
			if a.status != c.status {
				t.Errorf("%s: status %d, want %d\n%s", c.name, a.status, c.status, a.raw)
				continue
			}
			if c.field != "" && a.fieldError(c.field) == "" {
				t.Errorf("%s: errors = %v, want one on %q", c.name, a.body["errors"], c.field)
			}
			if a.str("message") == "" {
				t.Errorf("%s: no message: %s", c.name, a.raw)
			}
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM product_link`); n != 0 {
			t.Errorf("%d links were made from bad input", n)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM audit_log WHERE object_type = $1`, productlink.ObjectType); n != 0 {
			t.Errorf("%d audit rows for bad input", n)
		}
		a := e.melCall("POST", "/products/1/payment-links", `{"prices": [{"currency_id": 3, "price": 25, "is_discount_price": false}]}`, "-")
		if msg := a.fieldError("prices.0.currency_id"); !strings.Contains(msg, "derived") {
			t.Errorf("setting EUR says %q; want it to say EUR is derived", msg)
		}
	})
}

// TestUSDPriceNeedsTheExchangeRate refuses a USD price while no USD:EUR
// rate is set, saying which rate to set, and takes one once it is.
func TestUSDPriceNeedsTheExchangeRate(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "")
		// The demo shop comes with USD:EUR; this shop has none.
		dbtest.Exec(t, d, `DELETE FROM exchange_rate`)
		body := `{"prices": [{"currency_id": 2, "price": 19.99, "is_discount_price": false}]}`
		a := e.melCall("POST", "/products/2/payment-links", body, "-")
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.fieldError("prices.0.currency_id"), "USD:EUR") {
			t.Fatalf("USD without a rate: %d %s; want 422 naming the USD:EUR rate", a.status, a.raw)
		}
		e.createLink("2", `{"prices": [{"currency_id": 1, "price": 199, "is_discount_price": false}]}`)
		rates, err := productlink.ParseRates("USD:EUR=0.915")
		if err != nil {
			t.Fatal(err)
		}
		if err := productlink.SetRates(context.Background(), d, seam.Actor{Name: "ops"}, rates); err != nil {
			t.Fatal(err)
		}
		a = e.createLink("2", body)
		// 19.99 × 0.915 = 18.29085 → 18.29.
		eur := a.body["prices"].([]any)[1].(map[string]any)
		if eur["currency"] != "EUR" || eur["price"] != json.Number("18.29") {
			t.Errorf("derived EUR price %v, want 18.29 EUR", eur)
		}
	})
}

// TestMelStoreRefusesMissingAndWeakTokens checks 401 and 403.
func TestMelStoreRefusesMissingAndWeakTokens(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		ctx := context.Background()
		reader, _, err := auth.Create(ctx, d, auth.NewToken{Name: "reader", Permissions: []string{"PaymentLink:read"}})
		if err != nil {
			t.Fatal(err)
		}
		other, _, err := auth.Create(ctx, d, auth.NewToken{Name: "catalog", Permissions: []string{"Product:read"}})
		if err != nil {
			t.Fatal(err)
		}
		revoked, rt, err := auth.Create(ctx, d, auth.NewToken{Name: "old", All: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.Revoke(ctx, d, rt.ID); err != nil {
			t.Fatal(err)
		}
		body := `{"prices": [{"currency_id": 1, "price": 199, "is_discount_price": false}]}`
		for _, c := range []struct {
			name, method, path, token string
			status                    int
			outside                   bool
		}{
			{"no token", "POST", "/products/1/payment-links", "", 401, true},
			{"unknown token", "POST", "/products/1/payment-links", "seam_it_nope", 401, false},
			{"revoked token", "POST", "/products/1/payment-links", revoked.Reveal(), 401, false},
			{"read-only token", "POST", "/products/1/payment-links", reader.Reveal(), 403, false},
			{"other permission", "GET", "/currencies", other.Reveal(), 403, false},
			{"read-only token lists currencies", "GET", "/currencies", reader.Reveal(), 200, false},
		} {
			var opts []func(*http.Request) *http.Request
			if c.outside {
				opts = append(opts, plOutside)
			}
			var b any
			if c.method == "POST" {
				b = body
			}
			a := e.melCall(c.method, c.path, b, c.token, opts...)
			if a.status != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, a.status, c.status, a.raw)
			}
			if c.status == 401 && a.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without WWW-Authenticate", c.name)
			}
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM product_link`); n != 0 {
			t.Errorf("%d links made without a good token", n)
		}
	})
}

// TestLinksCannotBeChanged answers 405 with Allow to PUT and PATCH.
func TestLinksCannotBeChanged(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		uuid := plUUID(t, e.createLink("1", plSeedExample))
		for _, c := range []struct{ method, path, allow string }{
			{"PUT", "/products/1/payment-links/" + uuid, "DELETE"},
			{"PATCH", "/products/1/payment-links/" + uuid, "DELETE"},
			{"PATCH", "/1/payment-links/" + uuid, "DELETE"},
			{"PUT", "/products/1/payment-links", "POST"},
			{"PATCH", "/products/1/payment-links", "POST"},
			{"GET", "/products/1/payment-links", "POST"},
		} {
			a := e.melCall(c.method, c.path, `{"use_once": false}`, "-")
			if a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != c.allow || a.str("message") == "" {
				t.Errorf("%s %s: %d Allow %q %s; want 405 Allow %s", c.method, c.path, a.status, a.header.Get("Allow"), a.raw, c.allow)
			}
		}
		var useOnce bool
		if err := d.Read().QueryRowContext(context.Background(), `SELECT use_once FROM product_link`).Scan(&useOnce); err != nil || !useOnce {
			t.Errorf("use_once = %v (%v) after refused changes, want true", useOnce, err)
		}
	})
}

// TestDeletedLinkIsGone deletes links by both paths: 204, then 404, and
// the page says the link no longer exists.
func TestDeletedLinkIsGone(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		first := plUUID(t, e.createLink("1", plSeedExample))
		second := plUUID(t, e.createLink("1", plSeedExample))
		if a := e.melCall("DELETE", "/products/1/payment-links/"+first, nil, "-"); a.status != http.StatusNoContent || len(a.raw) != 0 {
			t.Fatalf("delete: %d %s, want 204 without a body", a.status, a.raw)
		}
		if a := e.melCall("DELETE", "/1/payment-links/"+second, nil, "-"); a.status != http.StatusNoContent {
			t.Fatalf("delete by the short path: %d %s", a.status, a.raw)
		}
		for _, c := range []struct {
			path    string
			status  int
			outside bool
		}{
			{"/products/1/payment-links/" + first, 404, false},
			{"/products/2/payment-links/" + strings.Repeat("ab", 16), 404, false},
			{"/products/2/payment-links/" + second, 404, false},
			{"/products/1/payment-links/not-a-uuid", 422, true},
		} {
			var opts []func(*http.Request) *http.Request
			if c.outside {
				opts = append(opts, plOutside)
			}
			if a := e.melCall("DELETE", c.path, nil, "-", opts...); a.status != c.status {
				t.Errorf("DELETE %s: %d %s, want %d", c.path, a.status, a.raw, c.status)
			}
		}
		a := e.pageGet("/p/1?uuid=" + first)
		if a.status != http.StatusGone || !strings.Contains(string(a.raw), "no longer exists") {
			t.Errorf("deleted link's page: %d\n%s", a.status, a.raw)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM audit_log WHERE object_type = $1 AND action = 'DELETE' AND actor = 'seller-tool'`, productlink.ObjectType); n != 2 {
			t.Errorf("%d DELETE audit rows, want 2", n)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM event WHERE object_type = $1 AND action = $2`, productlink.ObjectType, event.Deleted); n != 2 {
			t.Errorf("%d DELETED events, want 2", n)
		}
	})
}

// TestCurrenciesAreNumberedAsTheSeedSays lists the currency ids: 2 is USD,
// and EUR is derived.
func TestCurrenciesAreNumberedAsTheSeedSays(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "")
		a := e.melCall("GET", "/currencies", nil, "-")
		var got []map[string]any
		if err := json.Unmarshal(a.raw, &got); err != nil {
			t.Fatalf("%d %s: %v", a.status, a.raw, err)
		}
		want := []map[string]any{
			{"id": 1.0, "code": "SEK", "decimals": 2.0, "derived_from": nil},
			{"id": 2.0, "code": "USD", "decimals": 2.0, "derived_from": nil},
			{"id": 3.0, "code": "EUR", "decimals": 2.0, "derived_from": "USD"},
			{"id": 4.0, "code": "JPY", "decimals": 0.0, "derived_from": nil},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("currencies (-want +got):\n%s", diff)
		}
	})
}

// TestMelStoreContractIsExercised reaches every operation melstore.yaml
// documents, each checked against it, so that the document covers what
// the server does and the server does what it says.
func TestMelStoreContractIsExercised(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLiteFrom(t, demoShop)
	e := startPL(t, d, "0.92")
	uuid := plUUID(t, e.createLink("1", plSeedExample))
	other := plUUID(t, e.createLink("1", plSeedExample))
	e.melCall("GET", "/currencies", nil, "-")
	e.melCall("GET", "/openapi.yaml", nil, "")
	for _, m := range []string{"GET", "PUT", "PATCH"} {
		e.melCall(m, "/products/1/payment-links", nil, "-")
	}
	for _, m := range []string{"PUT", "PATCH"} {
		e.melCall(m, "/products/1/payment-links/"+uuid, nil, "-")
	}
	e.melCall("DELETE", "/products/1/payment-links/"+uuid, nil, "-")
	e.melCall("DELETE", "/1/payment-links/"+other, nil, "-")
	if left := e.melTr.Unexercised(); len(left) > 0 {
		t.Errorf("melstore.yaml operations no request reached: %v", left)
	}
	_ = time.Second
}

// TestMelStoreMoneyAlwaysHasTheCurrencysDecimals: prices sent as whole
// numbers, with one decimal or in a currency without decimals answer with
// exactly the currency's decimals, in the raw JSON a client parses.
func TestMelStoreMoneyAlwaysHasTheCurrencysDecimals(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		a := e.createLink("1", map[string]any{"prices": []any{
			map[string]any{"currency_id": 1, "price": 100, "is_discount_price": false},
			map[string]any{"currency_id": 2, "price": 100.5, "is_discount_price": true, "discount_price": 90},
			map[string]any{"currency_id": 4, "price": 1000, "is_discount_price": false},
		}})
		for _, want := range []string{`"currency":"SEK","price":100.00,`, `"currency":"USD","price":100.50,"is_discount_price":true,"discount_price":90.00,`,
			`"currency":"JPY","price":1000,`, `"currency":"EUR","price":92.46,"is_discount_price":true,"discount_price":82.80,`} {
			if !bytes.Contains(a.raw, []byte(want)) {
				t.Errorf("the answer lacks %s\n%s", want, a.raw)
			}
		}
	})
}
