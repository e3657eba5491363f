package store

import (
	"context"
	"fmt"

	"seam/internal/db"
	"seam/internal/secret"
)

// Webhook signing secrets (subscriptions', stores' after-sale ones and
// queued messages') are stored sealed (db.HookSecretSealer) and opened
// here as they are read, so callers see them in plain text and a copy of
// the database without the code key holds none. An empty secret stays
// empty.

// hookSealer returns the Sealer of webhook secrets, reading the code key
// through q.
func hookSealer(ctx context.Context, q db.Q) (secret.Sealer, error) {
	key, err := db.CodeKey(ctx, q)
	if err != nil {
		return secret.Sealer{}, err
	}
	return db.HookSecretSealer(key)
}

// sealHookSecret writes plain sealed into column of table's row id.
func sealHookSecret(ctx context.Context, q db.Q, table, column string, id int64, plain string) error {
	if plain == "" {
		return nil
	}
	s, err := hookSealer(ctx, q)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE `+table+` SET `+column+` = $1 WHERE id = $2`, s.Seal(plain, db.HookSecretContext(table, id)), id)
	return err
}

// openHookSecrets opens the sealed secrets of n rows of table in place:
// row i has id(i) and its secret at *secret(i).
func openHookSecrets(ctx context.Context, q db.Q, table string, n int, id func(int) int64, sec func(int) *string) error {
	var s *secret.Sealer
	for i := range n {
		p := sec(i)
		if *p == "" {
			continue
		}
		if s == nil {
			sl, err := hookSealer(ctx, q)
			if err != nil {
				return err
			}
			s = &sl
		}
		plain, err := s.Open(*p, db.HookSecretContext(table, id(i)))
		if err != nil {
			return fmt.Errorf("%s %d: its sealed webhook secret does not open with this database's code key (was code_key replaced?)", table, id(i))
		}
		*p = plain
	}
	return nil
}

// openSubscriptions opens the secrets of subscriptions read from q; it
// takes a read's results, as in openSubscriptions(ctx, q)(all(...)).
func openSubscriptions(ctx context.Context, q db.Q) func([]WebhookSubscription, error) ([]WebhookSubscription, error) {
	return func(ws []WebhookSubscription, err error) ([]WebhookSubscription, error) {
		if err != nil {
			return ws, err
		}
		return ws, openHookSecrets(ctx, q, db.HookSubscription, len(ws),
			func(i int) int64 { return ws[i].ID }, func(i int) *string { return &ws[i].Secret })
	}
}

// openSubscription is openSubscriptions for one subscription.
func openSubscription(ctx context.Context, q db.Q) func(WebhookSubscription, error) (WebhookSubscription, error) {
	return func(w WebhookSubscription, err error) (WebhookSubscription, error) {
		if err != nil {
			return w, err
		}
		return w, openHookSecrets(ctx, q, db.HookSubscription, 1, func(int) int64 { return w.ID }, func(int) *string { return &w.Secret })
	}
}
