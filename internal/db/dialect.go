package db

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
)

// ForUpdate returns the row-lock suffix for a SELECT inside a write
// transaction: " FOR UPDATE" on PostgreSQL, nothing on SQLite, where a write
// transaction already holds the database's single write lock.
func ForUpdate(q Q) string {
	if q.Engine() == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Lock locks a row for the rest of a write transaction on PostgreSQL, so
// that a read-modify-write of it cannot lose a concurrent update; SQLite's
// write transaction already excludes other writers. It reports whether the
// row exists.
func Lock(ctx context.Context, q Q, table string, id int64) (bool, error) {
	var n int64
	err := q.QueryRowContext(ctx, "SELECT id FROM "+table+" WHERE id = $1"+ForUpdate(q), id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// SkipLocked returns " FOR UPDATE SKIP LOCKED" on PostgreSQL, for work queues
// that several processes share, and nothing on SQLite.
func SkipLocked(q Q) string {
	if q.Engine() == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// Placeholders returns "$from, $from+1, …" for n arguments, for IN lists.
func Placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}

// In returns an IN list of placeholders starting at $from and the ids as
// arguments. An empty list gives "NULL", which matches nothing.
func In[T any](from int, ids []T) (string, []any) {
	if len(ids) == 0 {
		return "NULL", nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return Placeholders(from, len(ids)), args
}

// Now returns the current time as stored: UTC, to the microsecond that
// PostgreSQL keeps.
func Now() time.Time { return Time(time.Now()) }

// Time converts t to its stored form: UTC, truncated to microseconds.
func Time(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
