package admin_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"seam/internal/adminuser"
	"seam/internal/db"
	"seam/internal/dbtest"
)

// signedInClient is an HTTP client with an Administrator's session cookie
// and the session's form token, for posting forms without a browser.
func signedInClient(t *testing.T, s seam) (*http.Client, string) {
	t.Helper()
	sess, err := adminuser.SignIn(context.Background(), s.d, adminEmail, password, "192.0.2.1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	jar := &cookieJar{cookies: []*http.Cookie{{Name: "seam_admin", Value: sess.Secret.Reveal()}}}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, sess.FormToken
}

type cookieJar struct{ cookies []*http.Cookie }

func (j *cookieJar) SetCookies(*url.URL, []*http.Cookie) {}
func (j *cookieJar) Cookies(*url.URL) []*http.Cookie     { return j.cookies }

func TestStockFormChangesStockLikeChangeStockAndIsAudited(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startSeam(t, d)
		c, token := signedInClient(t, s)
		before := dbtest.Int(t, d, `SELECT physical FROM stock WHERE product_size_id = 3 AND warehouse_id = 1`)
		post := func(form url.Values) (int, string) {
			form.Set("csrf_token", token)
			resp, err := c.PostForm(s.url+"/admin/catalog/1/stock", form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		// A bad quantity re-renders the form with the typed value and a message.
		code, body := post(url.Values{"direction": {"in"}, "warehouse": {"1"}, "qty_3": {"two"}})
		if code != http.StatusBadRequest || !strings.Contains(body, `value="two"`) || !strings.Contains(body, "whole number") {
			t.Errorf("bad quantity: %d", code)
		}
		code, _ = post(url.Values{"direction": {"in"}, "warehouse": {"1"}, "qty_3": {"5"}, "description": {"delivery"}})
		if code != http.StatusSeeOther {
			t.Fatalf("stock change answered %d", code)
		}
		if after := dbtest.Int(t, d, `SELECT physical FROM stock WHERE product_size_id = 3 AND warehouse_id = 1`); after != before+5 {
			t.Errorf("physical %d → %d; want +5", before, after)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM stock_change WHERE description = 'delivery'`); n != 1 {
			t.Errorf("%d stock changes recorded", n)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'StockChange' AND actor = $1`, adminEmail); n != 1 {
			t.Errorf("%d audit rows of the change", n)
		}
		// Taking out more than is free is refused and changes nothing.
		code, body = post(url.Values{"direction": {"out"}, "warehouse": {"1"}, "qty_3": {"1000000"}})
		if code != http.StatusBadRequest || !strings.Contains(body, "field-error") {
			t.Errorf("taking out too much: %d", code)
		}
		if after := dbtest.Int(t, d, `SELECT physical FROM stock WHERE product_size_id = 3 AND warehouse_id = 1`); after != before+5 {
			t.Errorf("a refused change moved stock to %d", after)
		}
	})
}
