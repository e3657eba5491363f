package webhook_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/event"
	"seam/internal/retry"
	"seam/internal/webhook"
)

// TestWebhookSecretsAreSealedAtRestAndStillSign creates a subscription
// through the API (Seam makes its secret), one from a webhooks config file
// and an outbox message with a secret: no table then holds any of the
// secrets in plain text, and every call is still signed so that the
// secret shown at creation (or given) verifies it.
func TestWebhookSecretsAreSealedAtRestAndStillSign(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		rc := newReceiver(t, accept)
		_, apiSecret := subscribe(t, d, rc.URL+"/api", webhook.SubscriptionInput{Flavour: jsonFlavour()})
		if !strings.HasPrefix(apiSecret, "whsec_") {
			t.Fatalf("the created subscription showed secret %q", apiSecret)
		}
		const cfgSecret = "cfg-secret-4b9e21d7a0"
		const envSecret = "env-secret-93c1f0aa7e"
		path := filepath.Join(t.TempDir(), "webhooks.json")
		if err := os.WriteFile(path, []byte(`{"subscriptions": [
			{"name": "bi", "url": "`+rc.URL+`/cfg", "secret": "`+cfgSecret+`", "flavour": "JSON"},
			{"name": "erp", "url": "`+rc.URL+`/env", "secretEnv": "ERP_SECRET", "flavour": "JSON"}]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := webhook.LoadConfig(path)
		if err != nil {
			t.Fatal(err)
		}
		getenv := func(string) string { return envSecret }
		// Twice: a restart with the same file finds its subscriptions
		// unchanged (their secrets open to the file's).
		for range 2 {
			if err := webhook.SyncConfig(ctx, d, c, getenv); err != nil {
				t.Fatal(err)
			}
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = '`+webhook.SubscriptionType+`'`); n != 3 {
			t.Errorf("%d subscription events, want 3 (the restart with the same file changes nothing)", n)
		}
		const msgSecret = "whsec_outbox_5d0c7e1b"
		enqueue(t, d, webhook.Message{Kind: "after_sale", URL: rc.URL + "/msg", Secret: msgSecret, Body: []byte(`{"n":1}`)})

		for table, rows := range dbtest.Snapshot(t, d) {
			all := strings.Join(rows, "\n")
			for _, s := range []string{apiSecret, cfgSecret, envSecret, msgSecret} {
				if strings.Contains(all, s) {
					t.Errorf("table %s holds the secret %q in plain text", table, s)
				}
			}
		}

		record(t, d, 1, "Order", event.Created)
		deliverFeed(t, &webhook.FeedWorker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: newClock().Now}})
		if n := deliverDue(t, &webhook.Worker{DB: d, AllowPrivate: true, Policy: retry.Policy{Now: newClock().Now}}); n != 1 {
			t.Fatalf("delivered %d outbox messages, want 1", n)
		}
		want := map[string]string{"/api": apiSecret, "/cfg": cfgSecret, "/env": envSecret, "/msg": msgSecret}
		for _, r := range rc.requests() {
			sec, ok := want[r.path]
			if !ok {
				continue
			}
			verifySignature(t, sec, r.header.Get("X-Centra-Signature"), r.body)
			delete(want, r.path)
		}
		if len(want) != 0 {
			t.Errorf("no signed call reached %v", want)
		}
	})
}
