package rest_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
)

// TestCodeGuessingIsLimitedPerSessionAndPerAddress guesses voucher codes
// through two Checkout API servers on one database (as two processes):
// a session gets CodeAttemptsPerSession wrong codes a minute; a guesser
// that sends no API-Token (a new session each call) is held by the limit
// per address, counted across both servers; the refusal is a 429 with
// Retry-After; right codes do not use the limit up.
func TestCodeGuessingIsLimitedPerSessionAndPerAddress(t *testing.T) {
	t.Parallel()
	// One fixed instant early in a minute, so that the window cannot end
	// during the test.
	now := time.Now().UTC().Truncate(time.Minute).Add(5 * time.Second)
	clock := func(s *checkout.Service) { s.Now = func() time.Time { return now } }
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		one, two := startAPIWith(t, d, clock), startAPIWith(t, d, clock)
		makeVoucher(t, d, "RIGHT", nil)
		guess := func(c *client, i int) answer {
			return c.do("POST", "/vouchers", map[string]any{"voucher": "GUESS" + strconv.Itoa(i)})
		}
		limited := func(a answer, who string) {
			t.Helper()
			retry, _ := strconv.Atoi(a.header.Get("Retry-After"))
			if a.status != http.StatusTooManyRequests || a.str("errors", "rateLimit") == "" || retry < 1 || retry > 60 {
				t.Fatalf("%s: status %d, Retry-After %q, %s; want 429 with Retry-After 1-60 and errors.rateLimit", who, a.status,
					a.header.Get("Retry-After"), a.raw)
			}
		}
		// Right codes, many of them, from this address: not counted.
		for i := range checkout.CodeAttemptsPerIP + 5 {
			b := one.quickBrowser(t)
			b.must(http.StatusOK, "POST", "/items/"+tee, nil)
			if r := b.do("POST", "/vouchers", map[string]any{"voucher": "right"}); r.status != http.StatusOK {
				t.Fatalf("right code %d: %d %s", i, r.status, r.raw)
			}
		}
		// One session: its limit, on either server.
		b := one.quickBrowser(t)
		b.must(http.StatusOK, "GET", "/selection", nil)
		for i := range checkout.CodeAttemptsPerSession {
			c := b
			if i%2 == 1 {
				c = &client{t: t, url: two.url, hc: b.hc, browser: true, token: b.token}
			}
			if r := guess(c, i); r.status != http.StatusBadRequest {
				t.Fatalf("wrong code %d of the session: %d %s", i, r.status, r.raw)
			}
		}
		limited(guess(b, 99), "the session's next guess")
		// No API-Token: every call is a new session, but the address is
		// the same; the session's refused guess above was not counted.
		left := checkout.CodeAttemptsPerIP - checkout.CodeAttemptsPerSession
		for i := range left {
			srv := one
			if i%2 == 1 {
				srv = two
			}
			c := &client{t: t, url: srv.url, hc: &http.Client{Transport: srv.base}}
			if r := guess(c, 100+i); r.status != http.StatusBadRequest {
				t.Fatalf("tokenless guess %d: %d %s", i, r.status, r.raw)
			}
		}
		for _, srv := range []*api{one, two} {
			c := &client{t: t, url: srv.url, hc: &http.Client{Transport: srv.base}}
			limited(guess(c, 999), fmt.Sprintf("a tokenless guess on %s", srv.url))
		}
		if n := dbtest.Int(t, d, `SELECT count FROM code_attempt WHERE subject = 'ip:127.0.0.1'`); n != checkout.CodeAttemptsPerIP {
			t.Errorf("the address's row counts %d attempts, want %d", n, checkout.CodeAttemptsPerIP)
		}
	})
}
