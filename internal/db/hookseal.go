package db

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"seam/internal/secret"
)

// hookSealVersion is the Go migration that seals the webhook signing
// secrets stored in plain text before they were sealed: subscriptions'
// (webhook_subscription.secret), stores' after-sale ones
// (store.after_sale_secret) and those of queued messages
// (webhook_delivery.secret).
const hookSealVersion = 41

// HookSecretSealer returns the Sealer of webhook signing secrets:
// AES-256-GCM under a key derived from the code key (CodeKey) for
// "webhook-secret". Seal and open a secret with HookSecretContext. Seam
// signs with these secrets, so it keeps them, but a copy of the database
// without the code key gives none away. An empty secret (an unsigned
// message, no after-sale webhook) is stored empty.
func HookSecretSealer(codeKey []byte) (secret.Sealer, error) {
	return secret.NewSealer(codeKey, "webhook-secret")
}

// HookSecretContext binds a sealed secret to its table and row, so that
// it opens in no other row.
func HookSecretContext(table string, id int64) string {
	return table + " " + strconv.FormatInt(id, 10) + " secret"
}

// Tables whose rows hold a sealed webhook secret (HookSecretContext).
const (
	HookSubscription = "webhook_subscription"
	HookDelivery     = "webhook_delivery"
	HookStore        = "store"
)

// sealHookSecrets seals every webhook secret earlier versions stored in
// plain text, in the migration's transaction.
func sealHookSecrets(ctx context.Context, tx *sql.Tx) error {
	key, err := readCodeKey(ctx, tx)
	if err != nil {
		return err
	}
	s, err := HookSecretSealer(key)
	if err != nil {
		return err
	}
	for _, t := range []struct{ table, column, where string }{
		{HookSubscription, "secret", "secret <> ''"},
		{HookDelivery, "secret", "secret <> ''"},
		{HookStore, "after_sale_secret", "after_sale_secret IS NOT NULL AND after_sale_secret <> ''"},
	} {
		if err := sealColumn(ctx, tx, s, t.table, t.column, t.where); err != nil {
			return err
		}
	}
	return nil
}

// sealColumn seals column of the rows of table that match where.
func sealColumn(ctx context.Context, tx *sql.Tx, s secret.Sealer, table, column, where string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, `+column+` FROM `+table+` WHERE `+where)
	if err != nil {
		return fmt.Errorf("read %s secrets: %w", table, err)
	}
	type row struct {
		id    int64
		plain string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.plain); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET `+column+` = $1 WHERE id = $2`,
			s.Seal(r.plain, HookSecretContext(table, r.id)), r.id); err != nil {
			return fmt.Errorf("seal the secret of %s %d: %w", table, r.id, err)
		}
	}
	return nil
}
