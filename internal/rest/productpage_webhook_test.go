package rest_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/productlink"
	"seam/internal/retry"
	"seam/internal/seam"
	"seam/internal/store"
	"seam/internal/webhook"
)

// plReceiver is a store's after-sale endpoint that fails its first
// attempts.
type plReceiver struct {
	mu       sync.Mutex
	failures int
	got      []plDelivery
}

type plDelivery struct {
	status    int
	body      []byte
	signature string
	delivery  string
}

func (r *plReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	status := http.StatusOK
	if r.failures > 0 {
		r.failures--
		status = http.StatusInternalServerError
	}
	r.got = append(r.got, plDelivery{status: status, body: body, signature: req.Header.Get("X-Centra-Signature"), delivery: req.Header.Get("X-Seam-Delivery")})
	w.WriteHeader(status)
}

func (r *plReceiver) delivered() []plDelivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []plDelivery
	for _, d := range r.got {
		if d.status == http.StatusOK {
			out = append(out, d)
		}
	}
	return out
}

// TestAfterSaleWebhookIsSignedAndRetried sells through two links of a
// store with an after-sale URL whose receiver fails the first attempts:
// the worker retries with backoff, records every attempt, and the receiver
// gets each sale once delivered, signed, with the fields seed 002 names.
func TestAfterSaleWebhookIsSignedAndRetried(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := startPL(t, d, "0.92")
		recv := &plReceiver{failures: 2}
		srv := httptest.NewServer(recv)
		t.Cleanup(srv.Close)
		if _, err := productlink.SetAfterSale(ctx, d, seam.Actor{Name: "ops"}, 1, "ftp://nope"); err == nil {
			t.Error("an ftp:// after-sale URL was taken")
		}
		secret, err := productlink.SetAfterSale(ctx, d, seam.Actor{Name: "ops"}, 1, srv.URL+"/after-sale")
		if err != nil || !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("SetAfterSale: %q, %v", secret, err)
		}

		once := plUUID(t, e.createLink("1", plSeedExample))
		plBuy(t, e, "/p/1?uuid="+once+"&phone_number=%2B35796652117&name=Eva%20Choo", nil)
		again := plUUID(t, e.createLink("4", map[string]any{"prices": []any{map[string]any{"currency_id": 2, "price": 12.5, "is_discount_price": false}}}))
		plBuy(t, e, "/p/4?uuid="+again+"&currency=EUR&telegram=%40eva", func(f url.Values) { f.Set("name", "Ann Lee"); f.Set("phone_number", "") })

		if n := plCount(t, d, `SELECT COUNT(*) FROM webhook_delivery WHERE kind = $1 AND status = 'PENDING'`, productlink.WebhookKind); n != 2 {
			t.Fatalf("%d after-sale messages queued, want 2", n)
		}
		worker := &webhook.Worker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: e.clock.Now, Backoff: func(int) time.Duration { return time.Minute }}}
		for range 6 {
			if _, err := worker.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(2 * time.Minute)
		}
		got := recv.delivered()
		if len(got) != 2 || len(recv.got) != 4 {
			t.Fatalf("receiver saw %d posts, %d answered 200; want 4 posts (2 failed) and 2 delivered", len(recv.got), len(got))
		}
		var attempts int
		for _, g := range got {
			id, _ := strconv.ParseInt(g.delivery, 10, 64)
			del, err := store.WebhookDeliveryByID(ctx, d.Read(), id)
			if err != nil || del.Status != store.WebhookDelivered {
				t.Errorf("delivery %s: %+v %v, want DELIVERED", g.delivery, del, err)
			}
			as, err := store.WebhookAttempts(ctx, d.Read(), id)
			if err != nil {
				t.Fatal(err)
			}
			attempts += len(as)
		}
		if attempts != 4 {
			t.Errorf("%d attempts recorded, want 4 (every POST)", attempts)
		}

		sales := map[string]store.ProductLinkSale{}
		rows, err := d.Read().QueryContext(ctx, `SELECT uuid, currency FROM product_link_sale`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s store.ProductLinkSale
			if err := rows.Scan(&s.UUID, &s.Currency); err != nil {
				t.Fatal(err)
			}
			sales[s.Currency] = s
		}
		rows.Close()

		keys := []string{"additional_fields", "amount", "commission", "created_at", "currency", "customer_email", "customer_name",
			"customer_phone", "exchange_rate", "metadata", "product_id", "product_title", "product_type", "total_amount", "uuid", "vat"}
		bodies := map[string]map[string]any{}
		for _, g := range got {
			verifySignature(t, secret, g)
			var b map[string]any
			jd := json.NewDecoder(bytes.NewReader(g.body))
			jd.UseNumber()
			if err := jd.Decode(&b); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, g.body)
			}
			var names []string
			for k := range b {
				names = append(names, k)
			}
			slices.Sort(names)
			if diff := cmp.Diff(keys, names); diff != "" {
				t.Errorf("body fields (-want +got):\n%s", diff)
			}
			if _, err := time.Parse(time.RFC3339, b["created_at"].(string)); err != nil {
				t.Errorf("created_at %v is not ISO 8601", b["created_at"])
			}
			delete(b, "created_at")
			bodies[b["currency"].(string)] = b
		}
		want := map[string]map[string]any{
			// A New York buyer: 8.875 % sales tax on top of the USD price.
			"USD": {"uuid": sales["USD"].UUID, "amount": json.Number("2000.00"), "total_amount": json.Number("2177.50"), "commission": json.Number("0.00"),
				"vat": json.Number("177.50"), "exchange_rate": json.Number("1"), "currency": "USD",
				"metadata":          map[string]any{"order_id": "559472095N", "name": "Alex Brown", "shop_url": "https://google.com/"},
				"additional_fields": []any{}, "customer_name": "Eva Choo", "customer_email": "eva@example.com", "customer_phone": "+35796652117",
				"product_id": json.Number("1"), "product_title": "Organic Cotton Tee", "product_type": "physical"},
			// 12.50 USD × 0.92 = 11.50 EUR, 19 % German VAT included:
			// 11.50 × 19/119 = 1.836… → 1.84.
			"EUR": {"uuid": sales["EUR"].UUID, "amount": json.Number("11.50"), "total_amount": json.Number("11.50"), "commission": json.Number("0.00"),
				"vat": json.Number("1.84"), "exchange_rate": json.Number("0.92"), "currency": "EUR", "metadata": []any{},
				"additional_fields": map[string]any{"telegram": "@eva"}, "customer_name": "Ann Lee", "customer_email": "eva@example.com",
				"customer_phone": "", "product_id": json.Number("4"), "product_title": "Heavyweight Hoodie", "product_type": "physical"},
		}
		if diff := cmp.Diff(want, bodies); diff != "" {
			t.Errorf("after-sale bodies (-want +got):\n%s", diff)
		}

		// Turning the webhook off queues nothing for the next sale.
		if s, err := productlink.SetAfterSale(ctx, d, seam.Actor{Name: "ops"}, 1, ""); err != nil || s != "" {
			t.Fatalf("turn off: %q %v", s, err)
		}
		plBuy(t, e, "/p/4?uuid="+again, nil)
		if n := plCount(t, d, `SELECT COUNT(*) FROM webhook_delivery`); n != 2 {
			t.Errorf("%d messages after a sale without an after-sale URL, want still 2", n)
		}
	})
}

// verifySignature checks X-Centra-Signature as a receiver would:
// HMAC-SHA256 of "<t>.<raw body>" keyed with the secret.
func verifySignature(t *testing.T, secret string, g plDelivery) {
	t.Helper()
	ts, v1, ok := strings.Cut(g.signature, ",v1=")
	ts, ok2 := strings.CutPrefix(ts, "t=")
	if !ok || !ok2 {
		t.Fatalf("X-Centra-Signature %q is not t=…,v1=…", g.signature)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(g.body)))
	if want := hex.EncodeToString(mac.Sum(nil)); !hmac.Equal([]byte(want), []byte(v1)) {
		t.Errorf("signature %s does not verify (want v1=%s)", g.signature, want)
	}
	sec, _ := strconv.ParseInt(ts, 10, 64)
	if webhook.Sign(secret, time.Unix(sec, 0), g.body) != g.signature {
		t.Errorf("signature differs from webhook.Sign's")
	}
}
