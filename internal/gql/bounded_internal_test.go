package gql

import (
	"context"
	"errors"
	"testing"
)

// TestNoFieldResolvesOnceTheClientLeft: the middleware of every field does
// not call the resolver when the request's context is done, so an answer
// whose client disconnected stops being built at the next field.
func TestNoFieldResolvesOnceTheClientLeft(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	called := 0
	next := func(context.Context) (any, error) { called++; return "x", nil }
	if _, err := bounded(ctx, next); err != nil || called != 1 {
		t.Fatalf("before the client left: err %v, %d calls; want the resolver called", err, called)
	}
	cancel()
	if _, err := bounded(ctx, next); !errors.Is(err, context.Canceled) || called != 1 {
		t.Errorf("after the client left: err %v, %d calls; want context.Canceled and no call", err, called)
	}
}

// TestTheAnswerIsCutOnceItsEstimatePassesTheCap: the field that takes the
// estimate past MaxResponse stops the request, and every field after it.
func TestTheAnswerIsCutOnceItsEstimatePassesTheCap(t *testing.T) {
	t.Parallel()
	ctx, stop := context.WithCancelCause(context.Background())
	rq := &request{stop: stop}
	ctx = withRequest(ctx, rq)
	big := make([]byte, MaxResponse/4)
	next := func(context.Context) (any, error) { return string(big), nil }
	for range 3 {
		if _, err := bounded(ctx, next); err != nil {
			t.Fatalf("under the cap: %v", err)
		}
	}
	if _, err := bounded(ctx, next); !errors.Is(err, errTooLarge) || !rq.cut.Load() {
		t.Fatalf("past the cap: err %v, cut %v; want errTooLarge", err, rq.cut.Load())
	}
	if !errors.Is(context.Cause(ctx), errTooLarge) {
		t.Errorf("the request's context was not stopped: %v", context.Cause(ctx))
	}
}
