package dbtest

import (
	"context"
	"testing"

	"seam/internal/db"
)

// Exec runs statements in one transaction and then resets PostgreSQL's id
// sequences, for fixtures that insert rows with the ids a test document
// names.
func Exec(t testing.TB, d *db.DB, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				t.Fatalf("fixture %q: %v", s, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.ResetSequences(ctx); err != nil {
		t.Fatal(err)
	}
}

// Int runs a query returning one integer, for assertions on state.
func Int(t testing.TB, d *db.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// String runs a query returning one text value.
func String(t testing.TB, d *db.DB, query string, args ...any) string {
	t.Helper()
	var s string
	if err := d.Read().QueryRowContext(context.Background(), query, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return s
}
