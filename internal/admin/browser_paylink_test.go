package admin_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"seam/internal/db"
	"seam/internal/dbtest"
)

// TestOperatorMakesAPaymentLinkForACustomer walks seed 000 in the browser:
// the store's payment_link template in Settings; Create selection from the
// Orders page for a new customer with a special price; Save; Checkout;
// Link with locked quantities; Generate shows the URL, its QR code and
// Send to customer. A buyer then claims the link and pays through the
// Checkout API, the link shows "used" with its order, and the operator
// confirms and ships that order from its page.
func TestOperatorMakesAPaymentLinkForACustomer(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startSeam(t, d)
		ctx := tab(t, ctx)
		s.signIn(t, ctx, adminEmail)

		// Without the template the Link pop-up says what to do.
		do(t, ctx, chromedp.Navigate(s.url+"/admin/settings"), chromedp.WaitVisible(chromedp.CSS("#payment_link-1")),
			chromedp.SendKeys(chromedp.CSS("#payment_link-1"), "not a url"), chromedp.Click(chromedp.CSS("#store-1 button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#store-1 .field-error")))
		if v := value(t, ctx, "#payment_link-1"); v != "not a url" {
			t.Errorf("the refused template is not shown again: %q", v)
		}
		do(t, ctx, chromedp.Clear(chromedp.CSS("#payment_link-1")),
			chromedp.SendKeys(chromedp.CSS("#payment_link-1"), "https://shop.example/selection/%basket%/%hash%"),
			chromedp.Click(chromedp.CSS("#store-1 button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".flash")))

		// Orders → Create selection (top right).
		market := dbtest.Int(t, d, `SELECT m.id FROM market m JOIN market_country mc ON mc.market_id = m.id JOIN country c ON c.id = mc.country_id WHERE c.code = 'SE'`)
		pricelist := dbtest.Int(t, d, `SELECT id FROM pricelist WHERE currency = 'SEK'`)
		country := dbtest.Int(t, d, `SELECT id FROM country WHERE code = 'SE'`)
		do(t, ctx, chromedp.Navigate(s.url+"/admin/orders"), chromedp.Click(chromedp.CSS("#create-selection")),
			chromedp.WaitVisible(chromedp.CSS("#selection-form")),
			chromedp.SetValue(chromedp.CSS("#market"), fmt.Sprint(market)), chromedp.SetValue(chromedp.CSS("#pricelist"), fmt.Sprint(pricelist)),
			chromedp.SendKeys(chromedp.CSS("#email"), "jon.snow@example.com"), chromedp.SendKeys(chromedp.CSS("#first_name"), "Jon"),
			chromedp.SendKeys(chromedp.CSS("#last_name"), "Snow"),
			// Save with no lines: the form comes back with the values and a message.
			chromedp.Click(chromedp.CSS("#save-button")), chromedp.WaitVisible(chromedp.CSS("fieldset .field-error")))
		if v := value(t, ctx, "#email"); v != "jon.snow@example.com" {
			t.Errorf("the e-mail address is lost on a refused save: %q", v)
		}
		do(t, ctx, chromedp.SetValue(chromedp.CSS("#country"), fmt.Sprint(country)),
			chromedp.SendKeys(chromedp.CSS("#q"), "Organic Cotton Tee"), chromedp.Click(chromedp.CSS("#search-button")),
			chromedp.WaitVisible(chromedp.CSS(`#search-results input[data-item="1-3"]`)),
			chromedp.SendKeys(chromedp.CSS(`#search-results input[data-item="1-3"]`), "2"), chromedp.Click(chromedp.CSS("#add-button")),
			chromedp.WaitVisible(chromedp.CSS(`#lines input[name=line_price]`)),
			// A price the currency cannot hold is refused next to the line.
			chromedp.SendKeys(chromedp.CSS(`#lines input[name=line_price]`), "199.999"), chromedp.Click(chromedp.CSS("#save-button")),
			chromedp.WaitVisible(chromedp.CSS("#lines .field-error")))
		do(t, ctx, chromedp.Clear(chromedp.CSS(`#lines input[name=line_price]`)), chromedp.SendKeys(chromedp.CSS(`#lines input[name=line_price]`), "199"),
			chromedp.Click(chromedp.CSS("#save-button")), chromedp.WaitVisible(chromedp.CSS("#link-button")))

		// Checkout: the special price, shipping, tax and totals as the buyer sees them.
		lines := text(t, ctx, "#checkout-lines")
		if !strings.Contains(lines, "Organic Cotton Tee") || !strings.Contains(lines, "199 SEK") || !strings.Contains(lines, "398 SEK") {
			t.Errorf("checkout lines:\n%s", lines)
		}
		total := text(t, ctx, "#grand-total")
		if total != "447 SEK" {
			t.Errorf("grand total %q; want 398 SEK of items and 49 SEK shipping", total)
		}

		// Link → pop-up → lock the quantities → Generate.
		do(t, ctx, chromedp.Click(chromedp.CSS("#link-button")), chromedp.WaitVisible(chromedp.CSS("#generate-button")),
			chromedp.Click(chromedp.CSS(`#link-dialog input[value=lock]`)), chromedp.Click(chromedp.CSS("#generate-button")),
			chromedp.WaitVisible(chromedp.CSS("#link-url")), chromedp.WaitVisible(chromedp.CSS("img.qr")))
		raw := value(t, ctx, "#link-url")
		u, err := url.Parse(raw)
		parts := strings.Split(strings.TrimPrefix(u.Path, "/selection/"), "/")
		if err != nil || u.Host != "shop.example" || len(parts) != 2 || len(parts[1]) != 43 {
			t.Fatalf("the link %q is not the store's template filled in", raw)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM payment_link WHERE lock_quantities = TRUE AND created_by = $1`, adminEmail); n != 1 {
			t.Errorf("%d locked links made by %s; want 1", n, adminEmail)
		}
		// Send to customer puts the URL into the mail outbox.
		do(t, ctx, chromedp.Click(chromedp.CSS("#send-button")), chromedp.WaitVisible(chromedp.CSS("#sent")))
		if body := queuedText(t, d, `to_address = 'jon.snow@example.com' AND kind = 'payment_link'`); !strings.Contains(body, raw) {
			t.Errorf("the mail does not hold the link: %q", body)
		}
		// The secret appears in no audit entry.
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM audit_log WHERE detail LIKE $1`, "%"+parts[1]+"%"); n != 0 {
			t.Errorf("the link's secret is in %d audit entries", n)
		}

		// A buyer claims the link and pays through the Checkout API.
		checkoutAPI := s.url + "/api/checkout"
		claimed := api(t, "POST", checkoutAPI+"/payment-links/"+parts[0]+"/"+parts[1], "", nil)
		token, _ := claimed["token"].(string)
		sel, _ := claimed["selection"].(map[string]any)["selection"].(string)
		api(t, "PUT", checkoutAPI+"/selections/"+sel, token, nil)
		paid := api(t, "POST", checkoutAPI+"/payment", token, map[string]any{"termsAndConditions": true, "address": map[string]any{
			"email": "jon.snow@example.com", "firstName": "Jon", "lastName": "Snow", "address1": "Storgatan 1", "zipCode": "11122",
			"city": "Stockholm", "country": "SE"}})
		hash, _ := paid["order"].(map[string]any)["id"].(string) // "order" is the number
		if hash == "" {
			t.Fatalf("payment made no order: %v", paid)
		}
		number := dbtest.String(t, d, `SELECT CAST(number AS TEXT) FROM orders WHERE hash = $1`, hash)

		// The link shows "used" with its order; the order is in Orders.
		do(t, ctx, chromedp.Navigate(s.url+"/admin/payment-links"), chromedp.WaitVisible(chromedp.CSS("#payment-links")))
		row := text(t, ctx, "#payment-links tbody tr")
		if !strings.Contains(row, "used") || !strings.Contains(row, "order") || !strings.Contains(row, adminEmail) {
			t.Errorf("payment link row %q; want used, with its order and maker", row)
		}
		do(t, ctx, chromedp.Navigate(s.url+"/admin/orders"), chromedp.WaitVisible(chromedp.CSS("#orders")))
		if list := text(t, ctx, "#orders tbody"); !strings.Contains(list, number) || !strings.Contains(list, "jon.snow@example.com") {
			t.Errorf("order %s not in the list:\n%s", number, list)
		}

		// Confirm and ship it from its page.
		do(t, ctx, chromedp.Navigate(s.url+"/admin/payment-links"), chromedp.Click(chromedp.CSS("#payment-links a.order")),
			chromedp.WaitVisible(chromedp.CSS("#order-status")))
		if st := text(t, ctx, "#order-status"); st == "pending" {
			do(t, ctx, chromedp.Click(chromedp.CSS("#confirm-button")))
			waitText(t, ctx, "#order-status", "confirmed")
		}
		do(t, ctx, chromedp.Click(chromedp.CSS("#create-shipment")), chromedp.WaitVisible(chromedp.CSS(".complete-shipment")),
			chromedp.SendKeys(chromedp.CSS(`#shipments input[name=tracking]`), "TRACK-123"), chromedp.Click(chromedp.CSS(".complete-shipment")))
		waitText(t, ctx, "#order-status", "shipped")
		if sh := text(t, ctx, "#shipments"); !strings.Contains(sh, "TRACK-123") {
			t.Errorf("shipments %q lack the tracking number", sh)
		}
	})
}
