package rest_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/event"
	"seam/internal/productlink"
	"seam/internal/qr"
	"seam/internal/store"
)

// plFill completes an order form as a buyer would.
func plFill(form url.Values) {
	for k, v := range map[string]string{"email": "eva@example.com", "address1": "Makariou 1", "zip_code": "1065", "city": "Nicosia", "terms": "yes",
		"state": "NY"} {
		if form.Get(k) == "" {
			form.Set(k, v)
		}
	}
	if form.Get("name") == "" {
		form.Set("name", "Eva Choo")
	}
}

// plBuy buys on a product page through the test provider's redirect and
// returns the thank-you page's path.
func plBuy(t *testing.T, e *plEnv, path string, change func(url.Values)) string {
	t.Helper()
	page := e.pageGet(path)
	if page.status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, page.status, page.raw)
	}
	action, form := plFormOf(t, page.raw)
	plFill(form)
	if change != nil {
		change(form)
	}
	paid := e.pagePost(action, form)
	if paid.status != http.StatusSeeOther {
		t.Fatalf("POST %s: %d, want 303 to the payment\n%s", action, paid.status, paid.raw)
	}
	back := e.pageGet(paid.header.Get("Location"))
	if back.status != http.StatusSeeOther {
		t.Fatalf("return from the payment: %d, want 303 to the thank-you page\n%s", back.status, back.raw)
	}
	return back.header.Get("Location")
}

var orderNumber = regexp.MustCompile(`<strong class="order-number">(\d+)</strong>`)

// TestBuyerPaysOnTheLinkPageThroughTheTestProvidersRedirect opens a link
// with seed 002's prefilled fields, pays through the test provider's
// redirect and ends on the thank-you page with an order at the link's
// price.
func TestBuyerPaysOnTheLinkPageThroughTheTestProvidersRedirect(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		uuid := plUUID(t, e.createLink("1", plSeedExample))
		path := "/p/1?uuid=" + uuid + "&phone_number=%2B35796652117&name=Eva%20Choo"
		page := e.pageGet(path)
		if page.status != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, page.status, page.raw)
		}
		for _, want := range []string{"<h1>Organic Cotton Tee</h1>", `<s class="before" aria-label="was">2,500.00 USD</s>`, `<strong class="now">2,000.00 USD</strong>`} {
			if !bytes.Contains(page.raw, []byte(want)) {
				t.Errorf("the page lacks %s", want)
			}
		}
		if got := page.header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("Referrer-Policy %q: the link's uuid could leak", got)
		}
		action, form := plFormOf(t, page.raw)
		if form.Get("name") != "Eva Choo" || form.Get("phone_number") != "+35796652117" || form.Get("uuid") != uuid || form.Get("currency") != "USD" {
			t.Errorf("form not prefilled from the link: %v", form)
		}
		if got := plOptions(page.raw, "country"); len(got) != 1 || got[0] != "US" {
			t.Errorf("countries %v, want the USD pricelist's US", got)
		}
		plFill(form)
		paid := e.pagePost(action, form)
		loc := paid.header.Get("Location")
		if paid.status != http.StatusSeeOther || !strings.Contains(loc, "/p/1/return?") || !strings.Contains(loc, "seam_payment=") {
			t.Fatalf("POST %s: %d to %q, want 303 to the return page with the provider's fields\n%s", action, paid.status, loc, paid.raw)
		}
		back := e.pageGet(loc)
		thanksPath := back.header.Get("Location")
		if back.status != http.StatusSeeOther || !strings.HasPrefix(thanksPath, "/p/1/thanks?") {
			t.Fatalf("return: %d to %q\n%s", back.status, thanksPath, back.raw)
		}
		thanks := e.pageGet(thanksPath)
		m := orderNumber.FindSubmatch(thanks.raw)
		if thanks.status != http.StatusOK || m == nil {
			t.Fatalf("thank-you page: %d\n%s", thanks.status, thanks.raw)
		}
		o, err := store.OrderByNumber(context.Background(), d.Read(), mustInt(t, string(m[1])))
		if err != nil {
			t.Fatal(err)
		}
		// New York's 8.875 % sales tax is added to the USD price.
		if o.Currency != "USD" || o.ItemsTotal != 200000 || o.Shipping != 0 || o.Tax != 17750 || o.GrandTotal != 217750 || o.Email != "eva@example.com" {
			t.Errorf("order %+v; want 2,000.00 USD at the discount price plus New York sales tax, free shipping", o)
		}
		// Again: the same order, not a second one.
		if again := e.pageGet(loc); again.status != http.StatusSeeOther {
			t.Errorf("returning twice: %d", again.status)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM orders`); n != 1 {
			t.Errorf("%d orders, want 1", n)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM product_link_sale s JOIN product_link l ON l.id = s.product_link_id WHERE l.used_at IS NOT NULL AND s.order_id = $1`, o.ID); n != 1 {
			t.Errorf("%d sales of the used link for the order, want 1", n)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM audit_log WHERE object_type = $1 AND action = 'USE'`, productlink.ObjectType); n != 1 {
			t.Errorf("%d USE audit rows, want 1", n)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM event WHERE object_type = $1 AND action = $2`, productlink.ObjectType, event.Used); n != 1 {
			t.Errorf("%d USED events, want 1", n)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM webhook_delivery`); n != 0 {
			t.Errorf("%d webhooks queued for a store without an after-sale URL", n)
		}
		used := e.pageGet(path)
		if used.status != http.StatusGone || !bytes.Contains(used.raw, []byte("already used")) {
			t.Errorf("the used link's page: %d\n%s", used.status, used.raw)
		}
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUseOnceLinkRacedByFiftyBuyersSellsOnce lets 50 buyers start paying
// for one use-once link, then all come back from the provider at once:
// exactly one order is made, the others are told the link was used and
// their stock is given back. On SQLite the results never overlap (one
// writer), so only the PostgreSQL half proves the sale atomic.
func TestUseOnceLinkRacedByFiftyBuyersSellsOnce(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		const buyers = 50
		e := startPL(t, d, "0.92")
		uuid := plUUID(t, e.createLink("1", plSeedExample))
		page := e.pageGet("/p/1?uuid=" + uuid)
		action, form := plFormOf(t, page.raw)
		items := plOptions(page.raw, "item")
		allocated := func() int {
			return plCount(t, d, `SELECT COALESCE(SUM(s.allocated), 0) FROM stock s JOIN product_size ps ON ps.id = s.product_size_id
				JOIN product_variant v ON v.id = ps.product_variant_id WHERE v.product_id = 1`)
		}
		before := allocated()
		returns := make([]string, buyers)
		var wg sync.WaitGroup
		for i := range buyers {
			wg.Go(func() {
				f := url.Values{}
				for k, v := range form {
					f[k] = v
				}
				plFill(f)
				f.Set("email", fmt.Sprintf("buyer%d@example.com", i))
				f.Set("item", items[i%len(items)])
				a := e.pagePost(action, f)
				if a.status != http.StatusSeeOther {
					t.Errorf("buyer %d: POST %d\n%s", i, a.status, a.raw)
					return
				}
				returns[i] = a.header.Get("Location")
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		statuses := make([]int, buyers)
		bodies := make([][]byte, buyers)
		for i := range buyers {
			wg.Go(func() {
				a := e.pageGet(returns[i])
				statuses[i], bodies[i] = a.status, a.raw
			})
		}
		wg.Wait()
		won := 0
		for i, s := range statuses {
			switch {
			case s == http.StatusSeeOther:
				won++
			case s == http.StatusGone && bytes.Contains(bodies[i], []byte("already used")):
			default:
				t.Errorf("buyer %d: %d\n%s", i, s, bodies[i])
			}
		}
		if won != 1 {
			t.Errorf("%d buyers got an order, want exactly 1", won)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM orders`); n != 1 {
			t.Errorf("%d orders, want 1", n)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM product_link_sale`); n != 1 {
			t.Errorf("%d sales, want 1", n)
		}
		if n := plCount(t, d, `SELECT sales FROM product_link`); n != 1 {
			t.Errorf("the link counts %d sales, want 1", n)
		}
		if got := allocated(); got != before+1 {
			t.Errorf("allocated stock %d → %d, want one unit more: the losers' reservations must be released", before, got)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM stock_reservation`); n != 0 {
			t.Errorf("%d reservations left", n)
		}
	})
}

// TestPageWithoutUUIDSellsAtThePricelistPrice buys a product on its page
// without a link, at its price in the store's default country's pricelist.
func TestPageWithoutUUIDSellsAtThePricelistPrice(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "")
		page := e.pageGet("/p/2")
		// Merino Crew Sweater: 119 € → 1 309 SEK in the demo.
		if page.status != http.StatusOK || !bytes.Contains(page.raw, []byte(`<strong class="now">1 309 SEK</strong>`)) {
			t.Fatalf("GET /p/2: %d\n%s", page.status, page.raw)
		}
		if eur := e.pageGet("/p/2?currency=eur"); !bytes.Contains(eur.raw, []byte(`<strong class="now">119.00 EUR</strong>`)) {
			t.Errorf("the EUR page lacks the EUR price:\n%s", eur.raw)
		}
		thanks := e.pageGet(plBuy(t, e, "/p/2", nil))
		m := orderNumber.FindSubmatch(thanks.raw)
		if m == nil {
			t.Fatalf("thank-you page:\n%s", thanks.raw)
		}
		o, err := store.OrderByNumber(context.Background(), d.Read(), mustInt(t, string(m[1])))
		if err != nil {
			t.Fatal(err)
		}
		if o.Currency != "SEK" || o.ItemsTotal != 130900 || o.GrandTotal != 130900 || o.Tax != 26180 {
			t.Errorf("order %d %s items %d total %d tax %d; want 1 309 SEK with 25 %% tax included", o.Number, o.Currency, o.ItemsTotal, o.GrandTotal, o.Tax)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM product_link_sale`); n != 0 {
			t.Errorf("%d link sales for a sale without a link", n)
		}
	})
}

// TestPageShowsTheLinkPriceInTheChosenCurrency switches currencies and
// escapes what the query brings.
func TestPageShowsTheLinkPriceInTheChosenCurrency(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		uuid := plUUID(t, e.createLink("1", plSeedExample))
		base := "/p/1?uuid=" + uuid
		for _, c := range []struct{ currency, want, not, country string }{
			{"EUR", `<s class="before" aria-label="was">2 300.00 EUR</s><strong class="now">1 840.00 EUR</strong>`, "", "DE"},
			{"sek", `<strong class="now">100 000 SEK</strong>`, `<s class="before"`, "SE"},
			{"GBP", `<strong class="now">2,000.00 USD</strong>`, "", "US"},
		} {
			a := e.pageGet(base + "&currency=" + c.currency)
			if a.status != http.StatusOK || !bytes.Contains(a.raw, []byte(c.want)) || (c.not != "" && bytes.Contains(a.raw, []byte(c.not))) {
				t.Errorf("currency %s: %d, want %s\n%s", c.currency, a.status, c.want, a.raw)
			}
			if got := plOptions(a.raw, "country"); len(got) != 1 || got[0] != c.country {
				t.Errorf("currency %s: countries %v, want %s", c.currency, got, c.country)
			}
		}
		if a := e.pageGet(base + "&currency=GBP"); !bytes.Contains(a.raw, []byte("not sold in GBP")) {
			t.Errorf("an unknown currency is not explained:\n%s", a.raw)
		}
		page := e.pageGet(base)
		for _, c := range []string{"USD", "SEK", "EUR"} {
			if !bytes.Contains(page.raw, []byte("currency="+c)) && !bytes.Contains(page.raw, []byte("<strong>"+c+"</strong>")) {
				t.Errorf("no way to switch to %s", c)
			}
		}
		evil := e.pageGet(base + "&name=" + url.QueryEscape(`<script>alert(1)</script>`) + "&note=" + url.QueryEscape(`"><img src=x onerror=alert(2)>`))
		if bytes.Contains(evil.raw, []byte("<script>alert")) || bytes.Contains(evil.raw, []byte("<img src=x")) {
			t.Errorf("query values are not escaped:\n%s", evil.raw)
		}
		if _, form := plFormOf(t, evil.raw); form.Get("name") != `<script>alert(1)</script>` || form.Get("field_note") != `"><img src=x onerror=alert(2)>` {
			t.Errorf("escaped values do not come back as sent: %v", form)
		}
	})
}

// TestOrderFormProblemsAreShownOnThePage sends bad forms: each answers the
// page with the field's message (never a 500), and nothing is bought.
func TestOrderFormProblemsAreShownOnThePage(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		uuid := plUUID(t, e.createLink("1", plSeedExample))
		page := e.pageGet("/p/1?uuid=" + uuid)
		action, form := plFormOf(t, page.raw)
		with := func(change func(url.Values)) url.Values {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			plFill(f)
			change(f)
			return f
		}
		for _, c := range []struct {
			name   string
			action string
			form   url.Values
			status int
			want   []string
		}{
			{"empty form", action, url.Values{"uuid": {uuid}, "currency": {"USD"}}, 422, []string{"Give your name", "Give your e-mail", "street address", "postal code", "Accept the terms"}},
			{"one name", action, with(func(f url.Values) { f.Set("name", "Eva") }), 422, []string{"first and last name"}},
			{"bad e-mail", action, with(func(f url.Values) { f.Set("email", "eva@") }), 422, []string{"is not an e-mail address"}},
			{"bad phone", action, with(func(f url.Values) { f.Set("phone_number", "call me") }), 422, []string{"is not a phone number"}},
			{"unknown item", action, with(func(f url.Values) { f.Set("item", "9999-9999") }), 422, []string{"Choose a size"}},
			{"country not sold to", action, with(func(f url.Values) { f.Set("country", "SE") }), 422, []string{"Choose a country"}},
			{"currency not offered", action, with(func(f url.Values) { f.Set("currency", "GBP") }), 422, []string{"not sold in"}},
			{"bad additional field", action, with(func(f url.Values) { f.Set("field_Bad Name", "x") }), 422, []string{"is not a field name"}},
			{"malformed uuid", action, with(func(f url.Values) { f.Set("uuid", "abc") }), 400, []string{"not valid"}},
			{"unknown uuid", action, with(func(f url.Values) { f.Set("uuid", strings.Repeat("0", 32)) }), 404, []string{"does not exist"}},
			{"unknown product", "/p/999999/checkout", with(func(url.Values) {}), 404, []string{"no such product"}},
			{"not a product id", "/p/x/checkout", with(func(url.Values) {}), 404, []string{"no such product"}},
			{"not UTF-8", action, with(func(f url.Values) { f.Set("name", "Eva \xffChoo\x00") }), 422, []string{"not text"}},
			{"huge form", action, with(func(f url.Values) { f.Set("city", strings.Repeat("x", 70<<10)) }), 400, []string{"could not be read"}},
		} {
			a := e.pagePost(c.action, c.form)
			if a.status != c.status {
				t.Errorf("%s: %d, want %d\n%s", c.name, a.status, c.status, a.raw)
				continue
			}
			for _, w := range c.want {
				if !bytes.Contains(a.raw, []byte(w)) {
					t.Errorf("%s: the page does not say %q\n%s", c.name, w, a.raw)
				}
			}
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM selection WHERE origin = 'PRODUCT_LINK'`); n != 0 {
			t.Errorf("%d selections made from bad forms", n)
		}
		// A bad form keeps what the buyer typed.
		a := e.pagePost(action, with(func(f url.Values) { f.Set("email", "nope"); f.Set("city", "Lefkoşa") }))
		if _, f := plFormOf(t, a.raw); f.Get("city") != "Lefkoşa" || f.Get("name") != "Eva Choo" {
			t.Errorf("the form lost the buyer's values: %v", f)
		}
	})
}

// TestExpiredLinkStopsSelling makes a link that expires in an hour: it
// sells before, and after the hour its page says it expired and a payment
// started before cannot finish.
func TestExpiredLinkStopsSelling(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		expires := e.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		a := e.createLink("3", map[string]any{"prices": []any{map[string]any{"currency_id": 1, "price": 500, "is_discount_price": false}},
			"expires_at": expires})
		if a.str("expires_at") != expires {
			t.Errorf("expires_at %q, want %q", a.str("expires_at"), expires)
		}
		uuid := plUUID(t, a)
		page := e.pageGet("/p/3?uuid=" + uuid)
		action, form := plFormOf(t, page.raw)
		plFill(form)
		paid := e.pagePost(action, form)
		if paid.status != http.StatusSeeOther {
			t.Fatalf("POST before expiry: %d\n%s", paid.status, paid.raw)
		}
		e.clock.Advance(2 * time.Hour)
		back := e.pageGet(paid.header.Get("Location"))
		if back.status != http.StatusGone || !bytes.Contains(back.raw, []byte("expired")) {
			t.Errorf("finishing after expiry: %d\n%s", back.status, back.raw)
		}
		if again := e.pageGet("/p/3?uuid=" + uuid); again.status != http.StatusGone || !bytes.Contains(again.raw, []byte("has expired")) {
			t.Errorf("expired page: %d\n%s", again.status, again.raw)
		}
		if post := e.pagePost(action, form); post.status != http.StatusGone {
			t.Errorf("POST after expiry: %d\n%s", post.status, post.raw)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM orders`); n != 0 {
			t.Errorf("%d orders through an expired link", n)
		}
	})
}

// TestEveryLinkHasQRCodes draws a link's page as PNG and SVG.
func TestEveryLinkHasQRCodes(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		a := e.createLink("1", plSeedExample)
		uuid := plUUID(t, a)
		qrCode, _ := a.body["qr_code"].(map[string]any)
		if qrCode["png"] != e.url+"/p/1/qr.png?uuid="+uuid || qrCode["svg"] != e.url+"/p/1/qr.svg?uuid="+uuid {
			t.Errorf("qr_code %v", qrCode)
		}
		pngAnswer := e.pageGet("/p/1/qr.png?uuid=" + uuid)
		img, err := png.Decode(bytes.NewReader(pngAnswer.raw))
		if err != nil || pngAnswer.header.Get("Content-Type") != "image/png" {
			t.Fatalf("qr.png: %d %s: %v", pngAnswer.status, pngAnswer.header.Get("Content-Type"), err)
		}
		if img.Bounds().Dx() != qr.Size {
			t.Errorf("PNG is %d pixels wide, want %d", img.Bounds().Dx(), qr.Size)
		}
		want, err := qr.PNG(e.url + "/p/1?uuid=" + uuid)
		if err != nil || !bytes.Equal(want, pngAnswer.raw) {
			t.Errorf("the PNG is not the QR code of the link's payment_link")
		}
		svg := e.pageGet("/p/1/qr.svg?uuid=" + uuid)
		wantSVG, _ := qr.SVG(e.url + "/p/1?uuid=" + uuid)
		if svg.header.Get("Content-Type") != "image/svg+xml" || !bytes.Equal(svg.raw, wantSVG) {
			t.Errorf("qr.svg: %s\n%.200s", svg.header.Get("Content-Type"), svg.raw)
		}
		if p := e.pageGet("/p/1/qr.png"); p.status != http.StatusOK {
			t.Errorf("the product page's QR code: %d", p.status)
		}
		for path, status := range map[string]int{
			"/p/1/qr.svg?uuid=zz":                         http.StatusBadRequest,
			"/p/1/qr.svg?uuid=" + strings.Repeat("f", 32): http.StatusNotFound,
			"/p/2/qr.png?uuid=" + uuid:                    http.StatusNotFound,
			"/p/999999/qr.png":                            http.StatusNotFound,
		} {
			if p := e.pageGet(path); p.status != status {
				t.Errorf("GET %s: %d, want %d", path, p.status, status)
			}
		}
		e.melCall("DELETE", "/products/1/payment-links/"+uuid, nil, "-")
		if p := e.pageGet("/p/1/qr.png?uuid=" + uuid); p.status != http.StatusGone {
			t.Errorf("a deleted link's QR code: %d, want 410", p.status)
		}
	})
}

// TestLinkPageAsksForTheStateWhereSalesTaxDependsOnIt: the United States
// taxes by state, so the page offers its states, refuses a purchase
// without one and charges New York's sales tax on a New York sale.
func TestLinkPageAsksForTheStateWhereSalesTaxDependsOnIt(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		e := startPL(t, d, "0.92")
		uuid := plUUID(t, e.createLink("1", plSeedExample))
		page := e.pageGet("/p/1?uuid=" + uuid)
		if page.status != http.StatusOK {
			t.Fatalf("GET: %d", page.status)
		}
		if got := plOptions(page.raw, "state"); !slices.Contains(got, "NY") || !slices.Contains(got, "CA") {
			t.Errorf("state options %v, want the US states", got)
		}
		if !bytes.Contains(page.raw, []byte(`<optgroup label="United States">`)) || !bytes.Contains(page.raw, []byte(">New York</option>")) {
			t.Errorf("the page does not name the states by country")
		}
		action, form := plFormOf(t, page.raw)
		plFill(form)
		form.Set("state", "")
		refused := e.pagePost(action, form)
		if refused.status != http.StatusUnprocessableEntity || !bytes.Contains(refused.raw, []byte("Choose the state in United States to ship to")) {
			t.Errorf("without a state: %d, want 422 asking for the state\n%s", refused.status, refused.raw)
		}
		if n := plCount(t, d, `SELECT COUNT(*) FROM selection WHERE origin = 'PRODUCT_LINK'`); n != 0 {
			t.Errorf("%d selections made for a refused form", n)
		}
		thanks := plBuy(t, e, "/p/1?uuid="+uuid, func(f url.Values) { f.Set("state", "ny") })
		m := orderNumber.FindSubmatch(e.pageGet(thanks).raw)
		if m == nil {
			t.Fatal("no order number on the thank-you page")
		}
		o, err := store.OrderByNumber(context.Background(), d.Read(), mustInt(t, string(m[1])))
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.StatesByIDs(context.Background(), d.Read(), []int64{derefInt(o.StateID)})
		if err != nil || len(st) != 1 || st[0].Code != "NY" {
			t.Errorf("order state %v (%v), want NY", st, err)
		}
		if o.Tax != 17750 || o.GrandTotal != 217750 || !strings.Contains(o.Address, `"state":"NY"`) {
			t.Errorf("order tax %d, total %d, address %s; want 177.50 USD New York sales tax on 2,000.00", o.Tax, o.GrandTotal, o.Address)
		}
	})
}

func derefInt(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
