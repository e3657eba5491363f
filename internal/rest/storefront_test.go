package rest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
)

// TestCentraStorefrontBuysTwiceOverHTTP walks what a storefront written
// for Centra's Checkout API does, over real HTTP: browse a category, open
// a product through POST /uri as "<category uri>/<product uri>", add two
// sizes, change quantities, apply a voucher and remove it with the code as
// typed, change country, pay with a form-style termsAndConditions, read
// the receipt, and add an item to the new empty selection at once.
func TestCentraStorefrontBuysTwiceOverHTTP(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		percentVoucher(t, d, "SPRING20", 20)
		sec, err := checkout.CreateSecret(context.Background(), d, "shop")
		if err != nil {
			t.Fatal(err)
		}
		srv := a.server(t, sec.Reveal())
		b := a.browser(t)

		cats := b.must(http.StatusOK, "POST", "/categories", nil).list("categories")
		if len(cats) == 0 {
			t.Fatal("no categories")
		}
		catURI := cats[0].(map[string]any)["uri"].(string)
		found := b.must(http.StatusOK, "POST", "/uri", map[string]any{"uri": catURI, "for": []string{"category", "product"}})
		if found.str("found") != "category" || len(found.list("products")) == 0 {
			t.Fatalf("POST /uri %q: %s", catURI, found.raw)
		}
		var product map[string]any
		for _, p := range found.list("products") {
			pm := p.(map[string]any)
			inStock := 0
			for _, it := range pm["items"].([]any) {
				if it.(map[string]any)["stock"] == "yes" {
					inStock++
				}
			}
			if inStock >= 2 {
				product = pm
				break
			}
		}
		if product == nil {
			t.Fatalf("no product of %q has two sizes in stock", catURI)
		}
		path := catURI + "/" + product["uri"].(string)
		opened := b.must(http.StatusOK, "POST", "/uri", map[string]any{"uri": path, "for": []string{"product", "category"}})
		if opened.str("found") != "product" || opened.str("product", "product") != product["product"] {
			t.Fatalf("POST /uri %q: %s", path, opened.raw)
		}
		if opened.str("product", "categoryUri") != catURI || opened.get("product", "media") == nil || opened.get("product", "relatedProducts") == nil {
			t.Errorf("the product opened through its category: categoryUri %v, media %v, relatedProducts %v", opened.get("product", "categoryUri"),
				opened.get("product", "media"), opened.get("product", "relatedProducts"))
		}
		var items []string
		for _, it := range opened.list("product", "items") {
			if im := it.(map[string]any); im["stock"] == "yes" && len(items) < 2 {
				items = append(items, im["item"].(string))
			}
		}
		b.must(http.StatusOK, "POST", "/items/"+items[0], nil)
		s := b.must(http.StatusOK, "POST", "/items/"+items[1], []byte(`{"quantity": "1"}`))
		lines := map[string]string{}
		for _, it := range s.list("selection", "items") {
			im := it.(map[string]any)
			lines[im["item"].(string)] = im["line"].(string)
		}
		b.must(http.StatusOK, "PUT", "/lines/"+lines[items[0]]+"/quantity/2", nil)
		s = b.must(http.StatusOK, "POST", "/lines/"+lines[items[1]], nil)
		s = b.must(http.StatusOK, "DELETE", "/lines/"+lines[items[1]]+"/quantity/1", nil)
		if q := s.get("selection", "totals", "totalQuantity"); q != float64(3) {
			t.Errorf("after changing quantities: totalQuantity %v, want 3", q)
		}
		selID := s.str("selection", "selection")

		s = b.must(http.StatusOK, "POST", "/vouchers", map[string]any{"voucher": "spring20"})
		shown := s.str("selection", "discounts", "vouchers", 0, "voucher")
		if shown != "spring20" {
			t.Errorf("the shopper sees the voucher as %q, want spring20 as typed", shown)
		}
		if other := srv.must(http.StatusOK, "GET", "/selections/"+selID, nil).str("selection", "discounts", "vouchers", 0, "voucher"); other != "…20" { // the hint: a third of the code, at most 4 characters
			t.Errorf("a server sees the voucher as %q, want …20", other)
		}
		s = b.must(http.StatusOK, "DELETE", "/vouchers", map[string]any{"voucher": shown})
		if n := len(s.list("selection", "discounts", "vouchers")); n != 0 || s.get("selection", "discounts", "anyDiscount") != false {
			t.Errorf("after DELETE /vouchers: %v", s.get("selection", "discounts"))
		}

		s = b.must(http.StatusOK, "PUT", "/countries/DE", nil)
		if s.str("selection", "currency") != "EUR" {
			t.Errorf("in Germany the selection is in %s", s.str("selection", "currency"))
		}
		s = b.must(http.StatusOK, "PUT", "/countries/US/states/NY", nil)
		if s.str("selection", "currency") != "USD" || s.get("paymentFields", "address", "state", "required") != true {
			t.Errorf("in New York: currency %s, state field %v", s.str("selection", "currency"), s.get("paymentFields", "address", "state"))
		}
		body := `{"termsAndConditions": "on", "address": {"email": "ann@example.com", "firstName": "Ann", "lastName": "Lee",
			"address1": "1 Main St", "zipCode": "10001", "city": "New York", "state": "NY", "country": "US", "newsletter": "1"}}`
		paid := b.must(http.StatusOK, "POST", "/payment", []byte(body))
		if paid.str("action") != "success" {
			t.Fatalf("payment: %s", paid.raw)
		}
		r := b.must(http.StatusOK, "GET", "/receipt", nil)
		if r.str("order", "order") != paid.str("order", "order") || r.str("order", "statusDescription") != "Pending" ||
			r.str("order", "items", 0, "product", "product") != product["product"] || len(r.list("order", "items")) != 2 {
			t.Errorf("receipt: %s", r.raw)
		}
		again := b.must(http.StatusOK, "POST", "/items/"+items[0], nil)
		if again.str("selection", "selection") == selID || len(again.list("selection", "items")) != 1 {
			t.Errorf("buying again: selection %s with %d items", again.str("selection", "selection"), len(again.list("selection", "items")))
		}
	})
}

// centraModels is testdata/centra-types/models.json: the fields of
// Centra's Checkout API models as @noaignite/centra-types declares them,
// and where Seam differs on purpose.
type centraModels struct {
	Version     string                       `json:"version"`
	Models      map[string]map[string]string `json:"models"`
	Differences map[string]struct {
		Seam string `json:"seam"`
		Why  string `json:"why"`
	} `json:"differences"`
}

// TestCheckoutAnswersCarryCentraTypesFields: every field of the published
// TypeScript models is in Seam's answers with its JSON type, except the
// differences listed (with their reasons) in the test data.
func TestCheckoutAnswersCarryCentraTypesFields(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/centra-types/models.json")
	if err != nil {
		t.Fatal(err)
	}
	var m centraModels
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for key, d := range m.Differences {
		model, field, _ := strings.Cut(key, ".")
		if _, ok := m.Models[model][field]; !ok || d.Why == "" {
			t.Errorf("difference %s names no field of the models, or gives no reason", key)
		}
	}
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		percentVoucher(t, d, "TYPES10", 10)
		b := a.browser(t)
		b.must(http.StatusOK, "POST", "/items/1-4", nil)
		env := b.must(http.StatusOK, "POST", "/vouchers", map[string]any{"voucher": "TYPES10"})
		products := b.must(http.StatusOK, "POST", "/products", map[string]any{"limit": 3})
		found := b.must(http.StatusOK, "POST", "/uri", map[string]any{"uri": products.str("products", 0, "uri")})
		countries := b.must(http.StatusOK, "GET", "/countries", nil)
		b.must(http.StatusOK, "POST", "/payment", pay(addressIn("SE", "")))
		receipt := b.must(http.StatusOK, "GET", "/receipt", nil)

		check := func(model, where string, v any) {
			t.Helper()
			obj, ok := v.(map[string]any)
			if !ok {
				t.Errorf("%s: %s is not an object: %v", model, where, v)
				return
			}
			for field, tsType := range m.Models[model] {
				want := tsType
				if d, ok := m.Differences[model+"."+field]; ok {
					want = d.Seam
				}
				got, present := obj[field]
				if want == "absent" {
					if present {
						t.Errorf("%s.%s (%s) is listed as absent but is there; drop the difference", model, field, where)
					}
					continue
				}
				if !present {
					t.Errorf("%s.%s (%s) is missing; want %s", model, field, where, want)
					continue
				}
				if jt := jsonType(got); !slices.Contains(strings.Split(want, "|"), jt) {
					t.Errorf("%s.%s (%s) is %s, want %s", model, field, where, jt, want)
				}
			}
		}
		check("SelectionResponse", "POST /vouchers", env.body)
		check("Selection", "POST /vouchers selection", env.get("selection"))
		check("SelectionItem", "selection.items[0]", env.get("selection", "items", 0))
		check("Product", "selection.items[0].product", env.get("selection", "items", 0, "product"))
		check("Product", "POST /products products[0]", products.get("products", 0))
		check("Product", "POST /uri product", found.get("product"))
		check("Country", "GET /countries", countries.get("countries", 0))
		check("Country", "selection answer countries", env.get("countries", 0))
		check("Order", "GET /receipt order", receipt.get("order"))
		check("SelectionItem", "GET /receipt order.items[0]", receipt.get("order", "items", 0))
		check("PaymentField", "paymentFields.termsAndConditions", env.get("paymentFields", "termsAndConditions"))
		check("PaymentField", "paymentFields.address.email", env.get("paymentFields", "address", "email"))
	})
}

// jsonType names a decoded JSON value's type as the models do.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}
