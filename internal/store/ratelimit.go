package store

import (
	"context"

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

// TakeFromBucket drains the bucket for the time passed since its last use
// and then adds cost, all in one conditional statement. It reports false
// and changes nothing when the result would exceed quota. Units are
// thousandths; quota is in whole units.
func TakeFromBucket(ctx context.Context, q db.Q, tokenID int64, kind string, intervalS, quota, cost, nowMS int64) (bool, error) {
	// drained is what remains of used after the time since updated_ms, never
	// below zero; a bucket untouched for a whole interval is empty. Every
	// parameter is cast so that PostgreSQL deduces one type for it.
	const (
		interval = "CAST($3 AS BIGINT)"
		quotaP   = "CAST($4 AS BIGINT)"
		now      = "CAST($5 AS BIGINT)"
		costP    = "CAST($6 AS BIGINT)"
		elapsed  = "(" + now + " - rate_bucket.updated_ms)"
		drained  = "(CASE WHEN " + elapsed + " >= " + interval + " * 1000 THEN 0" +
			" WHEN rate_bucket.used - " + elapsed + " * " + quotaP + " / " + interval + " < 0 THEN 0" +
			" ELSE rate_bucket.used - " + elapsed + " * " + quotaP + " / " + interval + " END)"
	)
	res, err := q.ExecContext(ctx, `INSERT INTO rate_bucket (token_id, kind, interval_s, used, updated_ms)
		SELECT CAST($1 AS BIGINT), CAST($2 AS TEXT), `+interval+`, `+costP+`, `+now+` WHERE `+costP+` <= `+quotaP+` * 1000
		ON CONFLICT (token_id, kind, interval_s) DO UPDATE
		SET used = `+drained+` + `+costP+`, updated_ms = `+now+`
		WHERE `+drained+` + `+costP+` <= `+quotaP+` * 1000`,
		tokenID, kind, intervalS, quota, nowMS, cost)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Buckets returns the stored buckets of a token.
func Buckets(ctx context.Context, q db.Q, tokenID int64) ([]Bucket, error) {
	return all(ctx, q, func(s scanner) (Bucket, error) {
		var b Bucket
		err := s.Scan(&b.Kind, &b.IntervalS, &b.Used, &b.UpdatedMS)
		return b, err
	}, `SELECT kind, interval_s, used, updated_ms FROM rate_bucket WHERE token_id = $1`, tokenID)
}
