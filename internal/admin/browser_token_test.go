package admin_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"seam/internal/db"
	"seam/internal/dbtest"
)

func TestTokenIsCreatedAndShownOnce(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startSeam(t, d)
		ctx := tab(t, ctx)
		s.signIn(t, ctx, adminEmail)
		// Without permissions the form comes back with the name kept.
		do(t, ctx, chromedp.Navigate(s.url+"/admin/tokens"), chromedp.WaitVisible(chromedp.CSS("#token-form")),
			chromedp.SendKeys(chromedp.CSS("#token-name"), "erp"), chromedp.Click(chromedp.CSS("#create-token")),
			chromedp.WaitVisible(chromedp.CSS("#token-form .field-error")))
		if v := value(t, ctx, "#token-name"); v != "erp" {
			t.Errorf("the name is lost: %q", v)
		}
		do(t, ctx, chromedp.Click(chromedp.CSS("#token-form details summary")),
			chromedp.Click(chromedp.CSS(`#token-form input[value="Product:read"]`)), chromedp.Click(chromedp.CSS("#create-token")),
			chromedp.WaitVisible(chromedp.CSS("#token-secret")))
		tok := value(t, ctx, "#token-secret")
		if !strings.HasPrefix(tok, "seam_it_") {
			t.Fatalf("token %q", tok)
		}
		// It works, with exactly its permission.
		req, _ := http.NewRequest("POST", s.url+"/graphql", strings.NewReader(`{"query":"{ products(limit: 1) { id } }"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("the new token: %v %v", resp, err)
		}
		resp.Body.Close()
		// Shown once: the list shows its last four characters only.
		do(t, ctx, chromedp.Navigate(s.url+"/admin/tokens"), chromedp.WaitVisible(chromedp.CSS("#tokens")))
		page, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
		if strings.Contains(page, tok[8:]) {
			t.Error("the token is on the page again")
		}
		if !strings.Contains(text(t, ctx, "#tokens"), "…"+tok[len(tok)-4:]) {
			t.Error("the list lacks the token's hint")
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'Token' AND actor = $1 AND detail NOT LIKE $2`, adminEmail, "%"+tok[8:]+"%"); n != 1 {
			t.Errorf("%d audit entries of the token without its secret; want 1", n)
		}
		// Revoke ends it.
		do(t, ctx, chromedp.Click(chromedp.CSS(`#tokens tr:last-child button.danger`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
		resp, err = http.DefaultClient.Do(mustReq(t, s.url, tok))
		if err != nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("a revoked token answered %v %v; want 403", resp.StatusCode, err)
		}
		resp.Body.Close()
	})
}

func mustReq(t *testing.T, base, tok string) *http.Request {
	req, err := http.NewRequest("POST", base+"/graphql", strings.NewReader(`{"query":"{ products(limit: 1) { id } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	return req
}
