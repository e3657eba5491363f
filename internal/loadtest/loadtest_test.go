package loadtest_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"seam/internal/auth"
	"seam/internal/checkout"
	"seam/internal/dbtest"
	"seam/internal/demo"
	"seam/internal/loadtest"
	"seam/internal/payment"
	"seam/internal/server"
)

// demoShop is the demo shop that `seam serve` loads, as a test database seed.
var demoShop = &dbtest.Seed{Name: "demo", Load: demo.Load}

func TestMain(m *testing.M) {
	code := m.Run()
	demoShop.Drop()
	os.Exit(code)
}

// startSeam runs a real Seam with the Checkout API and the demo shop on a
// fresh SQLite database and returns its URL and a full-permission token
// with high rate limits.
func startSeam(t *testing.T) (url, token string) {
	t.Helper()
	return startWrapped(t, nil)
}

// startWrapped is startSeam with wrap in front of Seam's handler (nil: none).
func startWrapped(t *testing.T, wrap func(http.Handler) http.Handler) (url, token string) {
	t.Helper()
	ctx := context.Background()
	d := dbtest.SQLiteFrom(t, demoShop)
	hl := auth.HighLimits()
	sec, _, err := auth.Create(ctx, d, auth.NewToken{Name: "load", All: true, Limits: &hl})
	if err != nil {
		t.Fatal(err)
	}
	test := &payment.Test{Key: []byte("k")}
	svc := checkout.New(d, map[string]payment.Provider{"test": test})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var h http.Handler = server.New(server.Config{DB: d, Log: log, Checkout: svc, TestPayments: test}).Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL, sec.Reveal()
}

func TestStockRaceSellsExactlyTheUnitsInStock(t *testing.T) {
	t.Parallel()
	url, token := startSeam(t)
	rep, err := loadtest.RunStockRace(context.Background(), loadtest.StockRaceConfig{
		Target: loadtest.Target{URL: url, Token: token}, Units: 5, Buyers: 20})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.Print(&out)
	t.Log("\n" + out.String())
	if rep.Sold != 5 || rep.Refused != 15 || len(rep.Errors) != 0 {
		t.Errorf("sold %d, refused %d, errors %v; want 5 sold and 15 refused", rep.Sold, rep.Refused, rep.Errors)
	}
	if want := (loadtest.StockLevels{Physical: 5, Allocated: 5, FreeToAllocate: 0}); rep.Stock != want {
		t.Errorf("stock after the race %+v; want %+v", rep.Stock, want)
	}
	if rep.Failed() {
		t.Errorf("an invariant failed: %+v", rep.Invariants)
	}
	for _, want := range []string{"sold               5", "refused           15", "ok    no more units sold than were in stock (sold 5 of 5)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestCheckoutRunCompletesCheckoutsAndHoldsItsInvariants(t *testing.T) {
	t.Parallel()
	url, token := startSeam(t)
	rep, err := loadtest.RunCheckout(context.Background(), loadtest.CheckoutConfig{
		Target: loadtest.Target{URL: url, Token: token}, Duration: 2 * time.Second, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.Print(&out)
	t.Log("\n" + out.String())
	if rep.OK == 0 {
		t.Errorf("no checkout succeeded")
	}
	if len(rep.Errors) != 0 {
		t.Errorf("errors: %+v", rep.Errors)
	}
	if rep.Failed() {
		t.Errorf("an invariant failed: %+v", rep.Invariants)
	}
	calls := map[string]int{}
	for _, c := range rep.Calls {
		calls[c.Call] = c.Count
		if c.P50 <= 0 || c.P50 > c.P95 || c.P95 > c.P99 || c.P99 > c.Max {
			t.Errorf("%s: percentiles out of order: %+v", c.Call, c)
		}
	}
	for _, call := range []string{"products", "add item", "country", "shipping", "payment", "payment-result", "receipt"} {
		if calls[call] < rep.OK {
			t.Errorf("%d %s calls for %d checkouts", calls[call], call, rep.OK)
		}
	}
	if !strings.Contains(out.String(), "checkouts") || !strings.Contains(out.String(), "p99") {
		t.Errorf("report lacks throughput or percentiles:\n%s", out.String())
	}
}

func TestCheckoutWithStockCreatesAProductFirst(t *testing.T) {
	t.Parallel()
	url, token := startSeam(t)
	rep, err := loadtest.RunCheckout(context.Background(), loadtest.CheckoutConfig{
		Target: loadtest.Target{URL: url, Token: token}, Duration: 300 * time.Millisecond, Concurrency: 2, Stock: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Setup, "with 1000 units") || rep.OK == 0 || rep.Failed() {
		t.Errorf("setup %q, %d ok, invariants %+v", rep.Setup, rep.OK, rep.Invariants)
	}
}

func TestStockRaceWithABadTokenFailsBeforeRacing(t *testing.T) {
	t.Parallel()
	url, _ := startSeam(t)
	_, err := loadtest.RunStockRace(context.Background(), loadtest.StockRaceConfig{
		Target: loadtest.Target{URL: url, Token: "seam_it_wrong"}, Units: 1, Buyers: 1})
	if err == nil || !strings.Contains(err.Error(), "Integration API") {
		t.Errorf("err %v; want the Integration API's refusal", err)
	}
}

func TestCheckURLAcceptsOnlyABaseURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", true},
		{"https://shop.example/", "https://shop.example", true},
		{"127.0.0.1:8080", "", false},
		{"ftp://x", "", false},
		{"http://", "", false},
		{"http://x/?a=1", "", false},
	} {
		got, err := loadtest.CheckURL(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("CheckURL(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// overselling stands in for a Seam that sells what it does not have: a
// payment refused as sold out is answered as approved instead, and the
// shopper gets a made-up order.
func overselling(h http.Handler) http.Handler {
	var mu sync.Mutex
	faked := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("API-Token")
		mu.Lock()
		fake := faked[tok]
		mu.Unlock()
		switch {
		case r.URL.Path == "/api/checkout/payment":
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != http.StatusGone {
				copyAnswer(w, rec)
				return
			}
			mu.Lock()
			faked[tok] = true
			mu.Unlock()
			io.WriteString(w, `{"action":"redirect","url":"https://loadtest.invalid/return?seam_payment=fake&result=approved&sig=x"}`)
		case fake && r.URL.Path == "/api/checkout/payment-result":
			io.WriteString(w, `{"action":"success","order":{"order":"fake-`+tok+`","number":1}}`)
		case fake && r.URL.Path == "/api/checkout/receipt":
			io.WriteString(w, `{"order":{"order":"fake-`+tok+`","number":1}}`)
		default:
			h.ServeHTTP(w, r)
		}
	})
}

// wrongReceipts stands in for a Seam whose receipt shows another order than
// the one the payment placed.
func wrongReceipts(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/checkout/receipt" {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.String()
		if i := strings.Index(body, `"order":"`); i >= 0 {
			body = body[:i] + `"order":"x` + body[i+len(`"order":"`):]
		}
		rec.Body.Reset()
		rec.Body.WriteString(body)
		copyAnswer(w, rec)
	})
}

func copyAnswer(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func TestStockRaceCatchesAnOversell(t *testing.T) {
	t.Parallel()
	url, token := startWrapped(t, overselling)
	rep, err := loadtest.RunStockRace(context.Background(), loadtest.StockRaceConfig{
		Target: loadtest.Target{URL: url, Token: token}, Units: 2, Buyers: 6})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sold != 6 || !rep.Failed() {
		t.Fatalf("sold %d, failed %v; want 6 sold and a failed invariant", rep.Sold, rep.Failed())
	}
	broken := map[string]bool{}
	for _, inv := range rep.Invariants {
		broken[inv.Name] = !inv.Held
	}
	if !broken["no more units sold than were in stock"] || !broken["allocated stock equals the units sold"] {
		t.Errorf("invariants %+v; want oversell and allocation to fail", rep.Invariants)
	}
}

func TestCheckoutCatchesAReceiptOfAnotherOrder(t *testing.T) {
	t.Parallel()
	url, token := startWrapped(t, wrongReceipts)
	rep, err := loadtest.RunCheckout(context.Background(), loadtest.CheckoutConfig{
		Target: loadtest.Target{URL: url, Token: token}, Duration: 200 * time.Millisecond, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK == 0 || !rep.Failed() {
		t.Fatalf("%d ok, failed %v; want checkouts and a failed invariant", rep.OK, rep.Failed())
	}
	for _, inv := range rep.Invariants {
		if inv.Name == "the receipt shows the order payment-result returned" && inv.Held {
			t.Errorf("receipts of other orders passed: %+v", inv)
		}
	}
}
