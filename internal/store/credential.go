package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
)

// Checkout API shared secrets as token lists show them; Integration API
// tokens are in token.go.

const checkoutSecretSelect = `SELECT id, name, secret_hash, hint, created_at, revoked_at, last_used_at FROM checkout_secret`

func scanCheckoutSecret(sc scanner) (CheckoutSecret, error) {
	var s CheckoutSecret
	var rev, used sql.NullTime
	err := sc.Scan(&s.ID, &s.Name, &s.SecretHash, &s.Hint, &s.CreatedAt, &rev, &used)
	s.RevokedAt, s.LastUsedAt = nullTime(rev), nullTime(used)
	return s, err
}

// ListCheckoutSecrets lists every shared secret, revoked ones too, oldest
// first.
func ListCheckoutSecrets(ctx context.Context, q db.Q) ([]CheckoutSecret, error) {
	return all(ctx, q, scanCheckoutSecret, checkoutSecretSelect+` ORDER BY id`)
}

// RevokeCheckoutSecret marks a shared secret revoked; it reports whether a
// live one was.
func RevokeCheckoutSecret(ctx context.Context, q db.Q, id int64, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE checkout_secret SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// TouchCheckoutSecret notes that a shared secret was used at now, unless a
// use after since is noted already.
func TouchCheckoutSecret(ctx context.Context, q db.Q, id int64, now, since time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE checkout_secret SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)`, now, id, since)
	return err
}
