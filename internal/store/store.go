// Package store holds all of Seam's SQL: one file per aggregate, one SQL
// text for SQLite and PostgreSQL. Functions take a db.Q (the read pool or a
// write transaction) so that a domain operation can compose several of them
// in one transaction.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"seam/internal/db"
	"seam/internal/seam"
)

// Page selects one page of a list: Limit rows after skipping Offset.
type Page struct {
	Limit  int
	Offset int
}

// sqlClause returns " LIMIT n OFFSET m", or "" for a zero Page (all rows).
func (p Page) sqlClause() string {
	if p.Limit <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(p.Limit) + " OFFSET " + strconv.Itoa(p.Offset)
}

// Sort is one ORDER BY term: a field name the list knows and a direction.
type Sort struct {
	Field string
	Desc  bool
}

// textColumns are sorted by bytes (COLLATE "C", which db registers on
// SQLite) so that both engines order text alike whatever PostgreSQL's
// locale is.
var textColumns = map[string]bool{"name": true, "code": true, "uri": true, "product_number": true, "variant_number": true}

// orderBy builds an ORDER BY clause from sorts, mapping field names to
// columns through cols (unknown fields are skipped) and always ending with
// id so that pages are stable. NULLs come first ascending and last
// descending on both engines.
func orderBy(sorts []Sort, cols map[string]string, idCol string) string {
	var terms []string
	hasID := false
	for _, s := range sorts {
		col, ok := cols[s.Field]
		if !ok {
			continue
		}
		if col == idCol {
			hasID = true
		}
		if textColumns[col] {
			col += ` COLLATE "C"`
		}
		dir := " ASC NULLS FIRST"
		if s.Desc {
			dir = " DESC NULLS LAST"
		}
		terms = append(terms, col+dir)
	}
	if !hasID {
		terms = append(terms, idCol+" ASC")
	}
	return " ORDER BY " + strings.Join(terms, ", ")
}

// where builds a WHERE clause from conditions written with ? placeholders,
// numbering them $1, $2, … in order.
type where struct {
	conds []string
	args  []any
}

// add appends a condition; each ? in cond takes the next argument.
func (w *where) add(cond string, args ...any) {
	var b strings.Builder
	i := 0
	for _, r := range cond {
		if r == '?' && i < len(args) {
			w.args = append(w.args, args[i])
			b.WriteString("$" + strconv.Itoa(len(w.args)))
			i++
			continue
		}
		b.WriteRune(r)
	}
	w.conds = append(w.conds, b.String())
}

// in appends "col IN (…)" for a non-nil list; an empty list matches nothing.
func in[T any](w *where, col string, list []T) {
	if list == nil {
		return
	}
	if len(list) == 0 {
		w.conds = append(w.conds, "1 = 0")
		return
	}
	args := make([]any, len(list))
	for i, v := range list {
		args[i] = v
	}
	w.add(col+" IN ("+marks(len(list))+")", args...)
}

// marks returns n comma-separated ? placeholders.
func marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// likeEscaper makes a needle's LIKE wildcards literal.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// like appends a case-insensitive substring match; % and _ in the needle
// match themselves.
func like(w *where, col, needle string) {
	w.add("LOWER("+col+`) LIKE ? ESCAPE '\'`, "%"+likeEscaper.Replace(strings.ToLower(needle))+"%")
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// StringMatch filters a text column: Equals matches exactly, Contains
// matches a case-insensitive substring.
type StringMatch struct {
	Equals   *string
	Contains *string
}

func (m *StringMatch) apply(w *where, col string) {
	if m == nil {
		return
	}
	if m.Equals != nil {
		w.add(col+" = ?", *m.Equals)
	}
	if m.Contains != nil {
		like(w, col, *m.Contains)
	}
}

type scanner interface{ Scan(dest ...any) error }

// all runs a query and scans every row with scan.
func all[T any](ctx context.Context, q db.Q, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// one runs a query for a single row; no row is seam.ErrNotFound.
func one[T any](ctx context.Context, q db.Q, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	v, err := scan(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, seam.ErrNotFound
	}
	return v, err
}

// byIDs loads rows whose id column is in ids.
func byIDs[T any](ctx context.Context, q db.Q, scan func(scanner) (T, error), selectFrom, idCol string, ids []int64, suffix string) ([]T, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, args := db.In(1, ids)
	return all(ctx, q, scan, selectFrom+" WHERE "+idCol+" IN ("+marks+")"+suffix, args...)
}

// insertID runs an INSERT … RETURNING id.
func insertID(ctx context.Context, q db.Q, query string, args ...any) (int64, error) {
	var id int64
	if err := q.QueryRowContext(ctx, query, args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// exists reports whether a row with id exists in table.
func exists(ctx context.Context, q db.Q, table string, id int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE id = $1", id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up %s %d: %w", table, id, err)
	}
	return true, nil
}

// jsonList encodes a string list for a TEXT column; nil stays NULL.
func jsonList(list []string) any {
	if list == nil {
		return nil
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// parseList decodes a TEXT column written by jsonList.
func parseList(s sql.NullString) ([]string, error) {
	if !s.Valid {
		return nil, nil
	}
	var out []string
	if err := json.Unmarshal([]byte(s.String), &out); err != nil {
		return nil, fmt.Errorf("decode list %q: %w", s.String, err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// nullInt converts a nullable column to a pointer.
func nullInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// nullString converts a nullable column to a pointer.
func nullString(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	v := s.String
	return &v
}

// list runs selectFrom with a filter, an order and a page.
func list[T any](ctx context.Context, q db.Q, scan func(scanner) (T, error), selectFrom string, w *where, order string, p Page) ([]T, error) {
	return all(ctx, q, scan, selectFrom+w.sql()+order+p.sqlClause(), w.args...)
}

func itoa(n int) string { return strconv.Itoa(n) }

func lower(s string) string { return strings.ToLower(s) }
