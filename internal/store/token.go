package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
)

// Token is an Integration API token. Only the hash of its secret is kept;
// Hint is the secret's last four characters, to tell tokens apart in lists.
type Token struct {
	ID          int64
	Name        string
	Hash        string
	Hint        string
	Permissions string
	// Limits overrides the server's rate limits for this token (JSON), or
	// is empty.
	Limits    string
	StoreID   *int64
	CreatedAt time.Time
	ExpiresAt *time.Time
	RevokedAt *time.Time
	// LastUsedAt is when the token was last used, noted at most every few
	// minutes; nil when never.
	LastUsedAt *time.Time
}

const tokenSelect = `SELECT id, name, token_hash, hint, permissions, COALESCE(limits, ''), store_id, created_at, expires_at, revoked_at, last_used_at FROM api_token`

func scanToken(s scanner) (Token, error) {
	var t Token
	var store sql.NullInt64
	var exp, rev, used sql.NullTime
	err := s.Scan(&t.ID, &t.Name, &t.Hash, &t.Hint, &t.Permissions, &t.Limits, &store, &t.CreatedAt, &exp, &rev, &used)
	t.StoreID = nullInt(store)
	t.ExpiresAt, t.RevokedAt, t.LastUsedAt = nullTime(exp), nullTime(rev), nullTime(used)
	return t, err
}

// TouchToken notes that a token was used at now, unless a use after
// since is noted already: the one write a token's use makes, and only
// every few minutes.
func TouchToken(ctx context.Context, q db.Q, id int64, now, since time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE api_token SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)`, now, id, since)
	return err
}

// InsertToken stores a new token.
func InsertToken(ctx context.Context, q db.Q, t *Token) error {
	id, err := insertID(ctx, q, `INSERT INTO api_token (name, token_hash, hint, permissions, limits, store_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		t.Name, t.Hash, t.Hint, t.Permissions, nullIfEmpty(t.Limits), t.StoreID, t.CreatedAt, t.ExpiresAt)
	t.ID = id
	return err
}

// TokenByHash finds a token by the hash of its secret.
func TokenByHash(ctx context.Context, q db.Q, hash string) (Token, error) {
	return one(ctx, q, scanToken, tokenSelect+` WHERE token_hash = $1`, hash)
}

// ListTokens lists every token, newest last.
func ListTokens(ctx context.Context, q db.Q) ([]Token, error) {
	return all(ctx, q, scanToken, tokenSelect+` ORDER BY id`)
}

// RevokeToken marks a token revoked; it reports whether a live token was.
func RevokeToken(ctx context.Context, q db.Q, id int64, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Setting reads a setting; a missing key is seam.ErrNotFound.
func Setting(ctx context.Context, q db.Q, key string) (string, error) {
	return one(ctx, q, func(s scanner) (string, error) {
		var v string
		return v, s.Scan(&v)
	}, `SELECT value FROM setting WHERE key = $1`, key)
}

// SetSetting writes a setting.
func SetSetting(ctx context.Context, q db.Q, key, value string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// ClaimSetting writes a setting only when it is not set yet and reports
// whether this call wrote it: the one-time switch for first-start work.
func ClaimSetting(ctx context.Context, q db.Q, key, value string) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, value)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
