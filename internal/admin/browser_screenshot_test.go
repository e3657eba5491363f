package admin_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"seam/internal/dbtest"
)

// TestScreenshots writes the README's pictures of the back office,
// docs/admin-*.png, when SEAM_SCREENSHOTS=1:
//
//	SEAM_SCREENSHOTS=1 go test ./internal/admin -run TestScreenshots
//
// It also checks the pages at a phone's width (360 px): nothing is wider
// than the screen.
func TestScreenshots(t *testing.T) {
	write := os.Getenv("SEAM_SCREENSHOTS") == "1"
	ctx := browser(t)
	d := dbtest.SQLiteFrom(t, demoShop)
	s := startSeam(t, d)
	ctx = tab(t, ctx)
	s.signIn(t, ctx, adminEmail)
	dbtest.Exec(t, d, `UPDATE store SET payment_link_template = 'https://shop.example/selection/%basket%/%hash%'`)
	market := dbtest.Int(t, d, `SELECT m.id FROM market m JOIN market_country mc ON mc.market_id = m.id JOIN country c ON c.id = mc.country_id WHERE c.code = 'SE'`)
	pricelist := dbtest.Int(t, d, `SELECT id FROM pricelist WHERE currency = 'SEK'`)
	shots := []struct {
		name  string
		steps []chromedp.Action[chromedp.Void]
	}{
		{"dashboard", []chromedp.Action[chromedp.Void]{chromedp.Navigate(s.url + "/admin/"), chromedp.WaitVisible(chromedp.CSS(".stat"))}},
		{"selection", []chromedp.Action[chromedp.Void]{chromedp.Navigate(s.url + "/admin/selections/new"), chromedp.WaitVisible(chromedp.CSS("#selection-form")),
			chromedp.SetValue(chromedp.CSS("#market"), fmt.Sprint(market)), chromedp.SetValue(chromedp.CSS("#pricelist"), fmt.Sprint(pricelist)),
			chromedp.SendKeys(chromedp.CSS("#email"), "jon.snow@example.com"), chromedp.SendKeys(chromedp.CSS("#q"), "Organic"),
			chromedp.Click(chromedp.CSS("#search-button")), chromedp.WaitVisible(chromedp.CSS(`#search-results input[data-item="1-3"]`)),
			chromedp.SendKeys(chromedp.CSS(`#search-results input[data-item="1-3"]`), "2"), chromedp.Click(chromedp.CSS("#add-button")),
			chromedp.WaitVisible(chromedp.CSS(`#lines input[name=line_price]`)), chromedp.SendKeys(chromedp.CSS(`#lines input[name=line_price]`), "199")}},
		{"checkout", []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS("#save-button")), chromedp.WaitVisible(chromedp.CSS("#link-button")),
			chromedp.Click(chromedp.CSS("#link-button")), chromedp.WaitVisible(chromedp.CSS("#generate-button"))}},
		{"link", []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS("#generate-button")), chromedp.WaitVisible(chromedp.CSS("img.qr"))}},
		{"payment-links", []chromedp.Action[chromedp.Void]{chromedp.Navigate(s.url + "/admin/payment-links"), chromedp.WaitVisible(chromedp.CSS("#payment-links"))}},
	}
	for _, shot := range shots {
		do(t, ctx, shot.steps...)
		if write {
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("..", "..", "docs", "admin-"+shot.name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// At 360 px the pages fit the screen.
	for _, path := range []string{"/admin/", "/admin/orders", "/admin/selections/new", "/admin/payment-links", "/admin/settings", "/admin/tokens"} {
		do(t, ctx, chromedp.EmulateViewport(360, 740), chromedp.Navigate(s.url+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || w > 360 {
			t.Errorf("%s is %d px wide at 360 px (%v)", path, w, err)
		}
	}
}
