package admin_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"seam/internal/admin"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/store"
)

// received stores one message as the dev SMTP server would.
func received(t *testing.T, d *db.DB) store.DevMail {
	t.Helper()
	m := store.DevMail{From: "shop@localhost", To: "anna@example.com", MessageID: "m1@localhost",
		Subject: "Your gift certificate", Text: "Your code: GC-7Q2M", HTML: `<p>Your code: <b>GC-7Q2M</b></p><img src="https://tracker.example/p.gif">`,
		Raw: []byte("Subject: Your gift certificate\r\n\r\nYour code: GC-7Q2M\r\n"), ReceivedAt: db.Now()}
	ctx := context.Background()
	if err := d.Tx(ctx, func(tx *db.Tx) error { return store.InsertDevMail(ctx, tx, &m) }); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMailboxShowsMessagesOnlyToThisMachine(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		m := received(t, d)
		h := admin.Mailbox(d, nil)
		id := func(p string) string { return strings.ReplaceAll(p, "{id}", strconv.FormatInt(m.ID, 10)) }
		tests := []struct {
			name, path, remote, host, forwarded string
			status                              int
			body, csp                           string
		}{
			{"list", "/dev/mailbox", "127.0.0.1:5000", "localhost:8080", "", 200, "Your gift certificate", "default-src 'none'"},
			{"list from ::1", "/dev/mailbox/", "[::1]:5000", "[::1]:8080", "", 200, "anna@example.com", ""},
			{"message", id("/dev/mailbox/{id}"), "127.0.0.1:5000", "127.0.0.1:8080", "", 200, "Your code: GC-7Q2M", ""},
			{"html part is sandboxed", id("/dev/mailbox/{id}/html"), "127.0.0.1:5000", "localhost", "", 200, "<b>GC-7Q2M</b>", "sandbox; default-src 'none'"},
			{"raw", id("/dev/mailbox/{id}/raw"), "127.0.0.1:5000", "localhost", "", 200, "Subject: Your gift certificate", "sandbox"},
			{"unknown message", "/dev/mailbox/999999", "127.0.0.1:5000", "localhost", "", 404, "", ""},
			{"not a number", "/dev/mailbox/abc", "127.0.0.1:5000", "localhost", "", 404, "", ""},
			{"from another machine", "/dev/mailbox", "192.0.2.7:5000", "localhost", "", 404, "", ""},
			{"message from another machine", id("/dev/mailbox/{id}"), "10.0.0.2:5000", "127.0.0.1", "", 404, "", ""},
			{"DNS rebinding host", "/dev/mailbox", "127.0.0.1:5000", "evil.example:8080", "", 404, "", ""},
			{"through a proxy", "/dev/mailbox", "127.0.0.1:5000", "localhost", "203.0.113.9", 404, "", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := httptest.NewRequest(http.MethodGet, tc.path, nil)
				r.RemoteAddr, r.Host = tc.remote, tc.host
				if tc.forwarded != "" {
					r.Header.Set("X-Forwarded-For", tc.forwarded)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				body, _ := io.ReadAll(w.Body)
				if w.Code != tc.status {
					t.Fatalf("status %d, want %d: %s", w.Code, tc.status, body)
				}
				if tc.status == 404 && strings.Contains(string(body), "GC-7Q2M") {
					t.Errorf("a 404 shows the code: %s", body)
				}
				if !strings.Contains(string(body), tc.body) {
					t.Errorf("body lacks %q: %s", tc.body, body)
				}
				if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, tc.csp) {
					t.Errorf("CSP %q lacks %q", csp, tc.csp)
				}
				if tc.status == 200 && w.Header().Get("Cache-Control") != "no-store" {
					t.Errorf("Cache-Control = %q, want no-store", w.Header().Get("Cache-Control"))
				}
			})
		}
	})
}
