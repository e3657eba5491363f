package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"seam/internal/db"
	"seam/internal/store"
)

// Limits are a token's rate limits: how many requests, mutations and how
// much query complexity it may use per 10 seconds and per hour. A zero
// limit means no limit of that kind.
type Limits struct {
	Requests10s    int64 `json:"requests10s"`
	RequestsHour   int64 `json:"requestsHour"`
	Mutations10s   int64 `json:"mutations10s"`
	MutationsHour  int64 `json:"mutationsHour"`
	Complexity10s  int64 `json:"complexity10s"`
	ComplexityHour int64 `json:"complexityHour"`
}

// DefaultLimits are Centra's documented defaults.
func DefaultLimits() Limits {
	return Limits{
		Requests10s: 20, RequestsHour: 10_000,
		Mutations10s: 100, MutationsHour: 1_000,
		Complexity10s: 150_000, ComplexityHour: 20_000_000,
	}
}

// HighLimits are for the demo shop and local development: generous enough
// for load tests, still bounded.
func HighLimits() Limits {
	return Limits{
		Requests10s: 1_000_000, RequestsHour: 100_000_000,
		Mutations10s: 1_000_000, MutationsHour: 100_000_000,
		Complexity10s: 1_000_000_000, ComplexityHour: 1_000_000_000,
	}
}

// MaxQuota bounds each limit so that bucket arithmetic cannot overflow.
const MaxQuota = 1_000_000_000

// Validate checks that every limit is within 0..MaxQuota.
func (l Limits) Validate() error {
	for _, b := range l.buckets() {
		if b.quota < 0 || b.quota > MaxQuota {
			return fmt.Errorf("%s per %s must be between 0 (no limit) and %d, got %d", b.kind, b.window, MaxQuota, b.quota)
		}
	}
	return nil
}

// Rate limit kinds and windows, as the rateLimits query names them.
const (
	KindRequests   = "REQUEST_COUNT"
	KindMutations  = "MUTATION_COUNT"
	KindComplexity = "QUERY_COMPLEXITY"
	WindowTen      = "TEN_SECONDS"
	WindowHour     = "ONE_HOUR"
)

type bucket struct {
	kind, window string
	seconds      int64
	quota        int64
}

func (l Limits) buckets() []bucket {
	return []bucket{
		{KindRequests, WindowTen, 10, l.Requests10s},
		{KindRequests, WindowHour, 3600, l.RequestsHour},
		{KindComplexity, WindowTen, 10, l.Complexity10s},
		{KindComplexity, WindowHour, 3600, l.ComplexityHour},
		{KindMutations, WindowTen, 10, l.Mutations10s},
		{KindMutations, WindowHour, 3600, l.MutationsHour},
	}
}

// Cost is what one request uses.
type Cost struct {
	Requests   int64
	Mutations  int64
	Complexity int64
}

func (c Cost) of(kind string) int64 {
	switch kind {
	case KindRequests:
		return c.Requests
	case KindMutations:
		return c.Mutations
	default:
		return c.Complexity
	}
}

// LimitedError says which limit a request hit and when to retry.
type LimitedError struct {
	Kind, Window string
	Quota        int64
	RetryAfter   time.Duration
	// TooBig is set when the cost alone exceeds the quota: waiting will
	// not help.
	TooBig bool
}

func (e *LimitedError) Error() string {
	if e.TooBig {
		return fmt.Sprintf("the request costs more %s than the %s quota of %d allows", e.Kind, e.Window, e.Quota)
	}
	return fmt.Sprintf("rate limit %s per %s (%d) reached; retry in %s", e.Kind, e.Window, e.Quota, e.RetryAfter)
}

// Take charges a request's cost to the token's buckets in one transaction:
// all buckets are charged or none. Buckets live in the database (its
// scratch store), so every Seam process serving it shares them.
func Take(ctx context.Context, d *db.DB, t *Token, cost Cost, now time.Time) error {
	var charges []store.Charge
	for _, b := range t.Limits.buckets() {
		c := cost.of(b.kind)
		if b.quota == 0 || c == 0 {
			continue
		}
		if c > b.quota {
			return &LimitedError{Kind: b.kind, Window: b.window, Quota: b.quota, TooBig: true}
		}
		charges = append(charges, store.Charge{Kind: b.kind, IntervalS: b.seconds, Quota: b.quota, Cost: c * 1000})
	}
	if len(charges) == 0 {
		return nil
	}
	nowMS := now.UnixMilli()
	var full bool
	err := d.ScratchTx(ctx, func(tx *db.Tx) error {
		ok, err := store.TakeFromBuckets(ctx, tx, t.ID, charges, nowMS)
		if err != nil {
			return fmt.Errorf("rate limit: %w", err)
		}
		if full = !ok; full {
			return errFull
		}
		return nil
	})
	if full {
		return refusal(ctx, d, t, cost, nowMS)
	}
	return err
}

// errFull rolls back a charge that did not fit.
var errFull = errors.New("a rate limit bucket is full")

// refusal finds the bucket that had no room and when it will.
func refusal(ctx context.Context, d *db.DB, t *Token, cost Cost, nowMS int64) error {
	stored, err := store.Buckets(ctx, d.Scratch(), t.ID)
	if err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	var worst *LimitedError
	for _, b := range t.Limits.buckets() {
		c := cost.of(b.kind) * 1000
		if b.quota == 0 || c == 0 {
			continue
		}
		for _, sb := range stored {
			if sb.Kind != b.kind || sb.IntervalS != b.seconds {
				continue
			}
			over := drained(sb, b.quota, nowMS) + c - b.quota*1000
			if over <= 0 {
				continue
			}
			// used drains by quota/seconds thousandths per millisecond.
			wait := max(time.Duration((over*b.seconds+b.quota-1)/b.quota+1)*time.Millisecond, time.Second)
			if worst == nil || wait > worst.RetryAfter {
				worst = &LimitedError{Kind: b.kind, Window: b.window, Quota: b.quota, RetryAfter: wait}
			}
		}
	}
	if worst == nil {
		// The bucket drained between the charge and this look: try again at once.
		worst = &LimitedError{Kind: KindRequests, Window: WindowTen, Quota: t.Limits.Requests10s, RetryAfter: time.Second}
	}
	return worst
}

func drained(b store.Bucket, quota, nowMS int64) int64 {
	elapsed := nowMS - b.UpdatedMS
	if elapsed >= b.IntervalS*1000 {
		return 0
	}
	return max(0, b.Used-elapsed*quota/b.IntervalS)
}

// Status is the state of one rate limit bucket of a token.
type Status struct {
	Kind, Window    string
	IntervalSeconds int64
	Quota, Used     int64
}

// Remaining is the quota left.
func (s Status) Remaining() int64 { return max(0, s.Quota-s.Used) }

// Usage reports every limited bucket of the token as of now.
func Usage(ctx context.Context, d *db.DB, t *Token, now time.Time) ([]Status, error) {
	stored, err := store.Buckets(ctx, d.Scratch(), t.ID)
	if err != nil {
		return nil, fmt.Errorf("rate limits: %w", err)
	}
	var out []Status
	for _, b := range t.Limits.buckets() {
		s := Status{Kind: b.kind, Window: b.window, IntervalSeconds: b.seconds, Quota: b.quota}
		for _, sb := range stored {
			if sb.Kind == b.kind && sb.IntervalS == b.seconds {
				s.Used = (drained(sb, b.quota, now.UnixMilli()) + 999) / 1000
			}
		}
		out = append(out, s)
	}
	return out, nil
}
