package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"seam/internal/db"
	"seam/internal/dbtest"
)

func TestStaffUserIsRefusedSettingsTokensAndUsers(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startSeam(t, d)
		ctx := tab(t, ctx)
		s.signIn(t, ctx, staffEmail)
		if nav := text(t, ctx, "nav.main"); strings.Contains(nav, "Settings") || !strings.Contains(nav, "Orders") {
			t.Errorf("Staff's menu: %q", nav)
		}
		for _, path := range []string{"/admin/settings", "/admin/tokens", "/admin/users"} {
			do(t, ctx, chromedp.Navigate(s.url+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
			if h := text(t, ctx, "main"); !strings.Contains(h, "Administrators only") || !strings.Contains(h, staffEmail) {
				t.Errorf("%s shows Staff %q; want the 403 page", path, h)
			}
		}
		// Staff may do sales work.
		do(t, ctx, chromedp.Navigate(s.url+"/admin/selections/new"), chromedp.WaitVisible(chromedp.CSS("#selection-form")))
		// And a forged POST with the session's own form token is refused too.
		resp := postWithSession(t, ctx, s.url+"/admin/tokens", "name=x&all=1")
		if resp != http.StatusForbidden {
			t.Errorf("Staff POST /admin/tokens answered %d; want 403", resp)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM api_token WHERE name = 'x'`); n != 0 {
			t.Errorf("Staff made a token")
		}
	})
}

// postWithSession posts a form from the page itself (same origin, with
// the page's form token) and returns the status.
func postWithSession(t *testing.T, ctx context.Context, url, body string) int {
	t.Helper()
	js := fmt.Sprintf(`(async () => { const tok = document.querySelector('input[name=csrf_token]').value;
		const r = await fetch(%q, {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: %q + '&csrf_token=' + encodeURIComponent(tok)});
		return r.status })()`, url, body)
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	return status
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startSeam(t, d)
		ctx := tab(t, ctx)
		s.signIn(t, ctx, adminEmail)
		// Another site (another origin: its own port) posts a form to the
		// back office in the signed-in browser.
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<!doctype html><form id="f" method="post" action="%s/admin/tokens">
				<input name="name" value="stolen"><input name="all" value="1"><input name="kind" value="integration"></form>
				<script>document.getElementById('f').submit()</script>`, s.url)
		}))
		defer evil.Close()
		do(t, ctx, chromedp.Navigate(strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)), chromedp.WaitVisible(chromedp.CSS("main h1")))
		if h := text(t, ctx, "main"); !strings.Contains(h, "Request refused") {
			t.Errorf("the cross-origin POST answered %q; want the refusal page", h)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM api_token WHERE name = 'stolen'`); n != 0 {
			t.Errorf("a cross-origin POST made a token")
		}
	})
}

func TestProductNamedLikeAScriptIsShownAsText(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		const name = `<script>alert(1)</script>`
		dbtest.Exec(t, d, `UPDATE display SET name = '`+name+`' WHERE id = (SELECT display_id FROM display_variant WHERE id = 1)`)
		s := startSeam(t, d)
		ctx := tab(t, ctx)
		s.signIn(t, ctx, adminEmail)
		market := dbtest.Int(t, d, `SELECT m.id FROM market m JOIN market_country mc ON mc.market_id = m.id JOIN country c ON c.id = mc.country_id WHERE c.code = 'SE'`)
		pricelist := dbtest.Int(t, d, `SELECT id FROM pricelist WHERE currency = 'SEK'`)
		do(t, ctx, chromedp.Navigate(s.url+"/admin/selections/new"), chromedp.WaitVisible(chromedp.CSS("#selection-form")),
			chromedp.SetValue(chromedp.CSS("#market"), fmt.Sprint(market)), chromedp.SetValue(chromedp.CSS("#pricelist"), fmt.Sprint(pricelist)),
			chromedp.SendKeys(chromedp.CSS("#q"), "script"), chromedp.Click(chromedp.CSS("#search-button")),
			chromedp.WaitVisible(chromedp.CSS(`#search-results input[data-item="1-3"]`)))
		if got := text(t, ctx, "#search-results tbody"); !strings.Contains(got, name) {
			t.Errorf("the name is not shown as text: %q", got)
		}
		// The name is text: no script element in the page's content, and
		// the page's HTML holds it escaped.
		scripts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('main script').length`))
		if err != nil || scripts != 0 {
			t.Errorf("%d script elements in the page (%v)", scripts, err)
		}
		html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("#search-results")))
		if err != nil || !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("the name is not escaped in the HTML (%v): %s", err, html)
		}
	})
}
