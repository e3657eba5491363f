package gql_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"testing"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/demo"
	"seam/internal/gql/gqltest"
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

// liveShop is Seam with the demo shop serving the Checkout API and the
// Integration API on one httptest server, as `seam serve` runs them.
type liveShop struct {
	t   *testing.T
	d   *db.DB
	url string
	hc  *http.Client
	// erp is an Integration API client whose token has every permission.
	erp *gqltest.Client
}

func startShop(t *testing.T, d *db.DB) *liveShop {
	t.Helper()
	dbtest.Load(t, d, demoShop)
	test := &payment.Test{Key: []byte("k")}
	svc := checkout.New(d, map[string]payment.Provider{"test": test})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(server.New(server.Config{DB: d, Log: log, Version: "test", Checkout: svc, TestPayments: test}).Handler())
	t.Cleanup(srv.Close)
	erp := gqltest.New(t, d, "erp")
	erp.URL, erp.HTTP = srv.URL, srv.Client()
	return &liveShop{t: t, d: d, url: srv.URL, hc: srv.Client(), erp: erp}
}

// checkoutCall sends a Checkout API request as a shopper's browser with a
// session token and decodes the answer.
func (s *liveShop) checkoutCall(token, method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+"/api/checkout"+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("API-Token", token)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		s.t.Fatalf("%s %s: answer is not JSON: %v", method, path, err)
	}
	return resp.StatusCode, out
}

// item returns the Checkout API item of the n-th product the shop lists
// and its product size, stocked with 50 units free to allocate.
func (s *liveShop) item(n int) (string, int64) {
	s.t.Helper()
	_, sel := s.checkoutCall("", "GET", "/selection", nil)
	token, _ := sel["token"].(string)
	_, list := s.checkoutCall(token, "POST", "/products", map[string]any{})
	item, _ := gqltest.Get(list, "products", n, "items", 0, "item").(string)
	_, sizeID, ok := checkout.ParseItem(item)
	if !ok {
		s.t.Fatalf("product %d has no item: %v", n, gqltest.Get(list, "products", n))
	}
	dbtest.Exec(s.t, s.d, fmt.Sprintf(`UPDATE stock SET physical = allocated + 50 WHERE product_size_id = %d`, sizeID))
	return item, sizeID
}

// buy places an order over the Checkout API: quantity of item, paid with
// the test provider, for a shopper at address. It returns the order's
// number.
func (s *liveShop) buy(item string, quantity int, address map[string]any) int64 {
	s.t.Helper()
	return s.buyLines(address, cartLine{item, quantity})
}

// cartLine is quantity units of a Checkout API item.
type cartLine struct {
	item     string
	quantity int
}

// buyLines places an order of lines, in that order, as buy does.
func (s *liveShop) buyLines(address map[string]any, lines ...cartLine) int64 {
	s.t.Helper()
	_, sel := s.checkoutCall("", "GET", "/selection", nil)
	token, _ := sel["token"].(string)
	for _, l := range lines {
		if status, out := s.checkoutCall(token, "POST", "/items/"+l.item+"/quantity/"+strconv.Itoa(l.quantity), nil); status != http.StatusOK {
			s.t.Fatalf("add %s: %d %v", l.item, status, out)
		}
	}
	status, out := s.checkoutCall(token, "POST", "/payment", map[string]any{"termsAndConditions": true, "address": address,
		"paymentReturnPage": "https://shop.example/ok", "paymentFailedPage": "https://shop.example/failed"})
	if out["action"] == "redirect" {
		// The shopper approves at the test provider and comes back with
		// its fields in the return page's query string.
		u, err := url.Parse(out["url"].(string))
		if err != nil {
			s.t.Fatal(err)
		}
		fields := map[string]any{}
		for k, v := range u.Query() {
			fields[k] = v[0]
		}
		status, out = s.checkoutCall(token, "POST", "/payment-result", map[string]any{"paymentMethodFields": fields})
	}
	number, _ := gqltest.Get(out, "order", "number").(float64)
	if status != http.StatusOK || number == 0 {
		s.t.Fatalf("payment: %d %v", status, out)
	}
	return int64(number)
}

// free is what is free to allocate of a product size in all warehouses.
func (s *liveShop) free(sizeID int64) int64 {
	return dbtest.Int(s.t, s.d, `SELECT COALESCE(SUM(physical - allocated), 0) FROM stock WHERE product_size_id = $1`, sizeID)
}

// allocated is the stock allocated to an order's lines.
func (s *liveShop) allocated(number int64) int64 {
	return dbtest.Int(s.t, s.d, `SELECT COALESCE(SUM(a.quantity), 0) FROM order_allocation a JOIN order_line l ON l.id = a.order_line_id
		JOIN orders o ON o.id = l.order_id WHERE o.number = $1`, number)
}

// address is a shopper in Stockholm.
func address(first, last, email string) map[string]any {
	return map[string]any{"firstName": first, "lastName": last, "email": email, "address1": "Storgatan 1", "zipCode": "11122",
		"city": "Stockholm", "country": "SE", "phoneNumber": "+4684026100"}
}

// renumber gives an order the number a seed document names.
func (s *liveShop) renumber(from, to int64) {
	dbtest.Exec(s.t, s.d, fmt.Sprintf(`UPDATE orders SET number = %d WHERE number = %d`, to, from))
}
