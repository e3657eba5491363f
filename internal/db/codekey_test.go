package db_test

import (
	"context"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/secret"
	"seam/internal/voucher"
)

// TestUpgradeRehashesVoucherCodesUnderTheCodeKey stores a voucher code the
// way Seam did before the code key (plain SHA-256), then migrates: the
// stored hash becomes HMAC-SHA256 under the new key, no longer the plain
// SHA-256 a dictionary would match, and the code still finds its voucher.
func TestUpgradeRehashesVoucherCodesUnderTheCodeKey(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := db.DownTo(ctx, d, 30); err != nil {
			t.Fatal(err)
		}
		old := secret.Hash("SUMMER10")
		dbtest.Exec(t, d, `INSERT INTO store (id, name, type) VALUES (901, 'Retail', 'DIRECT_TO_CONSUMER')`,
			`INSERT INTO voucher (store_id, name, status, start_at, stop_at, method, code_hash, code_hint, priority, max_usages, combine, reuse,
				type, entry_point_strategy, created_at, updated_at) VALUES (901, 'Ten off', 'ACTIVE', '2024-01-01 00:00:00+00:00',
				'2099-01-01 00:00:00+00:00', 'CODE', '`+old+`', 'R10', 0, 0, FALSE, FALSE, 'DISCOUNT', 'APPLY_ALL_THAT_APPLY',
				'2024-01-01 00:00:00+00:00', '2024-01-01 00:00:00+00:00')`)
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		key, err := db.CodeKey(ctx, d.Read())
		if err != nil || len(key) != 32 {
			t.Fatalf("code key %x, %v; want 32 bytes", key, err)
		}
		stored := dbtest.String(t, d, `SELECT code_hash FROM voucher WHERE store_id = 901`)
		if stored == old || stored != secret.CodeHash(key, "SUMMER10") {
			t.Errorf("stored hash %s; want HMAC-SHA256 under the key (%s), not the plain SHA-256 %s", stored, secret.CodeHash(key, "SUMMER10"), old)
		}
		v, err := voucher.ByCode(ctx, d.Read(), 901, " summer10 ")
		if err != nil || v.Name != "Ten off" {
			t.Errorf("ByCode after the upgrade: %+v, %v", v, err)
		}
	})
}
