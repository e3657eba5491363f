package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"seam/internal/auth"
	"seam/internal/dbtest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestEveryRequestHasAnIDThatIsLoggedAndEchoed(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	d := dbtest.SQLite(t)
	srv := httptest.NewServer(New(Config{DB: d, Log: slog.New(slog.NewJSONHandler(&logs, nil)), Version: "test", Limits: auth.Limits{}}).Handler())
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/healthz", nil)
	req.Header.Set("X-Request-Id", "abc-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("echoed request id %q; want abc-123", got)
	}
	req.Header.Set("X-Request-Id", "bad id with spaces and <tags>")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	generated := resp.Header.Get("X-Request-Id")
	if len(generated) != 16 {
		t.Errorf("generated request id %q; want 16 hex digits instead of the unsafe one", generated)
	}
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if err := json.Unmarshal([]byte(l), &line); err == nil && line["request_id"] == generated {
			break
		}
		line = nil
	}
	if line == nil || line["path"] != "/healthz" || line["status"] != 200.0 || line["method"] != "GET" {
		t.Errorf("no access log line with the request id; logs:\n%s", logs.String())
	}
}

func TestAPanicBecomesALogged500(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := withRequestID(withRecover(log, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	id := rec.Header().Get("X-Request-Id")
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), id) {
		t.Errorf("status %d, body %s; want 500 naming request id %s", rec.Code, rec.Body.String(), id)
	}
	if !strings.Contains(logs.String(), `"panic":"boom"`) || !strings.Contains(logs.String(), id) {
		t.Errorf("panic not logged with the request id:\n%s", logs.String())
	}
}

func TestHealthReadinessMetricsAndUnknownRoutes(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	srv := httptest.NewServer(New(Config{DB: d, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"}).Handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("healthz %d", code)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("readyz %d with the database up", code)
	}
	if code, body := get("/nowhere"); code != 404 || !strings.Contains(body, "POST /graphql") {
		t.Errorf("unknown route: %d %s", code, body)
	}
	code, body := get("/metrics")
	if code != 200 || !strings.Contains(body, `seam_http_requests_total{code="200",method="GET",route="GET /readyz"} 1`) ||
		!strings.Contains(body, `code="404",method="GET",route="/"`) || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics %d:\n%s", code, body)
	}
	d.Close()
	if code, _ := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz %d with the database closed; want 503", code)
	}
}
