package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
)

// TestPaymentTakesFormStyleTerms: a storefront that posts its checkout form
// sends termsAndConditions as "on", "1" or 1; every accepted form pays, and
// a refusal or a value that is not a yes/no is a 400 under
// errors.termsAndConditions (never errors.body).
func TestPaymentTakesFormStyleTerms(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		for _, raw := range []string{`true`, `"1"`, `1`, `"true"`, `"on"`, `"TRUE"`} {
			b := a.browser(t)
			b.must(http.StatusOK, "PUT", "/countries/SE", nil)
			b.must(http.StatusOK, "POST", "/items/1-4", []byte(`{"quantity": "1"}`))
			body := `{"termsAndConditions": ` + raw + `, "address": {"email": "ann@example.com", "firstName": "Ann", "lastName": "Lee",
				"address1": "1 Main St", "zipCode": "11122", "city": "Stockholm", "country": "SE", "newsletter": "on"}}`
			p := b.must(http.StatusOK, "POST", "/payment", []byte(body))
			if p.str("action") != "success" {
				t.Errorf("termsAndConditions %s: action %q, want success\n%s", raw, p.str("action"), p.raw)
			}
		}
		for _, tc := range []struct {
			raw     string
			outside bool
		}{{`false`, false}, {`"0"`, false}, {`0`, false}, {`"false"`, false}, {`"off"`, true}, {`"yes please"`, true}, {`2`, true}, {`null`, true}, {``, true}} {
			b := a.browser(t)
			b.must(http.StatusOK, "POST", "/items/"+tee, nil)
			body := `{"address": {"email": "ann@example.com"}}`
			if tc.raw != "" {
				body = `{"termsAndConditions": ` + tc.raw + `, "address": {"email": "ann@example.com"}}`
			}
			var opts []option
			if tc.outside {
				opts = append(opts, outside)
			}
			f := b.fails(http.StatusBadRequest, "termsAndConditions", "POST", "/payment", []byte(body), opts...)
			if f.get("errors", "body") != nil {
				t.Errorf("termsAndConditions %s: errors.body is set: %v", tc.raw, f.get("errors"))
			}
		}
	})
}

// TestFormStyleNumbersAndBooleans: quantities, paging and filters sent as
// strings work as their JSON twins; a string that is not a number is a 400
// naming the field.
func TestFormStyleNumbersAndBooleans(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		b := a.browser(t)
		s := b.must(http.StatusOK, "POST", "/items/"+tee, []byte(`{"quantity": "3"}`))
		if q := s.get("selection", "items", 0, "quantity"); q != float64(3) {
			t.Errorf("quantity \"3\": line holds %v", q)
		}
		p := b.must(http.StatusOK, "POST", "/products", []byte(`{"limit": "2", "skipFirst": "1", "onlyAvailable": "1"}`))
		if n := len(p.list("products")); n != 2 {
			t.Errorf("limit \"2\": %d products", n)
		}
		f := b.fails(http.StatusBadRequest, "limit", "POST", "/products", []byte(`{"limit": "many"}`), outside)
		if !strings.Contains(f.str("errors", "limit"), "whole number") {
			t.Errorf("errors.limit = %q, want it to say a whole number is wanted", f.str("errors", "limit"))
		}
		b.fails(http.StatusBadRequest, "quantity", "POST", "/items/"+tee, []byte(`{"quantity": "lots"}`), outside)
	})
}

// TestSelectionsCarryPaymentFields: every selection answer says which
// fields to show and which an order needs, by the country's rules: a state
// in the United States (tax by state), none in Sweden; only e-mail and
// name for a gift certificate.
func TestSelectionsCarryPaymentFields(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		b := a.browser(t)
		required := func(s answer, part, field string) bool {
			t.Helper()
			f, ok := s.get("paymentFields", part, field).(map[string]any)
			if !ok {
				t.Fatalf("paymentFields.%s.%s missing: %v", part, field, s.get("paymentFields"))
			}
			if f["visible"] == nil || f["required"] == nil || f["type"] == nil {
				t.Errorf("paymentFields.%s.%s = %v, want visible, required and type", part, field, f)
			}
			return f["required"] == true
		}
		se := b.must(http.StatusOK, "PUT", "/countries/SE", nil)
		if r, _ := se.get("paymentFields", "termsAndConditions", "required").(bool); !r {
			t.Errorf("termsAndConditions not required: %v", se.get("paymentFields", "termsAndConditions"))
		}
		for _, f := range []string{"email", "firstName", "lastName", "address1", "zipCode", "city", "country"} {
			if !required(se, "address", f) {
				t.Errorf("SE: address.%s not required", f)
			}
		}
		if required(se, "address", "state") || required(se, "address", "address2") {
			t.Error("SE: state or address2 required")
		}
		us := b.must(http.StatusOK, "PUT", "/countries/US", nil)
		if !required(us, "address", "state") {
			t.Error("US: address.state not required; the United States tax by state")
		}
		if required(us, "shippingAddress", "state") || us.get("paymentFields", "shippingAddress", "vatNumber") != nil {
			t.Errorf("US: shippingAddress = %v, want nothing required and no vatNumber", us.get("paymentFields", "shippingAddress"))
		}
		g := b.must(http.StatusOK, "POST", "/items/gift-certificates/gift-2", nil)
		if required(g, "address", "address1") || !required(g, "address", "email") {
			t.Errorf("gift certificate: address fields = %v, want e-mail and name only", g.get("paymentFields", "address"))
		}
	})
}

// TestAddressStateSetsTheTaxState: a US buyer who gives their state in the
// address (as a checkout form does) is taxed at that state's rate, as if
// the storefront had called PUT /countries/US/states/NY; an unknown state
// is a 400 on address.state.
func TestAddressStateSetsTheTaxState(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		b := a.browser(t)
		b.must(http.StatusOK, "PUT", "/countries/US", nil)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		s := b.must(http.StatusOK, "PUT", "/address", map[string]any{"address": addressIn("US", "NY")})
		if s.str("location", "state") != "NY" || s.get("selection", "totals", "grandTotalPriceTaxAsNumber") != 4.16 {
			t.Errorf("after an address in NY: state %v, tax %v, want NY and 4.16 (8.875%%)", s.get("location", "state"),
				s.get("selection", "totals", "grandTotalPriceTaxAsNumber"))
		}
		b.fails(http.StatusBadRequest, "address.state", "PUT", "/address", map[string]any{"address": addressIn("US", "Atlantis")})
	})
}
