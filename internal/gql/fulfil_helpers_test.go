package gql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
	"seam/internal/payment"
	"seam/internal/server"
)

// shopAPI is the demo shop served as `seam serve` runs it (Checkout API and
// Integration API on one server, the test payment provider), with orders
// confirmed at once and a fixed clock for the Integration API.
type shopAPI struct {
	t   *testing.T
	d   *db.DB
	url string
	hc  *http.Client
	gql *gqltest.Client
	now time.Time
}

// fulfilNow is the Integration API's clock in fulfilment tests.
var fulfilNow = time.Date(2023, 1, 16, 9, 35, 35, 0, time.UTC)

func startFulfilShop(t *testing.T, d *db.DB, providers map[string]payment.Provider) *shopAPI {
	t.Helper()
	dbtest.Load(t, d, demoShop)
	// Shipping is never free, so that shipments carry it.
	dbtest.Exec(t, d, `UPDATE store SET autoconfirm_orders = TRUE`, `UPDATE shipping_price SET free_above_minor = NULL`)
	test := &payment.Test{Key: []byte("fulfil test key")}
	if providers == nil {
		providers = map[string]payment.Provider{}
	}
	providers["test"] = test
	svc := checkout.New(d, providers)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(server.New(server.Config{DB: d, Log: log, Version: "test", Checkout: svc, TestPayments: test,
		Now: func() time.Time { return fulfilNow }}).Handler())
	t.Cleanup(srv.Close)
	c := gqltest.New(t, d, "erp")
	c.URL, c.HTTP = srv.URL, srv.Client()
	return &shopAPI{t: t, d: d, url: srv.URL, hc: srv.Client(), gql: c, now: fulfilNow}
}

// items lists n demo items (display variant-product size) sold in Sweden
// with at least min units free, each of another product size.
func (s *shopAPI) items(n int, min int64) []string {
	s.t.Helper()
	rows, err := s.d.Read().QueryContext(context.Background(), `SELECT MIN(dv.id), ps.id FROM display_variant dv
		JOIN product_size ps ON ps.product_variant_id = dv.product_variant_id
		JOIN stock st ON st.product_size_id = ps.id
		GROUP BY ps.id HAVING SUM(st.physical - st.allocated) >= $1 ORDER BY ps.id`, min)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() && len(out) < n {
		var dv, ps int64
		if err := rows.Scan(&dv, &ps); err != nil {
			s.t.Fatal(err)
		}
		out = append(out, checkout.ItemID(dv, ps))
	}
	if len(out) < n {
		s.t.Fatalf("the demo has %d items with %d free, want %d", len(out), min, n)
	}
	return out
}

// placed is an order placed through the Checkout API.
type placed struct {
	hash   string
	number int64
	id     int64
}

// buy places an order over HTTP as a shopper: quantities of items, paid
// with the test provider.
func (s *shopAPI) buy(quantities map[string]int, order ...string) placed {
	s.t.Helper()
	token := ""
	call := func(method, path string, body any) map[string]any {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, s.url+"/api/checkout"+path, rd)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("API-Token", token)
		}
		resp, err := s.hc.Do(req)
		if err != nil {
			s.t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != http.StatusOK {
			s.t.Fatalf("%s %s: status %d: %s", method, path, resp.StatusCode, raw)
		}
		if tok, _ := out["token"].(string); tok != "" {
			token = tok
		}
		return out
	}
	for _, item := range order {
		call("POST", "/items/"+item+"/quantity/"+strconv.Itoa(quantities[item]), nil)
	}
	out := call("POST", "/payment", map[string]any{"termsAndConditions": true, "address": map[string]any{"email": "pio@example.com",
		"firstName": "Pio", "lastName": "Sym", "address1": "Addr 1", "zipCode": "12345", "city": "City", "country": "SE"}})
	hash, _ := gqltest.Get(out, "order", "id").(string)
	number, _ := gqltest.Get(out, "order", "number").(float64)
	if hash == "" {
		s.t.Fatalf("payment placed no order: %v", out)
	}
	return placed{hash: hash, number: int64(number), id: dbtest.Int(s.t, s.d, `SELECT id FROM orders WHERE hash = $1`, hash)}
}

// lineIDs are an order's line ids in line order.
func (s *shopAPI) lineIDs(o placed) []int64 {
	s.t.Helper()
	r := s.gql.MustOK(`query($id: String!) { order(id: $id) { lines { id } } }`, map[string]any{"id": o.hash})
	var out []int64
	for i := range gqltest.Get(r.Data, "order", "lines").([]any) {
		out = append(out, gqltest.ID(r.Data, "order", "lines", i, "id"))
	}
	return out
}

// renumberLine gives an order line the id a seed document names: a copy
// with the new id takes its allocations, then the old row goes.
func (s *shopAPI) renumberLine(from, to int64) {
	s.t.Helper()
	cols := `order_id, position, display_variant_id, product_id, product_variant_id, product_size_id, product_name, variant_name, size_name, sku,
		ean, quantity, unit_price_minor, unit_original_price_minor, discount_minor, line_value_minor, tax_percent, tax_minor, shipment_quantity`
	f, t := strconv.FormatInt(from, 10), strconv.FormatInt(to, 10)
	dbtest.Exec(s.t, s.d,
		`INSERT INTO order_line (id, `+cols+`) SELECT `+t+`, `+cols+` FROM order_line WHERE id = `+f,
		`UPDATE order_allocation SET order_line_id = `+t+` WHERE order_line_id = `+f,
		`DELETE FROM order_line WHERE id = `+f)
}

// renumber gives a row of one of the fulfilment tables (whose references
// cascade updates) the id a seed document names.
func (s *shopAPI) renumber(table string, from, to int64) {
	s.t.Helper()
	dbtest.Exec(s.t, s.d, fmt.Sprintf(`UPDATE %s SET id = %d WHERE id = %d`, table, to, from))
}

// ship creates a shipment of order lines through the Integration API and
// returns its id; extra is more input fields.
func (s *shopAPI) ship(o placed, lines map[int64]int, extra string) int64 {
	s.t.Helper()
	var ls []string
	for id, q := range lines {
		ls = append(ls, fmt.Sprintf(`{orderLine: {id: %d}, quantity: %d}`, id, q))
	}
	r := s.gql.MustOK(fmt.Sprintf(`mutation { createShipment(input: {order: {id: %q}, lines: [%s] %s}) { userErrors { message path } shipment { id } } }`,
		o.hash, strings.Join(ls, " "), extra), nil)
	return gqltest.ID(r.Data, "createShipment", "shipment", "id")
}

// physical is the physical stock of a product size (of an item) in a
// warehouse.
func (s *shopAPI) physical(warehouseID int64, item string) int64 {
	s.t.Helper()
	_, ps, _ := checkout.ParseItem(item)
	return dbtest.Int(s.t, s.d, `SELECT COALESCE(SUM(physical), 0) FROM stock WHERE warehouse_id = $1 AND product_size_id = $2`, warehouseID, ps)
}

// warehouseOf is the warehouse an order line's stock was allocated in.
func (s *shopAPI) warehouseOf(item string) int64 {
	s.t.Helper()
	_, ps, _ := checkout.ParseItem(item)
	return dbtest.Int(s.t, s.d, `SELECT MIN(warehouse_id) FROM stock WHERE product_size_id = $1 AND physical > 0`, ps)
}

// userError is the first userError message of a mutation, or "".
func userError(r gqltest.Result, mutation string) string {
	ue := r.UserErrors(mutation)
	if len(ue) == 0 {
		return ""
	}
	m, _ := ue[0]["message"].(string)
	return m
}
