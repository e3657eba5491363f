package gql_test

import (
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

func TestExchangeRatesAndAfterSaleWebhook(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		r := c.MustOK(`mutation { setExchangeRates(input: [{base: "usd", quote: "EUR", rate: 0.9215}, {base: "USD", quote: "SEK", rate: 10.5}]) {
			userErrors { message } exchangeRates { base quote rate updatedBy } } }`, nil)
		rates := gqltest.Get(r.Data, "setExchangeRates", "exchangeRates").([]any)
		if len(rates) != 2 || gqltest.Get(rates[0], "base") != "USD" || gqltest.Get(rates[0], "quote") != "EUR" ||
			gqltest.Get(rates[0], "rate") != 0.9215 || gqltest.Get(rates[0], "updatedBy") != "erp" {
			t.Errorf("rates %v", rates)
		}
		r = c.MustOK(`{ exchangeRates { base quote rate } }`, nil)
		if n := len(r.Data["exchangeRates"].([]any)); n != 2 {
			t.Errorf("exchangeRates lists %d, want 2", n)
		}
		for _, bad := range []string{`{base: "USD", quote: "USD", rate: 1}`, `{base: "XXX", quote: "EUR", rate: 1}`, `{base: "USD", quote: "EUR", rate: 0}`} {
			r := c.Do(`mutation { setExchangeRates(input: [`+bad+`]) { userErrors { message path } } }`, nil)
			if ue := r.UserErrors("setExchangeRates"); len(ue) != 1 {
				t.Errorf("rate %s: userErrors %v", bad, ue)
			}
		}
		if got := dbtest.String(t, d, `SELECT rate FROM exchange_rate WHERE base = 'USD' AND quote = 'EUR'`); got != "0.9215" {
			t.Errorf("refused rates changed the stored one: %s", got)
		}

		r = c.MustOK(`mutation { setAfterSaleWebhook(store: {id: 1}, url: "https://erp.example/after-sale") { userErrors { message } url secret } }`, nil)
		sec, _ := gqltest.Get(r.Data, "setAfterSaleWebhook", "secret").(string)
		if !strings.HasPrefix(sec, "whsec_") || len(sec) < 40 {
			t.Errorf("after-sale secret %q", sec)
		}
		for _, tc := range []struct{ args, message string }{
			{`store: {id: 1}, url: "ftp://erp.example/x"`, "absolute http"},
			{`store: {id: 77}, url: "https://erp.example/x"`, "77"},
		} {
			r := c.Do(`mutation { setAfterSaleWebhook(`+tc.args+`) { userErrors { message path } secret } }`, nil)
			if ue := r.UserErrors("setAfterSaleWebhook"); len(ue) != 1 || !strings.Contains(ue[0]["message"].(string), tc.message) {
				t.Errorf("%s: %v", tc.args, ue)
			}
		}
		r = c.MustOK(`mutation { setAfterSaleWebhook(store: {id: 1}, url: "") { userErrors { message } secret } }`, nil)
		if gqltest.Get(r.Data, "setAfterSaleWebhook", "secret") != nil {
			t.Errorf("turning the webhook off answered a secret")
		}
	})
}
