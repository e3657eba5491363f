package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"seam/internal/db"
	"seam/internal/dbtest"
)

// TestOperatorCreatesAndDeletesAProductLink is seed 002 in the browser: a
// product's link with a USD price and a lower discount price, use once
// and metadata; its URL shown once opens the product page; Delete ends it.
func TestOperatorCreatesAndDeletesAProductLink(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startSeam(t, d)
		ctx := tab(t, ctx)
		s.signIn(t, ctx, adminEmail)
		usd := dbtest.String(t, d, `SELECT CAST(id AS TEXT) FROM currency WHERE code = 'USD'`)
		do(t, ctx, chromedp.Navigate(s.url+"/admin/catalog"), chromedp.Click(chromedp.CSS(`#products a[href="/admin/catalog/1/links"]`)),
			chromedp.WaitVisible(chromedp.CSS("#product-link-form")),
			chromedp.SetValue(chromedp.CSS(`#product-link-form select[name=currency]`), usd),
			// A discount above the price is refused next to its row, the values kept.
			chromedp.SendKeys(chromedp.CSS(`#product-link-form input[name=price]`), "25"),
			chromedp.SendKeys(chromedp.CSS(`#product-link-form input[name=discount]`), "30"),
			chromedp.SendKeys(chromedp.CSS(`#product-link-form input[name=meta_key]`), "order_id"),
			chromedp.SendKeys(chromedp.CSS(`#product-link-form input[name=meta_value]`), "559472095N"),
			chromedp.Click(chromedp.CSS(`#product-link-form input[name=use_once]`)),
			chromedp.Click(chromedp.CSS("#create-product-link")), chromedp.WaitVisible(chromedp.CSS("#product-link-form .field-error")))
		if v := value(t, ctx, `#product-link-form input[name=meta_value]`); v != "559472095N" {
			t.Errorf("metadata lost on a refused form: %q", v)
		}
		do(t, ctx, chromedp.Clear(chromedp.CSS(`#product-link-form input[name=discount]`)),
			chromedp.SendKeys(chromedp.CSS(`#product-link-form input[name=discount]`), "20"),
			chromedp.Click(chromedp.CSS("#create-product-link")), chromedp.WaitVisible(chromedp.CSS("#product-link-url")))
		raw := value(t, ctx, "#product-link-url")
		u, err := url.Parse(raw)
		if err != nil || u.Path != "/p/1" || len(u.Query().Get("uuid")) != 32 {
			t.Fatalf("link %q", raw)
		}
		row := text(t, ctx, "#product-links tbody tr")
		if !strings.Contains(row, "25.00 USD") || !strings.Contains(row, "20.00 USD") || !strings.Contains(row, "active") {
			t.Errorf("link row %q", row)
		}
		resp, err := http.Get(raw)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("the link's page: %v %v", resp, err)
		}
		resp.Body.Close()
		// Shown once: the list has only the last four characters.
		do(t, ctx, chromedp.Navigate(s.url+"/admin/catalog/1/links"), chromedp.WaitVisible(chromedp.CSS("#product-links")))
		page, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
		if strings.Contains(page, u.Query().Get("uuid")) {
			t.Error("the uuid is on the page again")
		}
		do(t, ctx, chromedp.Click(chromedp.CSS(`#product-links button.danger`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
		waitText(t, ctx, "#product-links tbody tr", "deleted")
		resp, err = http.Get(raw)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("a deleted link's page answered 200")
		}
	})
}
