package webhook_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/event"
	"seam/internal/seam"
	"seam/internal/store"
	"seam/internal/webhook"
)

func TestConfigFileOwnsItsSubscriptions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dbtest.Exec(t, d, `INSERT INTO store (id, name, type) VALUES (1, 'Retail', 'DIRECT_TO_CONSUMER')`)
		path := filepath.Join(t.TempDir(), "webhooks.json")
		write := func(s string) webhook.Config {
			t.Helper()
			if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := webhook.LoadConfig(path)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		env := map[string]string{"ERP_SECRET": "s3cret"}
		getenv := func(k string) string { return env[k] }
		c := write(`{"subscriptions": [
			{"name": "erp", "url": "https://erp.example/hooks", "secretEnv": "ERP_SECRET", "objectTypes": ["Order"], "storeId": 1},
			{"name": "bi", "url": "https://bi.example/hooks", "secret": "bi-secret", "flavour": "JSON"}]}`)
		if err := webhook.SyncConfig(ctx, d, c, getenv); err != nil {
			t.Fatal(err)
		}
		subs, err := store.ConfigWebhookSubscriptions(ctx, d.Read())
		if err != nil || len(subs) != 2 {
			t.Fatalf("subscriptions %v (%v), want 2", subs, err)
		}
		erpSub := subs[0]
		if *erpSub.ConfigName != "erp" || erpSub.Secret != "s3cret" || erpSub.Flavour != webhook.FlavourIntegrationAPI ||
			erpSub.StoreID == nil || *erpSub.StoreID != 1 || subs[1].Flavour != webhook.FlavourJSON {
			t.Errorf("from the file: %+v / %+v", erpSub, subs[1])
		}
		// A restart with the same file changes nothing and records nothing.
		events := dbtest.Int(t, d, `SELECT COUNT(*) FROM event`)
		if err := webhook.SyncConfig(ctx, d, c, getenv); err != nil {
			t.Fatal(err)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM event`); n != events {
			t.Errorf("an unchanged file recorded %d events", n-events)
		}
		// The API cannot change or delete them, but can redeliver.
		u := "https://evil.example/"
		_, _, err = webhook.UpdateSubscription(ctx, d, seam.Actor{Name: "erp"}, erpSub.ID, webhook.SubscriptionInput{URL: &u})
		if ue, ok := seam.AsUserErrors(err); !ok || ue[0].Path.String() != "id" {
			t.Errorf("updating a config subscription: %v", err)
		}
		if err := webhook.DeleteSubscription(ctx, d, seam.Actor{Name: "erp"}, erpSub.ID); err == nil {
			t.Error("deleted a config subscription through the API")
		}
		record(t, d, 2, "Order", event.Created)
		if _, err := webhook.Redeliver(ctx, d, seam.Actor{Name: "erp"}, erpSub.ID, nil); err != nil {
			t.Errorf("redeliver a config subscription: %v", err)
		}
		cursor := subscription(t, d, erpSub.ID).Cursor
		// Its receiver moved and it failed for its window.
		dbtest.Exec(t, d, `UPDATE webhook_subscription SET status = 'FAILING', attempts = 40, retrying_since = created_at,
			last_error = 'HTTP 404', next_attempt_at = '2100-01-01 00:00:00+00:00' WHERE config_name = 'erp'`)
		// Changing the URL keeps the cursor and starts it again at once;
		// a subscription left out is deleted.
		c = write(`{"subscriptions": [{"name": "erp", "url": "https://erp2.example/hooks", "secretEnv": "ERP_SECRET", "objectTypes": ["Order"], "storeId": 1}]}`)
		if err := webhook.SyncConfig(ctx, d, c, getenv); err != nil {
			t.Fatal(err)
		}
		subs, _ = store.ConfigWebhookSubscriptions(ctx, d.Read())
		if len(subs) != 1 || subs[0].ID != erpSub.ID || subs[0].URL != "https://erp2.example/hooks" || subs[0].Cursor != cursor {
			t.Errorf("after the change: %+v", subs)
		} else if s := subs[0]; s.Status != store.SubscriptionActive || s.Attempts != 0 || s.RetryingSince != nil || s.LastError != nil ||
			s.NextAttemptAt.After(time.Now()) {
			t.Errorf("the FAILING subscription did not start again after its URL was corrected: %+v", s)
		}
		// Bad files are refused whole, naming the entry and field.
		for _, tt := range []struct{ file, path string }{
			{`{"subscriptions": [{"name": "x", "url": "https://x.example/"}]}`, "subscriptions.0.secret"},
			{`{"subscriptions": [{"name": "x", "url": "https://x.example/", "secretEnv": "NOPE"}]}`, "subscriptions.0.secretEnv"},
			{`{"subscriptions": [{"name": "x", "url": "https://x.example/", "secret": "a"}, {"name": "x", "url": "https://x.example/", "secret": "a"}]}`, "subscriptions.1.name"},
			{`{"subscriptions": [{"name": "x", "url": "x.example", "secret": "a"}]}`, "subscriptions.0.url"},
			{`{"subscriptions": [{"name": "x", "url": "https://x.example/", "secret": "a", "storeId": 9}]}`, "subscriptions.0.store.id"},
		} {
			err := webhook.SyncConfig(ctx, d, write(tt.file), getenv)
			if ue, ok := seam.AsUserErrors(err); !ok || ue[0].Path.String() != tt.path {
				t.Errorf("%s: %v, want an error on %s", tt.file, err, tt.path)
			}
		}
		if err := os.WriteFile(path, []byte(`{"subscriptions": [{"name": "x", "URL": "https://x.example/", "secrit": "a"}]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := webhook.LoadConfig(path); err == nil {
			t.Error("a misspelt field was accepted")
		}
		if subs, _ = store.ConfigWebhookSubscriptions(ctx, d.Read()); len(subs) != 1 {
			t.Errorf("a refused file changed the subscriptions: %+v", subs)
		}
	})
}
