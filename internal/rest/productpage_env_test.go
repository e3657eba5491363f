package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govalues/decimal"

	"seam/internal/auth"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/payment"
	"seam/internal/productlink"
	"seam/internal/rest"
	"seam/internal/rest/resttest"
	"seam/internal/seam"
)

// plClock is a clock tests move forward.
type plClock struct{ off atomic.Int64 }

func (c *plClock) Now() time.Time { return time.Now().Add(time.Duration(c.off.Load())) }

// Advance moves the clock forward by d.
func (c *plClock) Advance(d time.Duration) { c.off.Add(int64(d)) }

// plEnv is Seam with the demo shop, the Checkout API, the mel-store API
// and the product pages behind httptest, wired as `seam serve` wires them.
type plEnv struct {
	t     testing.TB
	d     *db.DB
	svc   *checkout.Service
	url   string
	clock *plClock
	// token is an Integration API token with PaymentLink:write.
	token string
	// mel calls the mel-store API through the melstore.yaml validator.
	mel   *http.Client
	melTr *resttest.Transport
	// page is a buyer's browser that does not follow redirects.
	page *http.Client
}

// startPL starts the servers on d with the demo shop and, unless rate is
// "", the USD:EUR exchange rate; change may add to the checkout service.
func startPL(t testing.TB, d *db.DB, rate string, change ...func(*checkout.Service)) *plEnv {
	t.Helper()
	ctx := context.Background()
	dbtest.Load(t, d, demoShop)
	if rate != "" {
		rates, err := productlink.ParseRates("USD:EUR=" + rate)
		if err != nil {
			t.Fatal(err)
		}
		if err := productlink.SetRates(ctx, d, seam.Actor{Name: "operator"}, rates); err != nil {
			t.Fatal(err)
		}
	}
	clock := &plClock{}
	test := &payment.Test{Key: []byte("k")}
	svc := checkout.New(d, map[string]payment.Provider{"test": test})
	svc.Now = clock.Now
	productlink.Wire(svc)
	for _, c := range change {
		c(svc)
	}
	log := slog.New(slog.NewTextHandler(plLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc.Log = log
	mux := http.NewServeMux()
	mux.Handle(rest.Prefix+"/", rest.New(svc, log, test))
	mux.Handle(rest.MelStorePrefix+"/", rest.NewMelStore(rest.MelStoreConfig{DB: d, Log: log, Now: clock.Now, Limits: auth.HighLimits()}))
	mux.Handle(rest.ProductPagePrefix+"/", rest.NewProductPage(rest.ProductPageConfig{Checkout: svc, Log: log}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	high := auth.HighLimits()
	tok, _, err := auth.Create(ctx, d, auth.NewToken{Name: "seller-tool", Permissions: []string{"PaymentLink:write"}, Limits: &high})
	if err != nil {
		t.Fatal(err)
	}
	tr := resttest.MelStoreValidator(t, srv.Client().Transport)
	noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &plEnv{t: t, d: d, svc: svc, url: srv.URL, clock: clock, token: tok.Reveal(), mel: &http.Client{Transport: tr, CheckRedirect: noFollow},
		melTr: tr, page: &http.Client{Transport: srv.Client().Transport, CheckRedirect: noFollow}}
}

type plLogWriter struct{ t testing.TB }

func (w plLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// plAnswer is an answer as tests read it.
type plAnswer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (a plAnswer) str(k string) string {
	s, _ := a.body[k].(string)
	return s
}

// fieldError is the first message errors names for field.
func (a plAnswer) fieldError(field string) string {
	errs, _ := a.body["errors"].(map[string]any)
	list, _ := errs[field].([]any)
	if len(list) == 0 {
		return ""
	}
	s, _ := list[0].(string)
	return s
}

// melCall sends a mel-store call with the env's token (token "" sends
// none; "-" the env's). body is nil, raw []byte, or a value to encode.
func (e *plEnv) melCall(method, path string, body any, token string, opts ...func(*http.Request) *http.Request) plAnswer {
	e.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	var rd io.Reader
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.url+rest.MelStorePrefix+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token == "-" {
		token = e.token
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, o := range opts {
		req = o(req)
	}
	resp, err := e.mel.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	a := plAnswer{status: resp.StatusCode, header: resp.Header}
	a.raw, _ = io.ReadAll(resp.Body)
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && bytes.HasPrefix(a.raw, []byte("{")) {
		jd := json.NewDecoder(bytes.NewReader(a.raw))
		jd.UseNumber()
		if err := jd.Decode(&a.body); err != nil {
			e.t.Fatalf("%s %s: answer is not a JSON object: %v\n%s", method, path, err, a.raw)
		}
	}
	return a
}

// plOutside marks a mel-store request that breaks melstore.yaml on purpose.
func plOutside(r *http.Request) *http.Request { return resttest.OutsideContract(r) }

// createLink makes a link and stops the test unless it is made.
func (e *plEnv) createLink(productID string, body any) plAnswer {
	e.t.Helper()
	a := e.melCall("POST", "/products/"+productID+"/payment-links", body, "-")
	if a.status != http.StatusCreated {
		e.t.Fatalf("create link: status %d\n%s", a.status, a.raw)
	}
	return a
}

// pageGet fetches a page path (with query) as a buyer.
func (e *plEnv) pageGet(path string) plAnswer {
	e.t.Helper()
	if strings.HasPrefix(path, e.url) {
		path = strings.TrimPrefix(path, e.url)
	}
	resp, err := e.page.Get(e.url + path)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	a := plAnswer{status: resp.StatusCode, header: resp.Header}
	a.raw, _ = io.ReadAll(resp.Body)
	return a
}

// pagePost sends a form as a buyer.
func (e *plEnv) pagePost(path string, form url.Values) plAnswer {
	e.t.Helper()
	resp, err := e.page.PostForm(e.url+path, form)
	if err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	a := plAnswer{status: resp.StatusCode, header: resp.Header}
	a.raw, _ = io.ReadAll(resp.Body)
	return a
}

var (
	plFormPattern   = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)">(.*?)</form>`)
	plInputPattern  = regexp.MustCompile(`<input ([^>]*)>`)
	plAttrPattern   = regexp.MustCompile(`([a-z_]+)="([^"]*)"`)
	plSelectPattern = regexp.MustCompile(`(?s)<select [^>]*name="([a-z_]+)"[^>]*>(.*?)</select>`)
	plOptionPattern = regexp.MustCompile(`<option value="([^"]*)"([^>]*)>`)
)

// plFormOf reads the order form of a product page: its action and the
// values a browser would send (checkboxes left out).
func plFormOf(t *testing.T, page []byte) (string, url.Values) {
	t.Helper()
	m := plFormPattern.FindSubmatch(page)
	if m == nil {
		t.Fatalf("the page has no order form:\n%s", page)
	}
	vals := url.Values{}
	for _, in := range plInputPattern.FindAllSubmatch(m[2], -1) {
		attrs := map[string]string{}
		for _, a := range plAttrPattern.FindAllSubmatch(in[1], -1) {
			attrs[string(a[1])] = html.UnescapeString(string(a[2]))
		}
		if attrs["name"] == "" || attrs["type"] == "checkbox" {
			continue
		}
		vals.Set(attrs["name"], attrs["value"])
	}
	for _, s := range plSelectPattern.FindAllSubmatch(m[2], -1) {
		for _, o := range plOptionPattern.FindAllSubmatch(s[2], -1) {
			if strings.Contains(string(o[2]), "selected") {
				vals.Set(string(s[1]), html.UnescapeString(string(o[1])))
			}
		}
	}
	return html.UnescapeString(string(m[1])), vals
}

// plOptions lists the values of a select of a page's form that are not
// disabled.
func plOptions(page []byte, name string) []string {
	var out []string
	for _, s := range plSelectPattern.FindAllSubmatch(page, -1) {
		if string(s[1]) != name {
			continue
		}
		for _, o := range plOptionPattern.FindAllSubmatch(s[2], -1) {
			if !strings.Contains(string(o[2]), "disabled") {
				out = append(out, html.UnescapeString(string(o[1])))
			}
		}
	}
	return out
}

// plSeedExample is seed 002's create payload, verbatim.
const plSeedExample = `{
"prices": [
{
"currency_id": 2,
"price": 2500,
"is_discount_price": true,
"discount_price": 2000
},
{
"currency_id": 1,
"price": 100000,
"is_discount_price": false
}
],
"use_once": true,
"metadata" : {
"order_id": "559472095N",
"name": "Alex Brown",
"shop_url": "https://google.com/"
}
}`

// plUUID reads the uuid of a created link.
func plUUID(t testing.TB, a plAnswer) string {
	t.Helper()
	u := a.str("uuid")
	if len(u) != 32 {
		t.Fatalf("uuid %q is not 32 hex digits", u)
	}
	return u
}

// plCount runs a COUNT query.
func plCount(t testing.TB, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// plDec parses a decimal for comparisons.
func plDec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
