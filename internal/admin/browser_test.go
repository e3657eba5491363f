package admin_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seam/internal/adminuser"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/demo"
	"seam/internal/media"
	"seam/internal/payment"
	"seam/internal/server"
)

// demoShop is the demo shop every browser test starts with.
var demoShop = &dbtest.Seed{Name: "demo", Load: demo.Load}

func TestMain(m *testing.M) {
	code := m.Run()
	demoShop.Drop()
	os.Exit(code)
}

// Logins of the users every test server has.
const (
	adminEmail = "anna@example.com"
	staffEmail = "sam@example.com"
	password   = "correct horse battery"
)

// chromium finds a Chromium to drive, or skips the test saying how to run
// it; with SEAM_TEST_REQUIRE_BROWSER=1 (as .ci/run sets) a missing
// browser fails the test instead.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SEAM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "browser tests need Chromium: apt-get install -y chromium (or set SEAM_CHROMIUM to a Chrome binary); .ci/run installs it"
	if os.Getenv("SEAM_TEST_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// browser starts a headless Chromium for the test and returns a tab's
// context. Every step waits for its element or condition, bounded by the
// test's budget, never by fixed sleeps.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 1000))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	// The first run starts the browser; its context must not time out.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return tctx
}

// tab opens a tab of the browser in a browser context of its own: its
// own cookies, so that the SQLite and PostgreSQL halves of a test, which
// run at once against servers on the same host, never share a session
// cookie (cookies ignore the port).
func tab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	c, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(c); err != nil {
		t.Fatal(err)
	}
	return c
}

// seam is a Seam server as serve runs it (demo shop, Checkout API, the
// back office) behind httptest, with an Administrator and a Staff user.
type seam struct {
	url string
	d   *db.DB
}

func startSeam(t *testing.T, d *db.DB) seam {
	t.Helper()
	return startSeamWith(t, d, nil)
}

// startSeamWith starts Seam with lib storing and serving product
// pictures (nil leaves them out).
func startSeamWith(t *testing.T, d *db.DB, lib *media.Library) seam {
	t.Helper()
	ctx := context.Background()
	for _, u := range []adminuser.NewUser{{Email: adminEmail, Name: "Anna", Role: adminuser.Administrator, Password: password},
		{Email: staffEmail, Name: "Sam", Role: adminuser.Staff, Password: password}} {
		if _, err := adminuser.Create(ctx, d, "test", u); err != nil {
			t.Fatal(err)
		}
	}
	test := &payment.Test{Key: []byte("k")}
	svc := checkout.New(d, map[string]payment.Provider{"test": test})
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewServer(server.New(server.Config{DB: d, Log: log, Version: "test", Checkout: svc, TestPayments: test, DevMailbox: true, Media: lib}).Handler())
	t.Cleanup(srv.Close)
	return seam{url: srv.URL, d: d}
}

// testLog writes the server's warnings and errors into the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// signIn signs in through the sign-in page and waits for the dashboard.
func (s seam) signIn(t *testing.T, ctx context.Context, email string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(s.url+"/admin/login"), chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password), chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".stat")))
}

// do runs browser steps, failing the test with the page's main part.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, 40*time.Second)
	defer cancel()
	if err := chromedp.Do(step, steps...); err != nil {
		main, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("browser: %v\npage: %s", err, main)
	}
}

// text is the visible text of the first element css matches.
func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// value is the value of the first input css matches.
func value(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("value of %s: %v", css, err)
	}
	return s
}

// waitText waits until the text of the element css matches contains want.
func waitText(t *testing.T, ctx context.Context, css, want string) {
	t.Helper()
	expr := `(function(){var e=document.querySelector(` + jsString(css) + `);return !!e && e.innerText.indexOf(` + jsString(want) + `)>=0})()`
	deadline := time.Now().Add(40 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		// A poll that a page load interrupts starts again on the new page.
		if _, err = chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond),
			chromedp.WithPollingTimeout(time.Until(deadline)))); err == nil || !strings.Contains(err.Error(), "navigated") && !strings.Contains(err.Error(), "context with specified id") {
			break
		}
	}
	if err != nil {
		got, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("waiting for %q in %s: %v\npage: %s", want, css, err, got)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// api calls the Checkout API as a buyer's storefront would.
func api(t *testing.T, method, url, token string, body any) map[string]any {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("API-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, raw)
	}
	return out
}
