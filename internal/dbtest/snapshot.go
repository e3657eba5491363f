package dbtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"seam/internal/db"
)

// unsnapped are the tables every request writes whatever it does: rate
// limit buckets and the migration log.
var unsnapped = map[string]bool{"rate_bucket": true, "goose_db_version": true}

// unsnappedColumns are columns that note a token's use, which any
// authenticated request may write (at most every few minutes).
var unsnappedColumns = map[string]bool{"api_token.last_used_at": true, "checkout_secret.last_used_at": true}

// Snapshot returns every row of every table but those two (without the
// use-noting columns), each row as
// text and each table's rows sorted, so that a test can show that a
// request changed nothing: compare a snapshot before with one after.
func Snapshot(t testing.TB, d *db.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	q := d.Read()
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if d.Engine() == db.Postgres {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	var tables []string
	rows, err := q.QueryContext(ctx, list)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !unsnapped[name] {
			tables = append(tables, name)
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	out := make(map[string][]string, len(tables))
	for _, table := range tables {
		out[table] = tableRows(t, q, table)
	}
	return out
}

func tableRows(t testing.TB, q db.Q, table string) []string {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), `SELECT * FROM `+table)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		fields := make([]string, 0, len(cols))
		for i, v := range vals {
			if unsnappedColumns[table+"."+cols[i]] {
				continue
			}
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fields = append(fields, fmt.Sprintf("%s=%v", cols[i], v))
		}
		out = append(out, strings.Join(fields, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	slices.Sort(out)
	return out
}
