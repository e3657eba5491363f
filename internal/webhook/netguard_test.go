package webhook_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/store"
	"seam/internal/webhook"
)

// TestWebhookToAPrivateAddressIsRefusedAtConnectTime enqueues messages to
// a receiver on loopback (by address and by a name that resolves there)
// and to the cloud metadata address: a worker without AllowPrivate makes
// no connection to any of them and records why; with AllowPrivate (as
// --webhook-allow-private) the loopback receiver gets its message.
func TestWebhookToAPrivateAddressIsRefusedAtConnectTime(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		rc := newReceiver(t, accept)
		_, port, _ := net.SplitHostPort(rc.Listener.Addr().String())
		ids := enqueue(t, d, message(rc.URL+"/hook"), message("http://localhost:"+port+"/hook"), message("http://169.254.169.254/latest/meta-data/"))
		guarded := &webhook.Worker{DB: d}
		if n := deliverDue(t, guarded); n != 0 {
			t.Fatalf("delivered %d messages to private addresses", n)
		}
		if got := len(rc.requests()); got != 0 {
			t.Fatalf("the loopback receiver got %d requests", got)
		}
		for _, id := range ids {
			attempts, err := store.WebhookAttempts(ctx, d.Read(), id)
			if err != nil {
				t.Fatal(err)
			}
			if len(attempts) != 1 || !strings.Contains(attempts[0].Error, "not a public address") {
				t.Errorf("message %d: attempts %+v, want one refused as not a public address", id, attempts)
			}
		}
		open := &webhook.Worker{DB: d, AllowPrivate: true}
		enqueue(t, d, message(rc.URL+"/hook"))
		if n := deliverDue(t, open); n != 1 || len(rc.requests()) != 1 {
			t.Fatalf("with AllowPrivate: delivered %d, receiver got %d; want 1 and 1", n, len(rc.requests()))
		}
	})
}
