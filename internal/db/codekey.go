package db

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"

	"seam/internal/secret"
)

// codeKeyVersion is the Go migration that makes the server's code key and
// rehashes the codes stored before it.
const codeKeyVersion = 32

// makeCodeKey generates the code key (code_key, made by migration 31) and
// converts every voucher code hash stored as plain SHA-256 into
// secret.CodeHash under it, in the migration's transaction: the key is
// made exactly once, and no code is ever stored under both schemes.
func makeCodeKey(ctx context.Context, tx *sql.Tx) error {
	key := secret.NewKey()
	if _, err := tx.ExecContext(ctx, `INSERT INTO code_key (id, key_hex, created_at) VALUES (1, $1, $2)`,
		hex.EncodeToString(key), Now()); err != nil {
		return fmt.Errorf("make code key: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, code_hash FROM voucher WHERE code_hash IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("read voucher codes: %w", err)
	}
	type row struct {
		id   int64
		hash string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.hash); err != nil {
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
		h, err := secret.Rehash(key, r.hash)
		if err != nil {
			return fmt.Errorf("voucher %d: %w", r.id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE voucher SET code_hash = $1 WHERE id = $2`, h, r.id); err != nil {
			return fmt.Errorf("rehash voucher %d: %w", r.id, err)
		}
	}
	return nil
}

// CodeKey returns the server's code key (see secret.CodeHash).
func CodeKey(ctx context.Context, q Q) ([]byte, error) { return readCodeKey(ctx, q) }

// readCodeKey is CodeKey for any connection, also a migration's *sql.Tx.
func readCodeKey(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) ([]byte, error) {
	var s string
	if err := q.QueryRowContext(ctx, `SELECT key_hex FROM code_key WHERE id = 1`).Scan(&s); err != nil {
		return nil, fmt.Errorf("read the code key (migration %d): %w", codeKeyVersion, err)
	}
	return hex.DecodeString(s)
}
