package db_test

import (
	"context"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/store"
)

// TestUpgradeSealsWebhookSecretsStoredInPlainText stores webhook secrets
// the way Seam did before they were sealed (a subscription's, a queued
// message's and a store's after-sale one), then migrates: none is in
// plain text anywhere in the database, and Seam reads each back as it was
// to sign with.
func TestUpgradeSealsWebhookSecretsStoredInPlainText(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := db.DownTo(ctx, d, 40); err != nil {
			t.Fatal(err)
		}
		const subSecret, msgSecret, storeSecret = "whsec_oldsub_8c2f19", "whsec_oldmsg_4e7a02", "whsec_oldstore_b51d3c"
		dbtest.Exec(t, d,
			`INSERT INTO store (id, name, type, after_sale_url, after_sale_secret) VALUES (901, 'Retail', 'DIRECT_TO_CONSUMER',
				'https://erp.example/after-sale', '`+storeSecret+`')`,
			`INSERT INTO store (id, name, type) VALUES (902, 'Outlet', 'DIRECT_TO_CONSUMER')`,
			`INSERT INTO webhook_subscription (id, url, secret, flavour, object_types, actions, status, cursor_event_id, next_attempt_at,
				created_by, created_at, updated_at) VALUES (801, 'https://erp.example/hooks', '`+subSecret+`', 'JSON', '[]', '[]', 'ACTIVE', 0,
				'2020-01-01 00:00:00+00:00', 'erp', '2020-01-01 00:00:00+00:00', '2020-01-01 00:00:00+00:00')`,
			`INSERT INTO webhook_delivery (id, kind, url, secret, content_type, body, status, next_attempt_at, created_at, give_up_at)
				VALUES (802, 'after_sale', 'https://erp.example/after-sale', '`+msgSecret+`', 'application/json', '{}', 'PENDING',
				'2020-01-01 00:00:00+00:00', '2020-01-01 00:00:00+00:00', '2099-01-01 00:00:00+00:00')`,
			`INSERT INTO webhook_delivery (id, kind, url, secret, content_type, body, status, next_attempt_at, created_at, give_up_at)
				VALUES (803, 'after_sale', 'https://erp.example/after-sale', '', 'application/json', '{}', 'PENDING',
				'2020-01-01 00:00:00+00:00', '2020-01-01 00:00:00+00:00', '2099-01-01 00:00:00+00:00')`)
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for table, rows := range dbtest.Snapshot(t, d) {
			all := strings.Join(rows, "\n")
			for _, s := range []string{subSecret, msgSecret, storeSecret} {
				if strings.Contains(all, s) {
					t.Errorf("after the upgrade, table %s holds the secret %q in plain text", table, s)
				}
			}
		}
		sub, err := store.WebhookSubscriptionByID(ctx, d.Read(), 801)
		if err != nil || sub.Secret != subSecret {
			t.Errorf("subscription secret %q (%v), want %q", sub.Secret, err, subSecret)
		}
		for id, want := range map[int64]string{802: msgSecret, 803: ""} {
			m, err := store.WebhookDeliveryByID(ctx, d.Read(), id)
			if err != nil || m.Secret != want {
				t.Errorf("delivery %d secret %q (%v), want %q", id, m.Secret, err, want)
			}
		}
		for id, want := range map[int64]string{901: storeSecret, 902: ""} {
			as, err := store.StoreAfterSale(ctx, d.Read(), id)
			if err != nil || as.Secret != want {
				t.Errorf("store %d after-sale secret %q (%v), want %q", id, as.Secret, err, want)
			}
		}
		// A sealed secret is bound to its row: copied to another, it does
		// not open.
		dbtest.Exec(t, d, `UPDATE store SET after_sale_url = 'https://x.example/', after_sale_secret = (SELECT after_sale_secret FROM store WHERE id = 901) WHERE id = 902`)
		if _, err := store.StoreAfterSale(ctx, d.Read(), 902); err == nil {
			t.Error("store 901's sealed after-sale secret opened in store 902's row")
		}
	})
}
