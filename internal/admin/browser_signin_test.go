package admin_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"seam/internal/db"
	"seam/internal/dbtest"
)

func TestOperatorSignsInAndIsThrottledAfterFiveFailures(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startSeam(t, d)
		ctx := tab(t, ctx)
		// A page of the back office sends a stranger to the sign-in page.
		do(t, ctx, chromedp.Navigate(s.url+"/admin/orders"), chromedp.WaitVisible(chromedp.CSS("#email")))
		attempt := func(email, pw string) {
			do(t, ctx, chromedp.Navigate(s.url+"/admin/login"), chromedp.SendKeys(chromedp.CSS("#email"), email),
				chromedp.SendKeys(chromedp.CSS("#password"), pw), chromedp.Click(chromedp.CSS(`button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS("#login-error")))
		}
		attempt(adminEmail, "not the password")
		wrong := text(t, ctx, "#login-error")
		if wrong != "Wrong e-mail address or password." {
			t.Errorf("wrong password says %q", wrong)
		}
		attempt("nobody@example.com", password)
		if got := text(t, ctx, "#login-error"); got != wrong {
			t.Errorf("unknown address says %q; want the same as a wrong password, %q", got, wrong)
		}
		// The typed address stays in the form; the password does not.
		if v := value(t, ctx, "#email"); v != "nobody@example.com" {
			t.Errorf("e-mail field holds %q after a failure", v)
		}
		if v := value(t, ctx, "#password"); v != "" {
			t.Errorf("password field holds %q after a failure", v)
		}
		for range 3 {
			attempt(adminEmail, "still not it")
		}
		// Five failures from this address: even the right password is refused.
		attempt(staffEmail, password)
		if got := text(t, ctx, "#login-error"); !strings.Contains(got, "Too many failed sign-ins") || !strings.Contains(got, "15 minutes") {
			t.Errorf("sixth attempt says %q; want the throttling message", got)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM admin_session`); n != 0 {
			t.Errorf("%d sessions after refused sign-ins", n)
		}
	})
}

func TestOperatorSignsInOutAndSessionIsDeleted(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startSeam(t, d)
		ctx := tab(t, ctx)
		s.signIn(t, ctx, adminEmail)
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM admin_session`); n != 1 {
			t.Fatalf("%d sessions after sign-in; want 1", n)
		}
		do(t, ctx, chromedp.Click(chromedp.CSS(`header form button`)), chromedp.WaitVisible(chromedp.CSS("#email")))
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM admin_session`); n != 0 {
			t.Errorf("%d sessions after sign-out; want 0", n)
		}
		do(t, ctx, chromedp.Navigate(s.url+"/admin/"), chromedp.WaitVisible(chromedp.CSS("#email")))
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM audit_log WHERE actor = $1 AND action IN ('SIGN_IN', 'SIGN_OUT')`, adminEmail); n != 2 {
			t.Errorf("%d sign-in/out audit entries; want 2", n)
		}
	})
}
