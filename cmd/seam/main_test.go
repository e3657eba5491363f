package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/dbtest"
)

// syncBuffer is a bytes.Buffer safe to write from the server and read from
// the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	tokenRE = regexp.MustCompile(`seam_it_[A-Za-z0-9_-]{43}`)
	urlRE   = regexp.MustCompile(`"url":"(http://[^"]+)"`)
)

// startServe runs "seam serve" on a free port until the returned stop is
// called; it returns the base URL and what serve printed on stdout. It waits
// for serve to say it listens for as long as the test's deadline allows, so
// a slow start on a busy machine is no failure.
func startServe(t *testing.T, args ...string) (base string, stdout *syncBuffer, stop func() int) {
	t.Helper()
	base, stdout, _, stop = startServeLogs(t, args...)
	return base, stdout, stop
}

// startServeLogs is startServe that also returns serve's log (stderr).
func startServeLogs(t *testing.T, args ...string) (base string, stdout, stderr *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	if slices.Contains(args, "--database-url") && !slices.Contains(args, "--media-dir") {
		// Pictures go to a temporary folder, not ./seam-data of the package.
		args = append(args, "--media-dir", t.TempDir())
	}
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json", "--webhook-allow-private"}, args...), stdout, stderr)
	}()
	wait := dbtest.Deadline(t)
	for base == "" {
		if m := urlRE.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		case <-wait.Done():
			cancel()
			<-done
			t.Fatalf("serve did not start before the test's deadline: %s", stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	// stop may be called again (a deferred stop after an explicit one); it
	// returns the same exit code.
	return base, stdout, stderr, sync.OnceValue(func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-wait.Done():
			t.Error("serve did not stop after its context was cancelled")
			return -1
		}
	})
}

func graphql(t *testing.T, base, token, query string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, raw)
	}
	return out
}

func TestServePrintsATokenOnceAndLoadsTheDemoOnce(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	base, out, stop := startServe(t, "--data", data)
	token := tokenRE.FindString(out.String())
	if token == "" || !strings.Contains(out.String(), base+"/graphql") {
		t.Fatalf("first start printed no token or URL:\n%s", out.String())
	}
	login := adminLoginRE.FindStringSubmatch(out.String())
	if login == nil || !strings.Contains(out.String(), base+"/admin/") {
		t.Fatalf("first start printed no admin URL and login:\n%s", out.String())
	}
	if code := adminSignIn(t, base, login[1], login[2]); code != http.StatusSeeOther {
		t.Errorf("signing in with the printed login answered %d; want 303", code)
	}
	r := graphql(t, base, token, `{ products(limit: 200) { id } stores { name type } pricelists { currency { code } } }`)
	data1 := r["data"].(map[string]any)
	if n := len(data1["products"].([]any)); n != 20 {
		t.Errorf("demo has %d products; want 20", n)
	}
	if s := data1["stores"].([]any); len(s) != 1 || s[0].(map[string]any)["name"] != "Retail" || s[0].(map[string]any)["type"] != "DIRECT_TO_CONSUMER" {
		t.Errorf("stores %v; want one DIRECT_TO_CONSUMER store Retail", s)
	}
	if n := len(data1["pricelists"].([]any)); n != 4 {
		t.Errorf("%d pricelists; want SEK, EUR, USD and JPY", n)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := http.Get(base + path)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %v %v", path, resp, err)
		}
		resp.Body.Close()
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d after SIGTERM-like cancel; want 0", code)
	}

	base, out, stop = startServe(t, "--data", data)
	if tok := tokenRE.FindString(out.String()); tok != "" || strings.Contains(out.String(), "Admin password") {
		t.Errorf("second start printed a token or admin login again:\n%s", out.String())
	}
	r = graphql(t, base, token, `{ products(limit: 200) { id } }`)
	if n := len(r["data"].(map[string]any)["products"].([]any)); n != 20 {
		t.Errorf("after restart %d products; want the same 20", n)
	}
	stop()
}

var adminLoginRE = regexp.MustCompile(`Admin login +(\S+)\n +Admin password +(\S+)`)

// adminSignIn posts the back office's sign-in form and returns the status.
func adminSignIn(t *testing.T, base, email, password string) int {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/admin/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestAdminCreateReadsThePasswordFromStdinOrGeneratesOne(t *testing.T) {
	data := t.TempDir()
	var stdout, stderr bytes.Buffer
	stdin = strings.NewReader("a long enough password\n")
	defer func() { stdin = os.Stdin }()
	if code := run(context.Background(), []string{"admin", "create", "--data", data, "--email", "Bo@Example.com", "--role", "staff"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "Created Staff bo@example.com") || strings.Contains(stdout.String(), "a long enough password") {
		t.Errorf("stdout %q", stdout.String())
	}
	stdout.Reset()
	stdin = strings.NewReader("")
	if code := run(context.Background(), []string{"admin", "create", "--data", data, "--email", "cy@example.com", "--role", "administrator"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !regexp.MustCompile(`Password: [A-Za-z0-9]{20}\n`).MatchString(stdout.String()) {
		t.Errorf("no generated password printed: %q", stdout.String())
	}
	stderr.Reset()
	stdin = strings.NewReader("short\n")
	if code := run(context.Background(), []string{"admin", "create", "--data", data, "--email", "cy@example.com", "--role", "owner"}, &stdout, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), "--role must be administrator or staff") {
		t.Errorf("bad role: exit %d, %s", code, stderr.String())
	}
	stderr.Reset()
	stdin = strings.NewReader("")
	if code := run(context.Background(), []string{"admin", "create", "--data", data, "--email", "cy@example.com", "--role", "staff"}, &stdout, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), "already an admin user") {
		t.Errorf("same address again: exit %d, %s", code, stderr.String())
	}
}

func TestServeWithoutDemoStartsEmptyButPrintsAToken(t *testing.T) {
	t.Parallel()
	base, out, stop := startServe(t, "--data", t.TempDir(), "--no-demo")
	defer stop()
	token := tokenRE.FindString(out.String())
	if token == "" {
		t.Fatalf("no token printed:\n%s", out.String())
	}
	r := graphql(t, base, token, `{ products { id } }`)
	if n := len(r["data"].(map[string]any)["products"].([]any)); n != 0 {
		t.Errorf("%d products without the demo; want 0", n)
	}
}

func TestTokenCreatePrintsTheTokenAloneAndStoresItsHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"migrate", "--data", data, "up"}, &stdout, &stderr); code != 0 {
		t.Fatalf("migrate up: exit %d: %s", code, stderr.String())
	}
	stdout.Reset()
	code := run(ctx, []string{"token", "create", "--data", data, "--name", "erp", "--permissions", "Product:read, Product:write", "--expires", "1h"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	token := strings.TrimSpace(stdout.String())
	if !tokenRE.MatchString(token) || token != tokenRE.FindString(token) || strings.Count(stdout.String(), "\n") != 1 {
		t.Fatalf("stdout %q; want the token alone on one line", stdout.String())
	}
	raw, err := os.ReadFile(filepath.Join(data, "seam.db"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(token)) || bytes.Contains(raw, []byte(token[8:])) {
		t.Error("the database file holds the token in plain text")
	}
	stdout.Reset()
	if code := run(ctx, []string{"token", "list", "--data", data}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "erp") ||
		!strings.Contains(stdout.String(), "…"+token[len(token)-4:]) || strings.Contains(stdout.String(), token[8:20]) {
		t.Errorf("token list (exit %d):\n%s", code, stdout.String())
	}
	stdout.Reset()
	if code := run(ctx, []string{"token", "revoke", "--data", data, "1"}, &stdout, &stderr); code != 0 {
		t.Errorf("revoke exit %d: %s", code, stderr.String())
	}
	if code := run(ctx, []string{"token", "revoke", "--data", data, "1"}, &stdout, &stderr); code != 1 {
		t.Errorf("revoking twice exited %d; want 1", code)
	}
}

func TestCommandsExplainBadUsage(t *testing.T) {
	t.Parallel()
	data, fresh := t.TempDir(), t.TempDir()
	var out bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "--data", data, "up"}, &out, &out); code != 0 {
		t.Fatalf("migrate up: exit %d: %s", code, out.String())
	}
	tests := []struct {
		args []string
		code int
		say  string
	}{
		{[]string{}, 2, "Commands:"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"token", "create", "--data", data, "--name", "x"}, 2, "Give the token permissions"},
		{[]string{"token", "create", "--data", data, "--name", "x", "--permissions", "Product:eat"}, 2, "unknown permissions Product:eat"},
		{[]string{"token", "create", "--data", data, "--permissions", "Product:read"}, 2, "needs a name"},
		{[]string{"token", "create", "--data", data, "--name", "x", "--all", "--store", "99"}, 2, "no store 99"},
		{[]string{"token", "revoke", "--data", data, "abc"}, 2, "not a token id"},
		{[]string{"migrate", "--data", data, "sideways"}, 2, "up or status"},
		{[]string{"mail", "--data", data}, 2, "retry"},
		{[]string{"mail", "--data", data, "--id", "-3", "retry"}, 2, "--id must be positive"},
		{[]string{"mail", "--data", data, "retry"}, 0, "0 failed message(s) queued again"},
		{[]string{"serve", "--data", data, "--rate-limits", "lots"}, 2, "centra, high or off"},
		{[]string{"serve", "--database-url", "mysql://x"}, 2, "postgres://"},
		{[]string{"serve", "--data", fresh, "--reservation-ttl", "0s"}, 2, "--reservation-ttl must be positive"},
		{[]string{"serve", "--data", fresh, "--webhook-window", "-1h"}, 2, "--webhook-window must be positive"},
		{[]string{"serve", "--data", fresh, "--webhook-timeout", "0s"}, 2, "--webhook-timeout must be positive"},
		{[]string{"serve", "--data", fresh, "--webhook-log-retention", "0s"}, 2, "--webhook-log-retention must be positive"},
		{[]string{"serve", "--data", fresh, "--webhooks-config", filepath.Join(fresh, "missing.json")}, 2, "--webhooks-config"},
		{[]string{"serve", "--data", fresh, "--attribute-types", filepath.Join(fresh, "missing.json")}, 1, "attribute types"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tt.args, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stdout.String()+stderr.String(), tt.say) {
			t.Errorf("seam %v: exit %d, output %q; want exit %d saying %q", tt.args, code, stdout.String()+stderr.String(), tt.code, tt.say)
		}
	}
	// A mistyped duration flag or a missing config file changes nothing:
	// no database was made.
	if left, err := os.ReadDir(fresh); err != nil || len(left) != 0 {
		t.Errorf("serve with a bad flag left %v in its data directory (%v)", left, err)
	}
	for _, cmd := range [][]string{{"serve", "-h"}, {"migrate", "-h"}, {"token", "-h"}, {"token", "create", "-h"}, {"token", "list", "-h"}, {"token", "revoke", "-h"}, {"mail", "-h"}, {"version"}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), cmd, &stdout, &stderr); code != 0 || stdout.Len()+stderr.Len() == 0 {
			t.Errorf("seam %v: exit %d, no help", cmd, code)
		}
	}
}

func TestMigrateUpAndStatus(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "--data", data, "up"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "applied 1") {
		t.Fatalf("migrate up: exit %d, %s %s", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	if code := run(context.Background(), []string{"migrate", "--data", data, "status"}, &stdout, &stderr); code != 0 || strings.Contains(stdout.String(), "pending") || !strings.Contains(stdout.String(), "applied") {
		t.Fatalf("migrate status: exit %d:\n%s", code, stdout.String())
	}
	d, err := db.Open(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if st, err := d.Status(context.Background()); err != nil || len(st) < 2 {
		t.Errorf("status %v, %v", st, err)
	}
}

func TestServeOnPostgreSQL(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	base, out, stop := startServe(t, "--database-url", url)
	token := tokenRE.FindString(out.String())
	if token == "" {
		t.Fatalf("no token printed:\n%s", out.String())
	}
	r := graphql(t, base, token, `{ products(limit: 200) { id } }`)
	if n := len(r["data"].(map[string]any)["products"].([]any)); n != 20 {
		t.Errorf("demo on PostgreSQL has %d products; want 20", n)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d", code)
	}
	_, out, stop = startServe(t, "--database-url", url)
	defer stop()
	if tokenRE.FindString(out.String()) != "" {
		t.Error("second start on PostgreSQL printed a token again")
	}
}

// TestFlagsOverrideTheEnvironment cannot run in parallel: it sets
// environment variables.
func TestFlagsOverrideTheEnvironment(t *testing.T) {
	fromEnv, fromFlag := t.TempDir(), t.TempDir()
	t.Setenv("SEAM_DATA", fromEnv)
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "up"}, &stdout, &stderr); code != 0 {
		t.Fatalf("migrate with SEAM_DATA: exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(fromEnv, "seam.db")); err != nil {
		t.Errorf("SEAM_DATA was not used: %v", err)
	}
	if code := run(context.Background(), []string{"migrate", "--data", fromFlag, "up"}, &stdout, &stderr); code != 0 {
		t.Fatalf("migrate with --data: exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(fromFlag, "seam.db")); err != nil {
		t.Errorf("--data did not win over SEAM_DATA: %v", err)
	}
	t.Setenv("SEAM_ADDR", "127.0.0.1:1")
	base, _, stop := startServe(t, "--data", fromFlag)
	defer stop()
	if strings.HasSuffix(base, ":1") {
		t.Errorf("--addr did not win over SEAM_ADDR: %s", base)
	}
}

// TestServeLoadsAttributeTypesFromItsFile: --attribute-types makes the
// file's types, which attributeTypes lists; a file with a mistake stops
// serve before it listens.
func TestServeLoadsAttributeTypesFromItsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "attributes.json")
	if err := os.WriteFile(good, []byte(`{"cus_extra": {"desc": "Customer", "group": "customer", "readonly": false,
		"elements": {"id": {"desc": "External Customer ID", "type": "input"}, "ship_id": {"desc": "Customer shipping ID", "type": "input"}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	base, out, stop := startServe(t, "--data", filepath.Join(dir, "data"), "--no-demo", "--attribute-types", good)
	token := tokenRE.FindString(out.String())
	r := graphql(t, base, token, `{ attributeTypes { name description objectType isMapped elements { key description kind } } }`)
	stop()
	got, _ := json.Marshal(r["data"])
	want := `{"attributeTypes":[{"description":"Customer","elements":[{"description":"External Customer ID","key":"id","kind":"INPUT"},` +
		`{"description":"Customer shipping ID","key":"ship_id","kind":"INPUT"}],"isMapped":false,"name":"cus_extra","objectType":"Customer"}]}`
	if string(got) != want {
		t.Errorf("attributeTypes:\n got %s\nwant %s", got, want)
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"x": {"group": "warehouse", "elements": {"a": {"type": "input"}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--data", filepath.Join(dir, "data2"), "--no-demo", "--addr", "127.0.0.1:0", "--attribute-types", bad}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), `group "warehouse"`) {
		t.Errorf("serve with a bad attribute file: exit %d, %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data2", "seam.db")); err == nil {
		t.Error("serve with a bad attribute file made a database first")
	}
}
