package store

import (
	"context"
	"strconv"
	"strings"

	"seam/internal/db"
)

// Bucket is one token bucket of a token: Used is in thousandths of a unit
// and drains at Quota units per interval since UpdatedMS (Unix milliseconds).
type Bucket struct {
	Kind      string
	IntervalS int64
	Used      int64
	UpdatedMS int64
}

// Charge is what one request takes from one bucket: Cost thousandths of a
// unit from a bucket holding Quota units per IntervalS seconds.
type Charge struct {
	Kind      string
	IntervalS int64
	Quota     int64
	Cost      int64
}

// TakeFromBuckets drains each bucket for the time passed since its last use
// and adds its cost, in one statement for all buckets. It reports false
// when any bucket would exceed its quota; the caller then rolls back, so
// that all buckets are charged or none. A cost must fit its quota.
func TakeFromBuckets(ctx context.Context, q db.Q, tokenID int64, charges []Charge, nowMS int64) (bool, error) {
	if len(charges) == 0 {
		return true, nil
	}
	// drained is what remains of used after the time since updated_ms,
	// never below zero; a bucket untouched for a whole interval is empty.
	// Every value comes from the row being inserted (excluded), so one
	// statement serves buckets of different quotas.
	const (
		elapsed = "(excluded.updated_ms - rate_bucket.updated_ms)"
		drained = "(CASE WHEN " + elapsed + " >= excluded.interval_s * 1000 THEN 0" +
			" WHEN rate_bucket.used - " + elapsed + " * excluded.quota / excluded.interval_s < 0 THEN 0" +
			" ELSE rate_bucket.used - " + elapsed + " * excluded.quota / excluded.interval_s END)"
	)
	var rows []string
	args := []any{tokenID, nowMS}
	for _, c := range charges {
		n := len(args)
		rows = append(rows, "(CAST($1 AS BIGINT), CAST($"+strconv.Itoa(n+1)+" AS TEXT), CAST($"+strconv.Itoa(n+2)+" AS BIGINT), CAST($"+
			strconv.Itoa(n+3)+" AS BIGINT), CAST($"+strconv.Itoa(n+4)+" AS BIGINT), CAST($2 AS BIGINT))")
		args = append(args, c.Kind, c.IntervalS, c.Quota, c.Cost)
	}
	res, err := q.ExecContext(ctx, `INSERT INTO rate_bucket (token_id, kind, interval_s, quota, used, updated_ms) VALUES `+
		strings.Join(rows, ", ")+`
		ON CONFLICT (token_id, kind, interval_s) DO UPDATE
		SET used = `+drained+` + excluded.used, quota = excluded.quota, updated_ms = excluded.updated_ms
		WHERE `+drained+` + excluded.used <= excluded.quota * 1000`, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == int64(len(charges)), err
}

// Buckets returns the stored buckets of a token.
func Buckets(ctx context.Context, q db.Q, tokenID int64) ([]Bucket, error) {
	return all(ctx, q, func(s scanner) (Bucket, error) {
		var b Bucket
		err := s.Scan(&b.Kind, &b.IntervalS, &b.Used, &b.UpdatedMS)
		return b, err
	}, `SELECT kind, interval_s, used, updated_ms FROM rate_bucket WHERE token_id = $1`, tokenID)
}
