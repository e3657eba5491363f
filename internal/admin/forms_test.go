package admin_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"seam/internal/adminuser"
	"seam/internal/db"
	"seam/internal/dbtest"
	seampkg "seam/internal/seam"
	"seam/internal/webhook"
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

func TestCancelLinesFromTheOrderPageReleasesStock(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startSeam(t, d)
		b := s.url + "/api/checkout"
		start := api(t, "PUT", b+"/countries/SE", "", nil)
		token, _ := start["token"].(string)
		api(t, "POST", b+"/items/1-3", token, nil)
		api(t, "POST", b+"/items/1-3", token, nil)
		api(t, "POST", b+"/payment", token, map[string]any{"termsAndConditions": true, "address": map[string]any{
			"email": "ann@example.com", "firstName": "Ann", "lastName": "Lee", "address1": "Storgatan 1", "zipCode": "11122",
			"city": "Stockholm", "country": "SE"}})
		orderID := dbtest.Int(t, d, `SELECT id FROM orders`)
		lineID := dbtest.Int(t, d, `SELECT id FROM order_line WHERE order_id = $1`, orderID)
		free := func() int64 {
			return dbtest.Int(t, d, `SELECT physical - allocated FROM stock WHERE product_size_id = 3 AND warehouse_id = 1`)
		}
		before := free()
		c, tok := signedInClient(t, s)
		resp, err := c.PostForm(s.url+"/admin/orders/"+strconv.FormatInt(orderID, 10)+"/cancel-lines", url.Values{"csrf_token": {tok},
			"cancel_" + strconv.FormatInt(lineID, 10): {"1"}, "stock_action": {"RELEASE_BACK_TO_WAREHOUSE"}, "comment": {"changed mind"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel answered %d", resp.StatusCode)
		}
		if q := dbtest.Int(t, d, `SELECT quantity FROM order_line WHERE id = $1`, lineID); q != 1 {
			t.Errorf("line quantity %d after cancelling 1 of 2", q)
		}
		if after := free(); after != before+1 {
			t.Errorf("free stock %d → %d; want one released", before, after)
		}
	})
}

func TestSettingsShowsWebhookSubscriptionsAndRedelivers(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startSeam(t, d)
		u := "https://hooks.example/seam"
		sub, _, err := webhook.CreateSubscription(context.Background(), d, seamActor("erp"), webhook.SubscriptionInput{URL: &u})
		if err != nil {
			t.Fatal(err)
		}
		dbtest.Exec(t, d, `UPDATE webhook_subscription SET status = 'FAILING'`)
		c, tok := signedInClient(t, s)
		resp, err := c.Get(s.url + "/admin/settings")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(page), u) || !strings.Contains(string(page), "failing") {
			t.Fatalf("settings lack the failing subscription:\n%s", page)
		}
		resp, err = c.PostForm(s.url+"/admin/settings/webhooks/"+strconv.FormatInt(sub.ID, 10)+"/redeliver", url.Values{"csrf_token": {tok}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("redeliver answered %d", resp.StatusCode)
		}
		if st := dbtest.String(t, d, `SELECT status FROM webhook_subscription WHERE id = $1`, sub.ID); st != "ACTIVE" {
			t.Errorf("status %s after Redeliver; want ACTIVE", st)
		}
	})
}

func seamActor(name string) seampkg.Actor { return seampkg.Actor{Name: name} }

func TestDevMailboxIsAnAdministratorPage(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startSeam(t, d)
		m := received(t, d)
		c, _ := signedInClient(t, s)
		get := func(c *http.Client, path string) (int, string) {
			resp, err := c.Get(s.url + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if code, body := get(c, "/admin/mailbox"); code != 200 || !strings.Contains(body, m.Subject) || !strings.Contains(body, `href="/admin/mailbox/`) {
			t.Errorf("admin mailbox: %d %s", code, body)
		}
		if code, body := get(c, "/admin/mailbox/"+strconv.FormatInt(m.ID, 10)); code != 200 || !strings.Contains(body, "GC-7Q2M") {
			t.Errorf("admin mailbox message: %d %s", code, body)
		}
		staff, err := adminuser.SignIn(context.Background(), d, staffEmail, password, "192.0.2.3", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		sc := &http.Client{Jar: &cookieJar{cookies: []*http.Cookie{{Name: "seam_admin", Value: staff.Secret.Reveal()}}}}
		if code, body := get(sc, "/admin/mailbox"); code != http.StatusForbidden || strings.Contains(body, "GC-7Q2M") {
			t.Errorf("Staff opening the mailbox: %d", code)
		}
	})
}
