// Package retry holds what Seam's outbox workers (mail, webhook messages,
// webhook subscriptions) share: when to try again, how long to keep
// trying, and the loop that runs their passes.
package retry

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"seam/internal/db"
)

// minBackoff and maxBackoff bound Backoff.
const (
	minBackoff = 10 * time.Second
	maxBackoff = time.Hour
)

// Backoff is the default wait after the attempt-th failed attempt: 10 s
// doubling with every failure up to 1 h, less up to a quarter at random so
// that work that failed together does not come back together. Each step is
// longer than the one before until the cap.
func Backoff(attempt int) time.Duration {
	d := maxBackoff
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 20 {
		d = min(minBackoff<<(attempt-1), maxBackoff)
	}
	return d - rand.N(d/4)
}

// Policy is a worker's timing. Zero fields mean the defaults: the worker
// names its own window and timeout.
type Policy struct {
	// Now is the clock; nil means time.Now. Tests move it forward instead
	// of sleeping.
	Now func() time.Time
	// Backoff is the wait after the attempt-th failed attempt; nil means
	// the package's Backoff.
	Backoff func(attempt int) time.Duration
	// Window is how long work is retried before it is given up on; 0 means
	// the worker's default.
	Window time.Duration
	// Timeout bounds each attempt; 0 means the worker's default.
	Timeout time.Duration
}

// Time is the clock's reading at the database's precision.
func (p *Policy) Time() time.Time {
	if p.Now != nil {
		return db.Time(p.Now())
	}
	return db.Now()
}

// Wait is the wait after the attempt-th failed attempt.
func (p *Policy) Wait(attempt int) time.Duration {
	if p.Backoff != nil {
		return p.Backoff(attempt)
	}
	return Backoff(attempt)
}

// WindowOr is Window, or def when it is 0.
func (p *Policy) WindowOr(def time.Duration) time.Duration {
	if p.Window > 0 {
		return p.Window
	}
	return def
}

// TimeoutOr is Timeout, or def when it is 0.
func (p *Policy) TimeoutOr(def time.Duration) time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return def
}

// Budget is how long after its claim a pass may start an attempt that
// takes at most timeout.
func Budget(timeout time.Duration) time.Duration { return 2 * timeout }

// Lease is how long a claim keeps work from other workers: longer than
// the budget plus an attempt.
func Lease(timeout time.Duration) time.Duration { return max(time.Minute, 4*timeout) }

// Run calls pass every interval until ctx is done, and again at once when
// pass says more is due. Errors pass returns while ctx is live are logged
// as msg.
func Run(ctx context.Context, every time.Duration, log *slog.Logger, msg string, pass func(context.Context) (more bool, err error)) {
	for {
		more, err := pass(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error(msg, "err", err)
		}
		wait := every
		if err == nil && more {
			wait = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
