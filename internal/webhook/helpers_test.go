package webhook_test

import (
	"context"
	"crypto/hmac"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/store"
	"seam/internal/webhook"
)

// request is one POST a receiver got.
type request struct {
	path   string
	body   []byte
	header http.Header
}

// receiver is a real HTTP server that records every request before
// answering it with answer (n counts requests from 1).
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []request
}

func newReceiver(t testing.TB, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, request{path: r.URL.Path, body: body, header: r.Header.Clone()})
		n := len(rc.reqs)
		rc.mu.Unlock()
		answer(n, w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// accept answers 200.
func accept(int, http.ResponseWriter, *http.Request) {}

// hang answers nothing until the client gives up.
func hang(_ int, _ http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

// resetConnection drops the connection with a TCP reset instead of
// answering.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

func (rc *receiver) requests() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]request(nil), rc.reqs...)
}

// deliveryIDs lists the X-Seam-Delivery headers of requests, in arrival
// order.
func deliveryIDs(reqs []request) []int64 {
	var ids []int64
	for _, r := range reqs {
		id, _ := strconv.ParseInt(r.header.Get("X-Seam-Delivery"), 10, 64)
		ids = append(ids, id)
	}
	return ids
}

// clock is a test clock that moves only when told, starting a second
// ahead of real time so that messages enqueued just before are due.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: db.Now().Add(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// enqueue commits msgs in one transaction and returns their ids.
func enqueue(t *testing.T, d *db.DB, msgs ...webhook.Message) []int64 {
	t.Helper()
	ctx := context.Background()
	var before int64
	if err := d.Read().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM webhook_delivery`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for _, m := range msgs {
			if err := webhook.Enqueue(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := d.Read().QueryContext(ctx, `SELECT id FROM webhook_delivery WHERE id > $1 ORDER BY id`, before)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if len(ids) != len(msgs) {
		t.Fatalf("enqueued %d messages, found %d", len(msgs), len(ids))
	}
	return ids
}

func message(url string) webhook.Message {
	return webhook.Message{Kind: "after_sale", URL: url, Secret: "whsec_test", Body: []byte(`{"order":"9f1c"}`)}
}

func delivery(t *testing.T, d *db.DB, id int64) store.WebhookDelivery {
	t.Helper()
	got, err := store.WebhookDeliveryByID(context.Background(), d.Read(), id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func deliverDue(t *testing.T, w *webhook.Worker) int {
	t.Helper()
	n, err := w.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// verifySignature checks an X-Centra-Signature header as a receiver would:
// recompute v1 from t and the raw body.
func verifySignature(t *testing.T, secret, header string, body []byte) {
	t.Helper()
	var ts, v1 string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || v1 == "" {
		t.Fatalf("signature %q lacks t or v1", header)
	}
	want := webhook.Sign(secret, time.Unix(sec, 0), body)
	if !hmac.Equal([]byte(header), []byte(want)) {
		t.Fatalf("signature %q does not verify (want %q)", header, want)
	}
}
