package gql_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

func TestAmountsOverTheMaximumAreRefusedAsLiteralsAndVariables(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		setPrices := `mutation ($v: Float!) { setPrices(input: {pricelist: {id: 1}, productPrices: [{product: {id: 1}, price: {value: $v, currencyIsoCode: "SEK"}}]}) {
			userErrors { message path } } }`
		for _, v := range []any{"92233720368547758.07", 10000000000000, "10000000000.01"} {
			r := c.Do(setPrices, map[string]any{"v": v})
			msg, _ := gqltest.Get(r.Data, "setPrices", "userErrors", 0, "message").(string)
			if r.Status != http.StatusOK || !strings.Contains(msg, "out of range") {
				t.Errorf("setPrices %v: status %d, body %s; want a userError saying out of range", v, r.Status, r.Raw)
			}
		}
		r := c.Do(`mutation { setPrices(input: {pricelist: {id: 1}, productPrices: [{product: {id: 1}, price: {value: 10000000000000, currencyIsoCode: "SEK"}}]}) {
			userErrors { message } } }`, nil)
		if msg, _ := gqltest.Get(r.Data, "setPrices", "userErrors", 0, "message").(string); !strings.Contains(msg, "out of range") {
			t.Errorf("setPrices literal: body %s; want a userError saying out of range", r.Raw)
		}
		// The largest amount is accepted.
		c.MustOK(`mutation { setPrices(input: {pricelist: {id: 1}, productPrices: [{product: {id: 1}, price: {value: 10000000000, currencyIsoCode: "SEK"}}]}) {
			userErrors { message } } }`, nil)
		r = c.Do(`mutation { createSelection(input: {store: {id: 1}, market: {id: 1}, pricelist: {id: 1}, country: {code: "SE"},
			lines: [{item: "1-3", quantity: 1, unitPrice: {value: 10000000000000, currencyIsoCode: "SEK"}}]}) { userErrors { message path } } }`, nil)
		if msg, _ := gqltest.Get(r.Data, "createSelection", "userErrors", 0, "message").(string); !strings.Contains(msg, "out of range") {
			t.Errorf("createSelection: body %s; want a userError saying out of range", r.Raw)
		}
	})
}

func TestASelectionThatCannotBePricedDoesNotBreakTheList(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		for range 2 {
			c.MustOK(`mutation { createSelection(input: {store: {id: 1}, market: {id: 1}, pricelist: {id: 1}, country: {code: "SE"},
				lines: [{item: "1-3", quantity: 3}]}) { selection { id } userErrors { message } } }`, nil)
		}
		// A price stored before amounts were bounded: three of them
		// overflow 64 bits.
		first := dbtest.Int(t, d, `SELECT MIN(id) FROM selection_line`)
		dbtest.Exec(t, d, fmt.Sprintf(`UPDATE selection_line SET unit_price_minor = %d WHERE id = %d`, int64(1)<<62, first))
		r := c.Do(`{ selections { id totals { grandTotal { value } } lines { quantity lineValue { value } } } }`, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("status %d, body %s", r.Status, r.Raw)
		}
		list, _ := r.Data["selections"].([]any)
		if len(list) != 2 {
			t.Fatalf("selections %s; want both selections listed", r.Raw)
		}
		priced := 0
		for _, s := range list {
			if gqltest.Get(s, "totals", "grandTotal", "value") != nil {
				priced++
			}
		}
		if priced != 1 {
			t.Errorf("%d selections priced; want the one without the overflow: %s", priced, r.Raw)
		}
		for _, e := range r.Errors {
			if gqltest.Get(e, "extensions", "category") == "internal" {
				t.Errorf("an internal error for the overflow: %v", e)
			}
		}
		if len(r.Errors) == 0 {
			t.Errorf("no error for the selection that cannot be priced: %s", r.Raw)
		}
	})
}
