package gql_test

import (
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

func TestStoreCheckoutSettings(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		r := c.MustOK(`mutation { updateStore(id: 1, input: {name: "Retail EU", autoconfirmOrders: true, defaultCountry: {code: "SE"}}) {
			userErrors { message } store { name autoconfirmOrders defaultCountry { code } defaultTaxGroup { id } } } }`, nil)
		if s := gqltest.Get(r.Data, "updateStore", "store"); gqltest.Get(s, "name") != "Retail EU" || gqltest.Get(s, "autoconfirmOrders") != true ||
			gqltest.Get(s, "defaultCountry", "code") != "SE" || gqltest.Get(s, "defaultTaxGroup") != nil {
			t.Errorf("updated store: %v", s)
		}
		r = c.MustOK(`mutation { updateStore(id: 1, input: {defaultCountry: {}}) { store { defaultCountry { code } } } }`, nil)
		if got := gqltest.Get(r.Data, "updateStore", "store", "defaultCountry"); got != nil {
			t.Errorf("{} should clear the default country, got %v", got)
		}

		r = c.MustOK(`mutation { createPaymentMethod(input: {store: {id: 1}, name: "Card", provider: stripe}) {
			userErrors { message } paymentMethod { id name provider active } } }`, nil)
		if pm := gqltest.Get(r.Data, "createPaymentMethod", "paymentMethod"); gqltest.Get(pm, "provider") != "stripe" || gqltest.Get(pm, "active") != true {
			t.Errorf("payment method: %v", pm)
		}
		r = c.MustOK(`{ stores(where: {id: [1]}) { paymentMethods { name provider } } }`, nil)
		if got := gqltest.Get(r.Data, "stores", 0, "paymentMethods", 0, "name"); got != "Card" {
			t.Errorf("store payment methods: %v", r.Data)
		}

		r = c.MustOK(`mutation { setShippingPrices(input: [{shippingOption: {id: 1}, pricelist: {id: 23}, price: {value: 4.9, currencyIsoCode: "EUR"},
			freeAbove: {value: 100, currencyIsoCode: "EUR"}}]) { userErrors { message path } } }`, nil)
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM shipping_price WHERE shipping_option_id = 1 AND pricelist_id = 23 AND price_minor = 490 AND free_above_minor = 10000`); n != 1 {
			t.Errorf("shipping prices stored: %d, want 1", n)
		}

		tests := []struct{ name, mutation, field, message string }{
			{"unknown store", `updateStore(id: 42, input: {name: "x"}) { userErrors { message path } }`, "updateStore", "Could not find Store with ID 42"},
			{"empty name", `updateStore(id: 1, input: {name: ""}) { userErrors { message path } }`, "updateStore", "name"},
			{"unknown country", `updateStore(id: 1, input: {defaultCountry: {code: "XX"}}) { userErrors { message path } }`, "updateStore", "XX"},
			{"price in another currency", `setShippingPrices(input: [{shippingOption: {id: 1}, pricelist: {id: 23}, price: {value: 49, currencyIsoCode: "SEK"}}]) { userErrors { message path } }`,
				"setShippingPrices", "Pricelist 23 is in EUR"},
			{"unknown shipping option", `setShippingPrices(input: [{shippingOption: {id: 77}, pricelist: {id: 23}, price: {value: 4, currencyIsoCode: "EUR"}}]) { userErrors { message path } }`,
				"setShippingPrices", "ShippingOption"},
			{"payment method without a name", `createPaymentMethod(input: {store: {id: 1}, name: " ", provider: test}) { userErrors { message path } }`,
				"createPaymentMethod", "name"},
		}
		for _, tc := range tests {
			r := c.Do(`mutation { `+tc.mutation+` }`, nil)
			ue := r.UserErrors(tc.field)
			if len(ue) == 0 || !strings.Contains(ue[0]["message"].(string), tc.message) {
				t.Errorf("%s: userErrors %v (%s), want one mentioning %q", tc.name, ue, r.Raw, tc.message)
			}
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM shipping_price`); n != 1 {
			t.Errorf("rejected input changed shipping prices: %d rows", n)
		}
	})
}
