package rest_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/payment"
	"seam/internal/rest"
	"seam/internal/voucher"
)

// TestCheckoutAPIKeepsItsContract walks the demo shop through every call of
// the Checkout API, as a browser and as a server, including the error
// answers, with every request and answer checked against openapi.yaml.
func TestCheckoutAPIKeepsItsContract(t *testing.T) {
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		const code = "SAVE10"
		percentVoucher(t, d, code, 10)
		var items []string
		t.Run("catalog", func(t *testing.T) { items = browseCatalog(t, a) })
		if len(items) < 2 {
			t.Fatalf("the demo shop has %d available items, want 2", len(items))
		}
		t.Run("session checkout", func(t *testing.T) {
			b := a.browser(t)
			b.must(http.StatusOK, "GET", "/selection", nil)
			shop(t, b, "", items, code, map[string]any{"country": "SE", "language": "sv"})
		})
		t.Run("server checkout", func(t *testing.T) { serverCheckout(t, a, items, code) })
		t.Run("declined payments", func(t *testing.T) { declinedPayments(t, a, items[0]) })
		t.Run("sold out", func(t *testing.T) { soldOut(t, a, items[0]) })
		t.Run("idempotency", func(t *testing.T) { idempotency(t, a, items) })
		t.Run("refusals", func(t *testing.T) { refusals(t, a, items[0]) })
		t.Run("payment links", func(t *testing.T) { paymentLinks(t, a) })
		t.Run("gift certificates", func(t *testing.T) { giftCertificateCalls(t, a) })
		if left := a.unexercised(); len(left) > 0 {
			t.Errorf("openapi.yaml operations no request reached:\n%s", strings.Join(left, "\n"))
		}
	})
}

// browseCatalog calls every catalog call and returns items free to buy.
func browseCatalog(t *testing.T, a *api) []string {
	b := a.browser(t)
	doc := b.must(http.StatusOK, "GET", "/openapi.yaml", nil)
	if !bytes.Equal(doc.raw, rest.OpenAPI) {
		t.Errorf("GET /openapi.yaml does not serve rest.OpenAPI")
	}
	countries := b.must(http.StatusOK, "GET", "/countries", nil)
	if b.token == "" {
		t.Fatalf("the first call answered no session token: %s", countries.raw)
	}
	if len(countries.list("countries")) != 4 {
		t.Errorf("countries = %s, want the demo's 4", countries.get("countries"))
	}
	b.must(http.StatusOK, "GET", "/markets", nil)
	b.must(http.StatusOK, "GET", "/pricelists", nil)
	b.must(http.StatusOK, "GET", "/languages", nil)
	cats := b.must(http.StatusOK, "POST", "/categories", map[string]any{})
	var tops, topsURI string
	for i := range cats.list("categories") {
		if cats.str("categories", i, "name") == "Tops" {
			tops, topsURI = cats.str("categories", i, "category"), cats.str("categories", i, "uri")
		}
	}
	all := b.must(http.StatusOK, "POST", "/products", nil)
	first := all.str("products", 0, "product")
	brandID, err := strconv.Atoi(all.str("products", 0, "brand"))
	if err != nil {
		t.Fatalf("the first product has no brand: %s", all.raw)
	}
	// Ids as strings and as numbers.
	filtered := b.must(http.StatusOK, "POST", "/products", map[string]any{"categories": []any{tops}, "brands": []any{brandID},
		"search": "Tee", "onlyAvailable": true, "skipFirst": 0, "limit": 5})
	if n := len(filtered.list("products")); n == 0 || n > 5 {
		t.Errorf("filtered products: %d, want 1 to 5", n)
	}
	for i := range filtered.list("products") {
		if name := filtered.str("products", i, "name"); !strings.Contains(name, "Tee") {
			t.Errorf("search Tee found %q", name)
		}
	}
	p := b.must(http.StatusOK, "GET", "/products/"+first, nil)
	if p.str("product", "product") != first {
		t.Errorf("GET /products/%s answered product %s", first, p.str("product", "product"))
	}
	found := b.must(http.StatusOK, "POST", "/uri", map[string]any{"uri": p.str("product", "uri")})
	if found.str("found") != "product" || found.str("product", "product") != first {
		t.Errorf("POST /uri of product %s found %s %s", first, found.str("found"), found.str("product", "product"))
	}
	found = b.must(http.StatusOK, "POST", "/uri", map[string]any{"uri": topsURI, "for": []string{"category"}})
	if found.str("found") != "category" || found.str("category", "category") != tops {
		t.Errorf("POST /uri of category %s found %s", topsURI, found.raw)
	}
	sub := b.must(http.StatusOK, "POST", "/newsletter-subscription", map[string]any{"email": "ann@example.com", "country": "SE"})
	if sub.get("subscribed") != true {
		t.Errorf("newsletter: %s", sub.raw)
	}
	var items []string
	avail := b.must(http.StatusOK, "POST", "/products", map[string]any{"onlyAvailable": true, "limit": 10})
	for i := range avail.list("products") {
		for j := range avail.list("products", i, "items") {
			if avail.get("products", i, "items", j, "available") == true {
				items = append(items, avail.str("products", i, "items", j, "item"))
				break
			}
		}
	}
	return items
}

var shopper = map[string]any{"email": "ann@example.com", "firstName": "Ann", "lastName": "Andersson", "address1": "Storgatan 1",
	"zipCode": "11122", "city": "Stockholm", "country": "SE", "newsletter": true}

// shop fills a selection and pays for it, with every cart call at
// prefix ("" for the session form, /selections/{id} for the server form).
func shop(t *testing.T, c *client, prefix string, items []string, code string, location map[string]any) {
	c.must(http.StatusOK, "PUT", prefix+"/selection", location)
	a, b := items[0], items[1]
	c.must(http.StatusOK, "POST", prefix+"/items/"+a, nil)
	s := c.must(http.StatusOK, "POST", prefix+"/items/"+a, map[string]any{"quantity": 2})
	if n := len(s.list("selection", "items")); n != 1 || s.get("selection", "items", 0, "quantity") != 3.0 {
		t.Fatalf("adding %s twice: %d lines, quantity %v; want 1 line of 3", a, n, s.get("selection", "items", 0, "quantity"))
	}
	s = c.must(http.StatusOK, "POST", prefix+"/items/"+b+"/quantity/2", nil)
	lineA, lineB := s.str("selection", "items", 0, "line"), s.str("selection", "items", 1, "line")
	for _, step := range []struct {
		method, path string
		want         float64
	}{
		{"POST", "/lines/" + lineA, 4},
		{"POST", "/lines/" + lineA + "/quantity/2", 6},
		{"DELETE", "/lines/" + lineA + "/quantity/5", 1},
		{"PUT", "/lines/" + lineA + "/quantity/2", 2},
	} {
		s = c.must(http.StatusOK, step.method, prefix+step.path, nil)
		if got := s.get("selection", "items", 0, "quantity"); got != step.want {
			t.Errorf("%s %s: quantity %v, want %v", step.method, step.path, got, step.want)
		}
	}
	s = c.must(http.StatusOK, "DELETE", prefix+"/lines/"+lineB, nil)
	if n := len(s.list("selection", "items")); n != 1 {
		t.Errorf("after DELETE /lines/%s: %d lines, want 1", lineB, n)
	}

	s = c.must(http.StatusOK, "POST", prefix+"/vouchers", map[string]any{"voucher": strings.ToLower(code)})
	// The session that typed the code sees it as typed; others its end.
	want := "…" + voucher.Hint(code)
	if c.token != "" {
		want = strings.ToLower(code)
	}
	if got := s.str("selection", "discounts", "vouchers", 0, "voucher"); got != want {
		t.Errorf("voucher on the selection shows %q, want %q: %v", got, want, s.get("selection", "discounts"))
	}
	c.must(http.StatusOK, "DELETE", prefix+"/vouchers/"+code, nil)
	c.must(http.StatusOK, "POST", prefix+"/vouchers", map[string]any{"voucher": code})
	s = c.must(http.StatusOK, "DELETE", prefix+"/vouchers", map[string]any{"voucher": code})
	if n := len(s.list("selection", "discounts", "vouchers")); n != 0 {
		t.Errorf("after removing the voucher: %d vouchers", n)
	}
	s = c.must(http.StatusOK, "POST", prefix+"/vouchers", map[string]any{"voucher": code})
	if off, _ := s.get("selection", "totals", "totalDiscountPriceAsNumber").(float64); off >= 0 {
		t.Errorf("a 10%% voucher takes off %v", off)
	}

	s = c.must(http.StatusOK, "PUT", prefix+"/countries/us/states/NY", nil)
	if s.str("location", "country") != "US" || s.str("location", "state") != "NY" || s.str("selection", "currency") != "USD" {
		t.Errorf("after PUT /countries/us/states/NY: location %v, currency %s", s.get("location"), s.str("selection", "currency"))
	}
	c.must(http.StatusOK, "PUT", prefix+"/countries/SE", nil)
	c.must(http.StatusOK, "PUT", prefix+"/languages/de", nil)
	ship := c.must(http.StatusOK, "GET", prefix+"/shipping-methods", nil).str("shippingMethods", 0, "shippingMethod")
	s = c.must(http.StatusOK, "PUT", prefix+"/shipping-methods/"+ship, nil)
	if s.str("selection", "shippingMethod") != ship {
		t.Errorf("shipping method %s, want %s", s.str("selection", "shippingMethod"), ship)
	}
	pay := c.must(http.StatusOK, "GET", prefix+"/payment-methods", nil).str("paymentMethods", 0, "paymentMethod")
	c.must(http.StatusOK, "PUT", prefix+"/payment-methods/"+pay, nil)
	s = c.must(http.StatusOK, "PUT", prefix+"/address", map[string]any{"address": shopper,
		"shippingAddress": map[string]any{"firstName": "Bo", "lastName": "Berg", "address1": "Lillgatan 2", "zipCode": "41101", "city": "Göteborg", "country": "SE"}})
	if s.str("selection", "address", "email") != "ann@example.com" || s.str("selection", "shippingAddress", "city") != "Göteborg" {
		t.Errorf("addresses: %v, %v", s.get("selection", "address"), s.get("selection", "shippingAddress"))
	}

	started := c.must(http.StatusOK, "POST", prefix+"/payment", map[string]any{"paymentMethod": pay, "termsAndConditions": true,
		"paymentReturnPage": "https://shop.example/thanks", "paymentFailedPage": "https://shop.example/failed",
		"paymentMethodSpecificFields": map[string]any{"card": payment.CardApprove}})
	fields := returnFields(t, started)
	c.fails(http.StatusConflict, "selection", "POST", prefix+"/items/"+a, nil)
	done := c.must(http.StatusOK, "POST", prefix+"/payment-result", map[string]any{"paymentMethodFields": fields})
	number := done.get("order", "number")
	if done.str("action") != "success" || number == nil {
		t.Fatalf("payment result: %s", done.raw)
	}
	again := c.must(http.StatusOK, "POST", prefix+"/payment-result", map[string]any{"paymentMethodFields": fields})
	receipt := c.must(http.StatusOK, "GET", prefix+"/receipt", nil)
	if again.get("order", "number") != number || receipt.get("order", "number") != number {
		t.Errorf("order %v; again %v, receipt %v", number, again.get("order", "number"), receipt.get("order", "number"))
	}
}

// returnFields reads the fields a redirect to the storefront's return page
// carries.
func returnFields(t *testing.T, started answer) map[string]string {
	t.Helper()
	if started.str("action") != "redirect" {
		t.Fatalf("payment: %s, want action redirect", started.raw)
	}
	u, err := url.Parse(started.str("url"))
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for _, k := range []string{"seam_payment", "result", "sig"} {
		if fields[k] = u.Query().Get(k); fields[k] == "" {
			t.Fatalf("redirect %s has no %s", u, k)
		}
	}
	return fields
}

// serverCheckout pays a shopper's selection with the server form, after a
// second browser attached to it.
func serverCheckout(t *testing.T, a *api, items []string, code string) {
	sec, err := checkout.CreateSecret(context.Background(), a.d, "shop")
	if err != nil {
		t.Fatal(err)
	}
	owner := a.browser(t)
	id := owner.must(http.StatusOK, "GET", "/selection", nil).str("selection", "selection")
	other := a.browser(t)
	other.must(http.StatusOK, "GET", "/selection", nil)
	if got := other.must(http.StatusOK, "PUT", "/selections/"+id, nil).str("selection", "selection"); got != id {
		t.Errorf("attached to %s, answered selection %s", id, got)
	}
	srv := a.server(t, sec.Reveal())
	s := srv.must(http.StatusOK, "GET", "/selections/"+id, nil)
	if s.get("token") != nil {
		t.Errorf("a server call without API-Token answered token %v", s.get("token"))
	}
	countries := owner.must(http.StatusOK, "GET", "/countries", nil)
	location := map[string]any{"country": "SE"}
	for i := range countries.list("countries") {
		if countries.str("countries", i, "country") == "SE" {
			// The market as a string, the pricelist as a number: both are ids.
			pricelist, _ := strconv.Atoi(countries.str("countries", i, "pricelist"))
			location["market"], location["pricelist"] = countries.str("countries", i, "market"), pricelist
		}
	}
	shop(t, srv, "/selections/"+id, items, code, location)
	if got := owner.must(http.StatusOK, "GET", "/receipt", nil).str("order", "order"); got == "" {
		t.Errorf("the owner's session has no receipt")
	}
	late := a.browser(t)
	late.must(http.StatusOK, "GET", "/selection", nil)
	late.fails(http.StatusConflict, "selection", "PUT", "/selections/"+id, nil)

	srv.fails(http.StatusNotFound, "notFound", "GET", "/selections/0123456789abcdef/receipt", nil)
	srv.fails(http.StatusUnauthorized, "authorization", "GET", "/selections/"+id, nil, header("Authorization", "Bearer seam_ss_wrong"))
	owner.fails(http.StatusForbidden, "authorization", "GET", "/selections/"+id+"/receipt", nil, outside)
	noSession := a.server(t, sec.Reveal())
	noSession.fails(http.StatusForbidden, "authorization", "GET", "/selection", nil, header("API-Token", "none"))
}

var declineLink = regexp.MustCompile(`href="([^"]*)">Decline<`)

// declinedPayments pays with a card the test provider declines at once,
// and with one it declines on its 3-D-Secure-like page.
func declinedPayments(t *testing.T, a *api, item string) {
	b := a.browser(t)
	b.must(http.StatusOK, "POST", "/items/"+item, nil)
	b.must(http.StatusOK, "PUT", "/address", map[string]any{"address": shopper})
	pay := func(card string) answer {
		return b.must(http.StatusOK, "POST", "/payment", map[string]any{"termsAndConditions": true,
			"paymentReturnPage": "https://shop.example/thanks", "paymentFailedPage": "https://shop.example/failed",
			"paymentMethodSpecificFields": map[string]any{"card": card}})
	}
	declined := pay(payment.CardDecline)
	if declined.str("action") != "failed" || declined.str("errors", "paymentMethod") == "" {
		t.Errorf("declined card: %s, want action failed with errors.paymentMethod", declined.raw)
	}
	page := pay(payment.CardRedirect).str("url")
	resp, err := b.hc.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	resp.Body.Close()
	m := declineLink.FindStringSubmatch(body.String())
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("test payment page %s: status %d, no Decline link:\n%s", page, resp.StatusCode, body.String())
	}
	back, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for k := range back.Query() {
		fields[k] = back.Query().Get(k)
	}
	b.fails(http.StatusPaymentRequired, "paymentMethod", "POST", "/payment-result", map[string]any{"paymentMethodFields": fields})
	// The stock went back and the selection is open again.
	b.must(http.StatusOK, "POST", "/items/"+item, nil)
}

// soldOut pays for more than the demo stock holds.
func soldOut(t *testing.T, a *api, item string) {
	b := a.browser(t)
	b.must(http.StatusOK, "POST", "/items/"+item+"/quantity/100", nil)
	s := b.fails(http.StatusGone, "stock", "POST", "/payment", map[string]any{"termsAndConditions": true, "address": shopper})
	if s.str("unavailable", 0, "item") != item || s.get("unavailable", 0, "originalQuantity") != 100.0 {
		t.Errorf("unavailable = %v, want item %s of 100", s.get("unavailable"), item)
	}
	if s.str("selection", "selection") == "" {
		t.Errorf("a sold-out answer carries the selection: %s", s.raw)
	}
	// Nothing was reserved: the selection can still change.
	b.must(http.StatusOK, "PUT", "/lines/"+s.str("unavailable", 0, "line")+"/quantity/1", nil)
}

// idempotency repeats calls with an Idempotency-Key.
func idempotency(t *testing.T, a *api, items []string) {
	b := a.browser(t)
	b.must(http.StatusOK, "GET", "/selection", nil)
	key := header("Idempotency-Key", "add-1")
	first := b.must(http.StatusOK, "POST", "/items/"+items[0], nil, key)
	again := b.must(http.StatusOK, "POST", "/items/"+items[0], nil, key)
	if again.header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.raw, again.raw) {
		t.Errorf("repeat: Idempotent-Replayed %q, same answer %v", again.header.Get("Idempotent-Replayed"), bytes.Equal(first.raw, again.raw))
	}
	if n := again.get("selection", "items", 0, "quantity"); n != 1.0 {
		t.Errorf("after a repeated add: quantity %v, want 1", n)
	}
	b.fails(http.StatusUnprocessableEntity, "Idempotency-Key", "POST", "/items/"+items[1], nil, key)
}

// refusals are the error answers of malformed or impossible calls.
func refusals(t *testing.T, a *api, item string) {
	b := a.browser(t)
	b.must(http.StatusOK, "GET", "/selection", nil)
	b.fails(http.StatusNotFound, "notFound", "POST", "/items/999999-999999", nil)
	b.fails(http.StatusBadRequest, "quantity", "POST", "/items/"+item+"/quantity/0", nil, outside)
	b.fails(http.StatusBadRequest, "quantity", "POST", "/items/"+item, map[string]any{"quantity": 0}, outside)
	b.fails(http.StatusBadRequest, "quantity", "PUT", "/lines/abc/quantity/10001", nil, outside)
	b.fails(http.StatusNotFound, "notFound", "DELETE", "/lines/abc", nil)
	b.fails(http.StatusBadRequest, "voucher", "POST", "/vouchers", map[string]any{"voucher": "NOSUCHCODE"})
	b.fails(http.StatusNotFound, "notFound", "DELETE", "/vouchers/NOSUCHCODE", nil)
	b.fails(http.StatusBadRequest, "country", "PUT", "/countries/FR", nil)
	b.fails(http.StatusNotFound, "notFound", "PUT", "/countries/SE/states/XX", nil)
	b.fails(http.StatusNotFound, "notFound", "PUT", "/languages/xx", nil)
	b.fails(http.StatusBadRequest, "address", "PUT", "/address", map[string]any{})
	b.fails(http.StatusBadRequest, "address.email", "PUT", "/address", map[string]any{"address": map[string]any{"email": "not an address"}})
	b.fails(http.StatusForbidden, "authorization", "PUT", "/selection", map[string]any{"market": 1})
	b.fails(http.StatusBadRequest, "termsAndConditions", "POST", "/payment", map[string]any{"termsAndConditions": false})
	b.fails(http.StatusBadRequest, "items", "POST", "/payment", map[string]any{"termsAndConditions": true})
	b.fails(http.StatusConflict, "selection", "POST", "/payment-result", map[string]any{"paymentMethodFields": map[string]any{}})
	b.fails(http.StatusNotFound, "notFound", "GET", "/receipt", nil)
	b.fails(http.StatusNotFound, "notFound", "GET", "/products/999999", nil)
	b.fails(http.StatusBadRequest, "limit", "POST", "/products", map[string]any{"limit": 101}, outside)
	b.fails(http.StatusNotFound, "notFound", "POST", "/uri", map[string]any{"uri": "no/such/thing"})
	b.fails(http.StatusBadRequest, "email", "POST", "/newsletter-subscription", map[string]any{"email": "nobody"})
	big := []byte(fmt.Sprintf(`{"voucher":%q}`, strings.Repeat("x", rest.MaxBody)))
	if tooBig := b.fails(http.StatusRequestEntityTooLarge, "body", "POST", "/vouchers", big); tooBig.get("token") != nil {
		t.Errorf("413 answered token %v before reading the session", tooBig.get("token"))
	}
	b.fails(http.StatusUnauthorized, "authorization", "GET", "/selection", nil, header("Authorization", "Bearer seam_ss_wrong"))
}

// paymentLinks claims an operator's payment link and draws its QR codes.
func paymentLinks(t *testing.T, a *api) {
	op := newOperator(t, a.d)
	l := op.link(op.selection(1, 0), "lockQuantities: true")
	b := a.browser(t)
	b.must(http.StatusOK, "POST", "/payment-links/"+l.selection+"/"+l.hash, nil)
	b.fails(http.StatusBadRequest, "hash", "POST", "/payment-links/"+l.selection+"/short", nil)
	for _, format := range []string{"png", "svg"} {
		b.must(http.StatusOK, "GET", "/payment-links/"+l.selection+"/"+l.hash+"/qr."+format, nil)
		b.must(http.StatusNotFound, "GET", "/payment-links/"+l.selection+"/"+strings.Repeat("A", 43)+"/qr."+format, nil)
	}
}

// giftCertificateCalls lists and buys gift certificates in both forms and
// asks for a balance.
func giftCertificateCalls(t *testing.T, a *api) {
	b := a.browser(t)
	b.must(http.StatusOK, "GET", "/gift-certificates", nil)
	b.must(http.StatusOK, "POST", "/items/gift-certificates/gift-2", nil)
	b.must(http.StatusOK, "POST", "/items/gift-certificates/gift-1/amount/100", nil)
	sec, err := checkout.CreateSecret(context.Background(), a.d, "gifts")
	if err != nil {
		t.Fatal(err)
	}
	id := b.must(http.StatusOK, "GET", "/selection", nil).str("selection", "selection")
	srv := a.server(t, sec.Reveal())
	srv.must(http.StatusOK, "POST", "/selections/"+id+"/gift-certificates/gift-1", map[string]any{"amount": 250})
	srv.must(http.StatusOK, "POST", "/selections/"+id+"/gift-certificates/gift-2/amount/100", nil)
	b.fails(http.StatusNotFound, "notFound", "POST", "/gift-certificates/balance", map[string]any{"code": "NOPENOPENOPENOPE"})
}
