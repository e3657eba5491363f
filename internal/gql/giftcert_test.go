package gql_test

import (
	"strconv"
	"strings"
	"testing"

	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

func TestGiftCertificateDefinitions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		const fields = `id code name type currencyOfSaleOnly showGiftAmount validityDays status store { id }
			amounts { value currency { code } } bounds { min { value currency { code } } max { value currency { code } } }`
		r := c.MustOK(`mutation { createGiftCertificate(input: {store: {id: 1}, code: "gift-2", name: "Gift 2", type: predeterminedAmount,
			currencyOfSaleOnly: true, showGiftAmount: false, validityDays: 30,
			amounts: [{value: 1000, currencyIsoCode: "JPY"}, {value: 10, currencyIsoCode: "USD"}]}) {
			userErrors { message path } giftCertificate { `+fields+` } } }`, nil)
		g := gqltest.Get(r.Data, "createGiftCertificate", "giftCertificate")
		if g == nil {
			t.Fatalf("no certificate: %v", r.UserErrors("createGiftCertificate"))
		}
		for _, want := range []struct {
			path []any
			val  any
		}{
			{[]any{"code"}, "gift-2"}, {[]any{"type"}, "predeterminedAmount"}, {[]any{"currencyOfSaleOnly"}, true},
			{[]any{"showGiftAmount"}, false}, {[]any{"validityDays"}, 30.0}, {[]any{"status"}, "ACTIVE"},
			{[]any{"amounts", 0, "currency", "code"}, "JPY"}, {[]any{"amounts", 0, "value"}, 1000.0},
			{[]any{"amounts", 1, "currency", "code"}, "USD"}, {[]any{"amounts", 1, "value"}, 10.0},
		} {
			if got := gqltest.Get(g, want.path...); got != want.val {
				t.Errorf("%v = %v, want %v", want.path, got, want.val)
			}
		}
		id := gqltest.ID(r.Data, "createGiftCertificate", "giftCertificate", "id")

		r = c.MustOK(`mutation { createGiftCertificate(input: {store: {id: 1}, code: "gift-1", name: "Any", type: anyAmount,
			bounds: [{min: {value: 50, currencyIsoCode: "SEK"}, max: {value: 5000, currencyIsoCode: "SEK"}}]}) {
			userErrors { message path } giftCertificate { `+fields+` } } }`, nil)
		if got := gqltest.Get(r.Data, "createGiftCertificate", "giftCertificate", "bounds", 0, "max", "value"); got != 5000.0 {
			t.Errorf("anyAmount bounds max = %v (%v)", got, r.UserErrors("createGiftCertificate"))
		}
		if got := gqltest.Get(r.Data, "createGiftCertificate", "giftCertificate", "validityDays"); got != 365.0 {
			t.Errorf("default validityDays = %v, want 365", got)
		}

		r = c.MustOK(`mutation { updateGiftCertificate(id: `+strconv.FormatInt(id, 10)+`, input: {name: "Gift two", status: INACTIVE,
			amounts: [{value: 100, currencyIsoCode: "SEK"}]}) { userErrors { message } giftCertificate { name status amounts { value currency { code } } } } }`, nil)
		if got := gqltest.Get(r.Data, "updateGiftCertificate", "giftCertificate", "amounts"); len(got.([]any)) != 1 ||
			gqltest.Get(r.Data, "updateGiftCertificate", "giftCertificate", "amounts", 0, "currency", "code") != "SEK" ||
			gqltest.Get(r.Data, "updateGiftCertificate", "giftCertificate", "status") != "INACTIVE" {
			t.Errorf("update: amounts replaced and status changed, got %v", gqltest.Get(r.Data, "updateGiftCertificate"))
		}
		r = c.MustOK(`{ giftCertificates(where: {status: [INACTIVE]}) { code name } }`, nil)
		if got := gqltest.Get(r.Data, "giftCertificates"); len(got.([]any)) != 1 || gqltest.Get(r.Data, "giftCertificates", 0, "name") != "Gift two" {
			t.Errorf("giftCertificates(where: INACTIVE) = %v", got)
		}

		// A token without the permission is told which it needs.
		r = c.With(gqltest.NewToken(t, d, auth.NewToken{Name: "pim", Permissions: []string{"Product:read"}})).Do(`{ giftCertificates { code } }`, nil)
		if len(r.Errors) == 0 || !strings.Contains(r.Errors[0]["message"].(string), "GiftCertificate:read") {
			t.Errorf("without GiftCertificate:read: %v", r.Errors)
		}
	})
}

func TestGiftCertificateInputErrors(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		tests := []struct {
			name, input, path, message string
		}{
			{"bad code", `code: "gift 2", name: "x", type: anyAmount`, "input.code", "letters, digits"},
			{"empty name", `code: "g", name: " ", type: anyAmount`, "input.name", "1 to 200"},
			{"name on two lines", `code: "g", name: "Gift\nBcc: x@example.com", type: anyAmount`, "input.name", "on one line"},
			{"predetermined without amounts", `code: "g", name: "x", type: predeterminedAmount`, "input.amounts", "at least one currency"},
			{"predetermined with bounds", `code: "g", name: "x", type: predeterminedAmount, amounts: [{value: 1, currencyIsoCode: "SEK"}],
				bounds: [{min: {value: 1, currencyIsoCode: "SEK"}, max: {value: 2, currencyIsoCode: "SEK"}}]`, "input.bounds", "amounts, not bounds"},
			{"zero amount", `code: "g", name: "x", type: predeterminedAmount, amounts: [{value: 0, currencyIsoCode: "SEK"}]`, "input.amounts.0.value", "more than 0"},
			{"currency twice", `code: "g", name: "x", type: predeterminedAmount, amounts: [{value: 1, currencyIsoCode: "SEK"}, {value: 2, currencyIsoCode: "SEK"}]`,
				"input.amounts.1.currencyIsoCode", "twice"},
			{"min above max", `code: "g", name: "x", type: anyAmount, bounds: [{min: {value: 9, currencyIsoCode: "SEK"}, max: {value: 2, currencyIsoCode: "SEK"}}]`,
				"input.bounds.0", "0 < min ≤ max"},
			{"mixed currencies", `code: "g", name: "x", type: anyAmount, bounds: [{min: {value: 1, currencyIsoCode: "SEK"}, max: {value: 2, currencyIsoCode: "EUR"}}]`,
				"input.bounds.0", "same currency"},
			{"validity", `code: "g", name: "x", type: anyAmount, validityDays: 0`, "input.validityDays", "1 to 3650"},
		}
		for _, tc := range tests {
			r := c.Do(`mutation { createGiftCertificate(input: {store: {id: 1}, `+tc.input+`}) { userErrors { message path } giftCertificate { id } } }`, nil)
			ue := r.UserErrors("createGiftCertificate")
			found := false
			for _, e := range ue {
				if strings.Join(toStrings(e["path"]), ".") == tc.path && strings.Contains(e["message"].(string), tc.message) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: userErrors %v, want one at %s saying %q", tc.name, ue, tc.path, tc.message)
			}
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM gift_certificate`); n != 0 {
			t.Errorf("bad input left %d gift certificates", n)
		}
	})
}
