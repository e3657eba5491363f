package restfuzz_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"seam/internal/checkout"
	"seam/internal/dbtest"
	"seam/internal/demo"
	"seam/internal/payment"
	"seam/internal/rest"
)

// demoShop is the demo shop that `seam serve` loads.
var demoShop = &dbtest.Seed{Name: "demo", Load: demo.Load}

func TestMain(m *testing.M) {
	code := m.Run()
	demoShop.Drop()
	os.Exit(code)
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// fuzzEngines is the demo shop served in process on SQLite and, when
// SEAM_TEST_POSTGRES is set, on PostgreSQL (CI fuzzes on SQLite only, so
// that fuzz workers leave no databases behind; the seeds run on both).
type fuzzEngines struct {
	names    []string
	handlers []http.Handler
}

func newFuzzEngines(f *testing.F) *fuzzEngines {
	f.Helper()
	e := &fuzzEngines{}
	add := func(name string, h http.Handler) {
		e.names, e.handlers = append(e.names, name), append(e.handlers, h)
	}
	sq := dbtest.SQLiteFrom(f, demoShop)
	test := &payment.Test{Key: []byte("k")}
	quiet := slog.New(slog.NewTextHandler(testWriter{f}, &slog.HandlerOptions{Level: slog.LevelError}))
	add("sqlite", rest.New(checkout.New(sq, map[string]payment.Provider{"test": test}), quiet, test))
	if os.Getenv("SEAM_TEST_POSTGRES") != "" {
		pg := dbtest.PostgresFrom(f, demoShop)
		add("postgres", rest.New(checkout.New(pg, map[string]payment.Provider{"test": test}), quiet, test))
	}
	return e
}

// send makes the request on every engine and fails on a 500 or a panic,
// or when the engines answer different statuses.
func (e *fuzzEngines) send(t *testing.T, method, target string, body []byte, header http.Header) {
	var statuses []int
	for i, h := range e.handlers {
		// The target goes in as sent on the wire, escapes and all.
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return // not a request a client can send
		}
		req := httptest.NewRequest(method, "http://seam.test/", bytes.NewReader(body))
		req.URL, req.RequestURI = u, target
		for k, v := range header {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q on %s: %d %s", method, target, body, e.names[i], rec.Code, rec.Body.Bytes())
		}
		statuses = append(statuses, rec.Code)
	}
	for i := 1; i < len(statuses); i++ {
		if statuses[i] != statuses[0] {
			t.Fatalf("%s %s %q: %s answers %d, %s %d", method, target, body, e.names[0], statuses[0], e.names[i], statuses[i])
		}
	}
}

var fuzzMethods = []string{"GET", "POST", "PUT", "DELETE"}

// FuzzCheckoutPathIDs sends any path under /api/checkout/ (ids, codes,
// countries, quantities and amounts in the path, escaped as a client may):
// no answer is a 500, and both engines answer the same.
func FuzzCheckoutPathIDs(f *testing.F) {
	for _, seed := range []string{"selection", "selections/%00", "countries/%00", "countries/SE/states/%ff", "items/gift-certificates/%ff",
		"items/1-3/quantity/99999999999999999999", "items/-1", "lines/%00/quantity/2", "vouchers/%E2%80", "languages/%00",
		"payment-links/x/%00/qr.png", "products/1%00", "selections/" + strings.Repeat("a", 300) + "/items/1-3",
		"items/gift-certificates/gc/amount/1e309", "shipping-methods/%C0%80", "test-payment/%00"} {
		f.Add(byte(1), seed)
	}
	e := newFuzzEngines(f)
	f.Fuzz(func(t *testing.T, method byte, path string) {
		if strings.ContainsAny(path, " \r\n\t#?") {
			return // not one path
		}
		e.send(t, fuzzMethods[int(method)%len(fuzzMethods)], "/api/checkout/"+path, nil, nil)
	})
}

// fuzzBodies are the Checkout API calls that read a JSON body.
var fuzzBodies = []struct{ method, path string }{
	{"PUT", "/selection"}, {"POST", "/products"}, {"PUT", "/address"}, {"POST", "/payment"}, {"POST", "/vouchers"},
	{"POST", "/items/1-3"}, {"POST", "/gift-certificates/balance"}, {"POST", "/payment-result"}, {"POST", "/newsletter-subscription"},
	{"POST", "/categories"}, {"POST", "/uri"}, {"POST", "/items/gift-certificates/gc-any"},
}

// FuzzCheckoutBodies sends any body to each Checkout API call that reads
// one: no answer is a 500, and both engines answer the same.
func FuzzCheckoutBodies(f *testing.F) {
	for i, seed := range []string{`{"search":"\u0000"}`, `{"country":"\u0000"}`, `{"address":{"country":"SE","email":"\ud800"}}`,
		`{"termsAndConditions":"1","address":{}}`, `{"voucher":"x\u0000"}`, `{"quantity":9223372036854775808}`, `{"code":""}`,
		`{"paymentMethodFields":{"a":["\u0000"]}}`, `{"email":"a@b.c","newsletter":true}`, `{"uri":"` + strings.Repeat("a/", 500) + `"}`,
		`{"skipFirst":-1,"limit":1e99}`, `{"amount":"1e400"}`, "{\"search\":\"\xff\"}", `[1,2`, `null`} {
		f.Add(byte(i), []byte(seed))
	}
	e := newFuzzEngines(f)
	f.Fuzz(func(t *testing.T, call byte, body []byte) {
		c := fuzzBodies[int(call)%len(fuzzBodies)]
		e.send(t, c.method, "/api/checkout"+c.path, body, http.Header{"Content-Type": {"application/json"}})
	})
}
