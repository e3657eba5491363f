package retry_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"seam/internal/dbtest"
	"seam/internal/retry"
)

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	t.Parallel()
	const samples = 500
	lo := map[int]time.Duration{}
	hi := map[int]time.Duration{}
	for attempt := 1; attempt <= 40; attempt++ {
		lo[attempt], hi[attempt] = time.Duration(1<<62), 0
		for range samples {
			d := retry.Backoff(attempt)
			lo[attempt], hi[attempt] = min(lo[attempt], d), max(hi[attempt], d)
		}
		if hi[attempt] > time.Hour {
			t.Errorf("attempt %d waits up to %s, over the 1h cap", attempt, hi[attempt])
		}
	}
	if lo[1] <= 7*time.Second || hi[1] > 10*time.Second {
		t.Errorf("first backoff in [%s, %s], want within (7.5s, 10s]", lo[1], hi[1])
	}
	// 10 s doubling passes 1 h at the 10th failure; until then every step
	// is longer than any wait of the step before, jitter included.
	for attempt := 1; attempt < 10; attempt++ {
		if lo[attempt+1] <= hi[attempt] {
			t.Errorf("attempt %d waits from %s, not longer than attempt %d's %s", attempt+1, lo[attempt+1], attempt, hi[attempt])
		}
	}
	for attempt := 10; attempt <= 40; attempt++ {
		if lo[attempt] < 45*time.Minute {
			t.Errorf("attempt %d waits from %s; capped steps should stay near 1h", attempt, lo[attempt])
		}
	}
	if lo[1] == hi[1] {
		t.Error("no jitter: every first backoff was the same")
	}
}

func TestPolicyDefaults(t *testing.T) {
	t.Parallel()
	var zero retry.Policy
	if got := zero.WindowOr(time.Hour); got != time.Hour {
		t.Errorf("zero WindowOr = %s, want the default 1h", got)
	}
	if got := zero.TimeoutOr(5 * time.Second); got != 5*time.Second {
		t.Errorf("zero TimeoutOr = %s, want the default 5s", got)
	}
	if got := zero.Wait(1); got > 10*time.Second || got <= 7*time.Second {
		t.Errorf("zero Wait(1) = %s, want Backoff's first step", got)
	}
	if got := time.Since(zero.Time()); got < 0 || got > time.Minute {
		t.Errorf("zero Time is %s from now", got)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6789, time.UTC)
	set := retry.Policy{Now: func() time.Time { return at }, Backoff: func(n int) time.Duration { return time.Duration(n) * time.Minute },
		Window: 2 * time.Hour, Timeout: time.Second}
	if got := set.WindowOr(time.Hour); got != 2*time.Hour {
		t.Errorf("WindowOr = %s, want the policy's 2h", got)
	}
	if got := set.TimeoutOr(5 * time.Second); got != time.Second {
		t.Errorf("TimeoutOr = %s, want the policy's 1s", got)
	}
	if got := set.Wait(3); got != 3*time.Minute {
		t.Errorf("Wait(3) = %s, want the policy's 3m", got)
	}
	if got := set.Time(); !got.Equal(at.Truncate(time.Microsecond)) {
		t.Errorf("Time = %s, want the policy's clock at microseconds, %s", got, at.Truncate(time.Microsecond))
	}
	if retry.Lease(time.Second) <= retry.Budget(time.Second)+time.Second || retry.Lease(time.Minute) <= retry.Budget(time.Minute)+time.Minute {
		t.Error("a lease must outlast the budget plus one attempt")
	}
}

// TestRunPassesAgainAtOnceWhileMoreIsDue: Run calls at once again after
// a pass that says more is due, waits the interval after a failed pass
// (and logs its error), and returns when its context ends.
func TestRunPassesAgainAtOnceWhileMoreIsDue(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	third := make(chan struct{})
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, nil))
	done := make(chan struct{})
	go func() {
		defer close(done)
		// An hour between passes: only "more" can bring the next ones.
		retry.Run(ctx, time.Hour, log, "test pass", func(context.Context) (bool, error) {
			switch calls.Add(1) {
			case 1, 2:
				return true, nil
			case 3:
				close(third)
				// More is due, but the pass failed: wait the interval.
				return true, errors.New("boom")
			default:
				return false, nil
			}
		})
	}()
	select {
	case <-third:
	case <-dbtest.Deadline(t).Done():
		t.Fatalf("%d passes before the test's deadline: Run waited after a pass that said more", calls.Load())
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-dbtest.Deadline(t).Done():
		t.Fatal("Run did not return after its context ended")
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("%d passes, want 3: Run did not wait after the failed pass", n)
	}
	if !strings.Contains(logged.String(), "test pass") || !strings.Contains(logged.String(), "boom") {
		t.Errorf("the failed pass was not logged: %q", logged.String())
	}
}
