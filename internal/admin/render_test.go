package admin_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"seam/internal/admin"
	"seam/internal/checkout"
	"seam/internal/dbtest"
)

// TestPagesLoadAtMost100KBOfScriptAndStyle keeps the back office light:
// htmx, the page script and the stylesheet together.
func TestPagesLoadAtMost100KBOfScriptAndStyle(t *testing.T) {
	t.Parallel()
	h := admin.New(admin.Config{DB: dbtest.SQLite(t)})
	if n := h.AssetBytes(); n > 100<<10 || n < 40<<10 {
		t.Errorf("a page loads %d bytes of JS and CSS; want htmx and the stylesheet, under 100 KB", n)
	}
}

func TestErrorPagesUseTheLayoutAndSecureHeaders(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	h := admin.New(admin.Config{DB: d, Checkout: checkout.New(d, nil), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	tests := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/admin/login", 200, "Sign in to Seam"},
		{"GET", "/admin/orders", 303, ""},
		{"POST", "/admin/orders/1/confirm", 401, "You are signed out"},
		{"GET", "/admin/static/nope.css", 404, ""},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(tc.method, tc.path, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.body) {
			t.Errorf("%s %s: %d %q; want %d with %q", tc.method, tc.path, w.Code, w.Body.String(), tc.status, tc.body)
		}
		if tc.body != "" {
			if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%s: CSP %q, Cache-Control %q", tc.path, csp, w.Header().Get("Cache-Control"))
			}
		}
	}
	// The sign-in page loads hashed, long-cached assets.
	r := httptest.NewRequest("GET", "/admin/login", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	start := strings.Index(w.Body.String(), `href="/admin/static/app.`)
	if start < 0 {
		t.Fatalf("no stylesheet link: %s", w.Body.String())
	}
	href := w.Body.String()[start+6:]
	href = href[:strings.IndexByte(href, '"')]
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", href, nil))
	if w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") {
		t.Errorf("GET %s: %d %v", href, w.Code, w.Header())
	}
}

func TestA500IsAPageWithTheRequestID(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	h := admin.New(admin.Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		RequestID: func(context.Context) string { return "req-42" }})
	d.Close() // every query now fails
	r := httptest.NewRequest("GET", "/admin/orders", nil)
	r.AddCookie(&http.Cookie{Name: "seam_admin", Value: "seam_as_" + strings.Repeat("A", 43)})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "req-42") ||
		!strings.Contains(w.Body.String(), "Something went wrong") {
		t.Errorf("%d %s; want the 500 page naming request id req-42", w.Code, w.Body.String())
	}
	if strings.Contains(w.Body.String(), "database") || strings.Contains(w.Body.String(), "sql") {
		t.Errorf("the 500 page shows the error: %s", w.Body.String())
	}
}
