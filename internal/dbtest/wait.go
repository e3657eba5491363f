package dbtest

import (
	"context"
	"testing"
	"time"
)

// Waiting for conditions: a test on a busy machine waits as long as its run
// allows (go test -timeout), never for a short fixed time, and still fails
// with what it waited for instead of a bare timeout panic.

// Deadline returns a context that ends a little before the test binary's
// deadline (go test -timeout, 10 minutes by default), or when the test ends.
// Without a deadline (-timeout 0) it ends only with the test.
func Deadline(t testing.TB) context.Context {
	ctx := t.Context()
	type deadliner interface{ Deadline() (time.Time, bool) }
	if d, ok := t.(deadliner); ok {
		if end, ok := d.Deadline(); ok {
			// Leave time to report the failure and run cleanups: a tenth of
			// what is left, between 1 and 30 seconds.
			margin := min(max(time.Until(end)/10, time.Second), 30*time.Second)
			c, cancel := context.WithDeadline(ctx, end.Add(-margin))
			t.Cleanup(cancel)
			return c
		}
	}
	return ctx
}

// Eventually polls cond, quickly at first and then every 50 ms, until it
// holds; it fails the test naming what when the test's deadline nears
// first.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	ctx := Deadline(t)
	pause := time.Millisecond
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting (test deadline near) for %s", what)
		case <-time.After(pause):
		}
		pause = min(pause*2, 50*time.Millisecond)
	}
}
