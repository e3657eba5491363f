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

// TestUSPaymentNeedsAState: paymentFields say a US buyer gives a state, and
// POST /payment enforces it. Without a tax state (no PUT
// /countries/US/states/{s}, no address state) the payment is a 400 on
// address.state (and on shippingAddress.state when a different shipping
// address lacks one too) with nothing reserved and no order; with a state
// the order carries it and its tax; a country without states (SE) and a
// gift certificate (e-mail and name) pay as before.
func TestUSPaymentNeedsAState(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		allocated := func() int64 { return dbtest.Int(t, d, `SELECT COALESCE(SUM(allocated), 0) FROM stock`) }
		orders := func() int64 { return dbtest.Int(t, d, `SELECT COUNT(*) FROM orders`) }
		orderState := func(o answer) string {
			return dbtest.String(t, d, `SELECT COALESCE((SELECT s.code FROM state s WHERE s.id = o.state_id), '') || ' ' || o.tax_minor
				FROM orders o WHERE o.hash = '`+o.str("order", "id")+`'`)
		}
		allocBefore, ordersBefore := allocated(), orders()

		b := a.browser(t)
		b.must(http.StatusOK, "PUT", "/countries/US", nil)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		e := b.fails(http.StatusBadRequest, "address.state", "POST", "/payment", pay(addressIn("US", "")))
		if e.get("errors", "shippingAddress.state") != nil {
			t.Errorf("no shipping address given, yet errors = %v", e.get("errors"))
		}
		ship := addressIn("US", "")
		ship["address1"] = "2 Side St"
		in := pay(addressIn("US", ""))
		in["shippingAddress"] = ship
		b.fails(http.StatusBadRequest, "shippingAddress.state", "POST", "/payment", in)
		b.fails(http.StatusBadRequest, "address.state", "POST", "/payment", in)
		if got, want := allocated(), allocBefore; got != want {
			t.Errorf("allocated %d after refused payments, want %d (nothing reserved)", got, want)
		}
		if got := orders(); got != ordersBefore {
			t.Errorf("%d orders after refused payments, want %d", got, ordersBefore)
		}
		// The shipping address's state is the one taxed.
		ship["state"] = "CA"
		in["shippingAddress"] = ship
		o := b.must(http.StatusOK, "POST", "/payment", in)
		ca := orderState(o)
		if !strings.HasPrefix(ca, "CA ") || ca == "CA 0" {
			t.Errorf("order with a shipping address in CA: state and tax %q, want CA and California's tax", ca)
		}

		// A billing address in NY: New York's tax (8.875 % of 46.89 USD).
		b = a.browser(t)
		b.must(http.StatusOK, "PUT", "/countries/US", nil)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		if got := orderState(b.must(http.StatusOK, "POST", "/payment", pay(addressIn("US", "NY")))); got != "NY 416" {
			t.Errorf("order with an address in NY: state and tax %q, want \"NY 416\"", got)
		}

		// A state chosen with PUT /countries/US/states/NY is enough.
		b = a.browser(t)
		b.must(http.StatusOK, "PUT", "/countries/US/states/NY", nil)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		if got := orderState(b.must(http.StatusOK, "POST", "/payment", pay(addressIn("US", "")))); got != "NY 416" {
			t.Errorf("order after PUT /countries/US/states/NY: state and tax %q, want \"NY 416\"", got)
		}

		// Sweden has no states: nothing changes.
		b = a.browser(t)
		b.must(http.StatusOK, "PUT", "/countries/SE", nil)
		b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		if got := orderState(b.must(http.StatusOK, "POST", "/payment", pay(addressIn("SE", "")))); got != " 8760" {
			t.Errorf("order in SE: state and tax %q, want no state and 8760", got)
		}
		// A gift certificate ships nothing: e-mail and name suffice.
		b = a.browser(t)
		b.must(http.StatusOK, "PUT", "/countries/US", nil)
		b.must(http.StatusOK, "POST", "/items/gift-certificates/gift-2", nil)
		buyer := addressIn("US", "")
		delete(buyer, "address1")
		delete(buyer, "zipCode")
		delete(buyer, "city")
		if o := b.must(http.StatusOK, "POST", "/payment", pay(buyer)); o.str("order", "id") == "" {
			t.Errorf("gift certificate in the US without a state: %v, want an order", o.get("errors"))
		}
		if got := orders(); got != ordersBefore+5 {
			t.Errorf("%d orders, want %d", got, ordersBefore+5)
		}
	})
}
