package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govalues/decimal"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/demo"
	"seam/internal/gql/gqltest"
	"seam/internal/money"
	"seam/internal/payment"
	"seam/internal/rest"
	"seam/internal/rest/resttest"
	"seam/internal/seam"
	"seam/internal/server"
	"seam/internal/store"
	"seam/internal/voucher"
)

// demoShop is the demo shop that `seam serve` loads, as a test database seed.
var demoShop = &dbtest.Seed{Name: "demo", Load: demo.Load}

func TestMain(m *testing.M) {
	code := m.Run()
	demoShop.Drop()
	os.Exit(code)
}

// api is Seam with the demo shop and the Checkout API, as `seam serve`
// runs it, behind httptest.
type api struct {
	d    *db.DB
	svc  *checkout.Service
	url  string
	base http.RoundTripper

	mu         sync.Mutex
	transports []*resttest.Transport
}

func startAPI(t *testing.T, d *db.DB) *api {
	t.Helper()
	return startAPIWith(t, d, nil)
}

// startAPIWith is startAPI with a change to the checkout service (its
// clock, its reservation time) before it serves.
func startAPIWith(t *testing.T, d *db.DB, change func(*checkout.Service)) *api {
	t.Helper()
	dbtest.Load(t, d, demoShop)
	test := &payment.Test{Key: []byte("k")}
	svc := checkout.New(d, map[string]payment.Provider{"test": test})
	if change != nil {
		change(svc)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewServer(server.New(server.Config{DB: d, Log: log, Version: "test", Checkout: svc, TestPayments: test}).Handler())
	t.Cleanup(srv.Close)
	return &api{d: d, svc: svc, url: srv.URL, base: srv.Client().Transport}
}

// unexercised lists the documented operations no client of a reached.
func (a *api) unexercised() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for i, tr := range a.transports {
		if i == 0 {
			out = tr.Unexercised()
			continue
		}
		left := tr.Unexercised()
		out = slices.DeleteFunc(out, func(op string) bool { return !slices.Contains(left, op) })
	}
	return out
}

// client calls the Checkout API as a shopper's browser (which keeps the
// session token it is given) or as a storefront's server (shared secret),
// through a transport that checks every exchange against openapi.yaml.
type client struct {
	t       *testing.T
	url     string
	hc      *http.Client
	browser bool
	token   string
	secret  string
}

func (a *api) client(t *testing.T) *client {
	tr := resttest.Validator(t, a.base)
	a.mu.Lock()
	a.transports = append(a.transports, tr)
	a.mu.Unlock()
	return &client{t: t, url: a.url, hc: &http.Client{Transport: tr}}
}

// quickBrowser is a browser whose traffic is not checked against
// openapi.yaml, for race tests with thousands of calls, whose shapes other
// tests check.
func (a *api) quickBrowser(t *testing.T) *client {
	return &client{t: t, url: a.url, hc: &http.Client{Transport: a.base}, browser: true}
}

// browser is a shopper without a session yet.
func (a *api) browser(t *testing.T) *client {
	c := a.client(t)
	c.browser = true
	return c
}

// server is a storefront's backend with a shared secret.
func (a *api) server(t *testing.T, secret string) *client {
	c := a.client(t)
	c.secret = secret
	return c
}

// answer is a decoded answer.
type answer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// get follows keys and indexes through the answer.
func (a answer) get(path ...any) any { return gqltest.Get(a.body, path...) }

// str reads a string; "" when it is not one.
func (a answer) str(path ...any) string {
	s, _ := a.get(path...).(string)
	return s
}

// list reads an array.
func (a answer) list(path ...any) []any {
	l, _ := a.get(path...).([]any)
	return l
}

// option changes a request before it is sent.
type option func(*http.Request) *http.Request

// outside marks a request that breaks openapi.yaml on purpose.
func outside(r *http.Request) *http.Request { return resttest.OutsideContract(r) }

// header sets a request header.
func header(k, v string) option {
	return func(r *http.Request) *http.Request {
		r.Header.Set(k, v)
		return r
	}
}

// do sends a call under /api/checkout; body is nil, raw []byte or a value
// to encode.
func (c *client) do(method, path string, body any, opts ...option) answer {
	c.t.Helper()
	a, err := c.try(method, path, body, opts...)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return a
}

// try is do that returns the transport's error (a timeout) instead of
// stopping the test.
func (c *client) try(method, path string, body any, opts ...option) (answer, error) {
	c.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			c.t.Fatal(err)
		}
	}
	var rd io.Reader
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.url+rest.Prefix+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("API-Token", c.token)
	}
	if c.secret != "" {
		req.Header.Set("Authorization", "Bearer "+c.secret)
	}
	for _, o := range opts {
		req = o(req)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	if a.raw, err = io.ReadAll(resp.Body); err != nil {
		return answer{}, err
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(a.raw, &a.body); err != nil {
			c.t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, a.raw)
		}
	}
	if tok := a.str("token"); c.browser && tok != "" {
		c.token = tok
	}
	return a, nil
}

// must sends a call and stops the test unless it answers status.
func (c *client) must(status int, method, path string, body any, opts ...option) answer {
	c.t.Helper()
	a := c.do(method, path, body, opts...)
	if a.status != status {
		c.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, a.status, status, a.raw)
	}
	return a
}

// fails sends a call that must fail with status and an error on field.
func (c *client) fails(status int, field, method, path string, body any, opts ...option) answer {
	c.t.Helper()
	a := c.must(status, method, path, body, opts...)
	if a.str("errors", field) == "" {
		c.t.Errorf("%s %s: errors = %v, want one on %q", method, path, a.get("errors"), field)
	}
	return a
}

// percentVoucher makes an active CODE voucher of the demo shop that takes
// pct percent off the order.
func percentVoucher(t *testing.T, d *db.DB, code string, pct int64) {
	t.Helper()
	ctx := context.Background()
	stores, err := store.ListStores(ctx, d.Read(), store.StoreFilter{Types: []string{store.StoreDirectToConsumer}}, nil, store.Page{Limit: 1})
	if err != nil || len(stores) == 0 {
		t.Fatalf("demo store: %v, %d stores", err, len(stores))
	}
	str := func(s string) *string { return &s }
	off := money.NumberOf(decimal.MustNew(pct, 0))
	start, stop := time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	_, err = voucher.Create(ctx, d, seam.Actor{Name: "t"}, voucher.Input{Name: str(fmt.Sprintf("%d%% off", pct)), Status: str("ACTIVE"),
		StartAt: &start, StopAt: &stop, Method: str("CODE"), Code: &code, Type: str("DISCOUNT"),
		EntryPointStrategy: str("APPLY_ALL_THAT_APPLY"), Store: seam.ByID(stores[0].ID),
		Actions: []voucher.ActionInput{{Result: &voucher.ResultInput{SelectedProducts: &voucher.SelectedProductsInput{
			ApplyOn: str(voucher.ApplyOnOrder), Discount: &voucher.DiscountInput{PercentOff: &off}}}}}})
	if err != nil {
		t.Fatal(err)
	}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
