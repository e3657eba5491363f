package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/mutant"
	"seam/internal/retry"
	"seam/internal/store"
)

const (
	// DefaultFeedWindow is how long a subscription's calls are retried
	// before it is marked FAILING.
	DefaultFeedWindow = 72 * time.Hour
	// DefaultEventsPerCall is the most events one call carries (Centra's
	// "Max number of events per webhook call").
	DefaultEventsPerCall = 100
	// feedClaims is how many subscriptions one pass claims.
	feedClaims = 16
	// feedScan is how many feed events a call's batch is picked from.
	feedScan = 1000
	// DefaultCallRetention is how long the delivery log keeps a call.
	DefaultCallRetention = 30 * 24 * time.Hour
	// pruneEvery is how often a worker prunes the delivery log, and
	// pruneBatch how many calls one statement deletes at most (a pass
	// deletes at most pruneBatches of them, the rest waits for the next).
	pruneEvery   = time.Hour
	pruneBatch   = 5000
	pruneBatches = 20
	// ActorWebhooks names the feed worker as the actor of the events it
	// records (a subscription marked FAILING).
	ActorWebhooks = "webhooks"
)

// FeedWorker delivers the events feed to webhook subscriptions. The zero
// values of its optional fields are sensible defaults; one FeedWorker per
// process is enough, and any number of processes may share a PostgreSQL
// database.
//
// A pass claims due subscriptions that have events after their cursor by
// moving them a lease into the future in one transaction (FOR UPDATE SKIP
// LOCKED on PostgreSQL), so that one worker at a time holds a
// subscription. For each it POSTs the next batch of matching events in
// one signed call and, in a transaction fenced by the claim and the
// cursor, logs the call and moves the cursor past the batch on a 2xx
// answer, or schedules the next try with backoff. A subscription's events
// therefore go in feed order, each batch after the one before was
// answered 2xx, and no two workers send the same batch. When retries have
// gone on for Window, the subscription is marked FAILING; its cursor stays
// at the first undelivered event for Redeliver.
type FeedWorker struct {
	DB *db.DB
	// Client sends the POSTs; nil means one that follows no redirects and
	// connects only to public addresses (see AllowPrivate).
	Client *http.Client
	// AllowPrivate lets the default client connect to loopback, private
	// and link-local addresses (--webhook-allow-private), for development
	// and tests; without it a receiver there is refused at connect time.
	AllowPrivate bool
	// Log gets one line per failed call and per subscription marked
	// FAILING; never a body or a secret. Nil discards.
	Log *slog.Logger
	// Policy is the clock, the backoff, the window (how long after its
	// first failed call in a row a subscription is retried before it is
	// marked FAILING; 0 means DefaultFeedWindow) and the timeout of each
	// POST (0 means DefaultTimeout).
	retry.Policy
	// EventsPerCall caps a call's batch; 0 means DefaultEventsPerCall.
	EventsPerCall int
	// Retention is how long the delivery log keeps a call; the worker
	// prunes older calls once an hour. 0 means DefaultCallRetention.
	Retention time.Duration

	pruneMu  sync.Mutex
	prunedAt time.Time
}

// DeliverDue runs one pass and returns how many events it delivered.
func (w *FeedWorker) DeliverDue(ctx context.Context) (int, error) {
	n, _, err := w.pass(ctx)
	return n, err
}

// Run delivers every interval until ctx is done; a pass that claimed
// subscriptions is followed by the next at once.
func (w *FeedWorker) Run(ctx context.Context, every time.Duration) {
	retry.Run(ctx, every, w.log(), "deliver webhook subscriptions", func(ctx context.Context) (bool, error) {
		_, claimed, err := w.pass(ctx)
		return claimed > 0, err
	})
}

// pass claims due subscriptions and delivers to them in parallel.
func (w *FeedWorker) pass(ctx context.Context) (delivered, claimed int, err error) {
	now := w.Time()
	started := time.Now()
	var subs []store.WebhookSubscription
	err = w.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		subs, err = store.ClaimWebhookSubscriptions(ctx, tx, now, now.Add(w.lease()), feedClaims)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("claim webhook subscriptions: %w", err)
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for _, sub := range subs {
		wg.Go(func() {
			n, err := w.deliverSubscription(ctx, started, sub)
			mu.Lock()
			delivered += n
			errs = append(errs, err)
			mu.Unlock()
		})
	}
	wg.Wait()
	// After the calls, so that pruning never eats into their budget.
	errs = append(errs, w.prune(ctx, now))
	return delivered, len(subs), errors.Join(errs...)
}

// prune deletes the delivery log's calls older than Retention, at most
// once every pruneEvery (by the worker's clock) and at most
// pruneBatches*pruneBatch calls at a time.
func (w *FeedWorker) prune(ctx context.Context, now time.Time) error {
	keep := w.Retention
	if keep <= 0 {
		keep = DefaultCallRetention
	}
	w.pruneMu.Lock()
	defer w.pruneMu.Unlock()
	if !w.prunedAt.IsZero() && now.Sub(w.prunedAt) < pruneEvery {
		return nil
	}
	for range pruneBatches {
		var n int64
		err := w.DB.Tx(ctx, func(tx *db.Tx) error {
			var err error
			n, err = store.PruneWebhookCalls(ctx, tx, now.Add(-keep), pruneBatch)
			return err
		})
		if err != nil {
			return err
		}
		if n < pruneBatch {
			break
		}
	}
	w.prunedAt = now
	return nil
}

// deliverSubscription sends claimed subscription sub its batches, one
// after another, until it is up to date, a call fails, or the pass's time
// is up; the subscription is then due again when it should be.
func (w *FeedWorker) deliverSubscription(ctx context.Context, started time.Time, sub store.WebhookSubscription) (int, error) {
	n := 0
	for {
		evs, next, more, err := w.batch(ctx, sub)
		if err != nil {
			return n, w.release(ctx, sub, fmt.Errorf("read events for webhook subscription %d: %w", sub.ID, err))
		}
		last := !more || ctx.Err() != nil || time.Since(started) > w.budget()
		if len(evs) == 0 {
			// Nothing of the subscription's: pass over what it filters out.
			o := store.SubscriptionOutcome{Status: sub.Status, Cursor: next, Attempts: sub.Attempts, RetryingSince: sub.RetryingSince,
				NextAttemptAt: sub.NextAttemptAt, LastError: sub.LastError}
			if last {
				o.NextAttemptAt = w.Time()
			}
			kept, err := w.finish(ctx, sub, nil, o)
			if err != nil || !kept || last {
				return n, err
			}
			sub.Cursor = next
			continue
		}
		ok, kept, err := w.call(ctx, &sub, evs, next, last)
		if ok && kept {
			n += len(evs)
		}
		if err != nil || !ok || !kept || last {
			return n, err
		}
	}
}

// batch picks the next call's events for sub: up to EventsPerCall
// matching events after its cursor, and the cursor that follows them
// (past filtered-out events too). more says whether events may follow.
func (w *FeedWorker) batch(ctx context.Context, sub store.WebhookSubscription) (evs []store.Event, next int64, more bool, err error) {
	scanned, err := store.Events(ctx, w.DB.Read(), store.EventFilter{After: sub.Cursor, StoreID: sub.StoreID, Limit: feedScan})
	if err != nil {
		return nil, 0, false, err
	}
	next = sub.Cursor
	for _, e := range scanned {
		if len(evs) == w.eventsPerCall() {
			return evs, next, true, nil
		}
		next = e.ID
		if Matches(sub, e) {
			evs = append(evs, e)
		}
	}
	return evs, next, len(scanned) == feedScan, nil
}

// Matches reports whether sub's filter lets event e through.
func Matches(sub store.WebhookSubscription, e store.Event) bool {
	return (len(sub.ObjectTypes) == 0 || slices.Contains(sub.ObjectTypes, e.ObjectType)) &&
		(len(sub.Actions) == 0 || slices.Contains(sub.Actions, e.Action))
}

// call POSTs evs to sub, logs the call and writes the outcome: on a 2xx
// answer the cursor moves to next. It reports whether the answer was 2xx
// and whether the outcome was kept (the claim still held). When last is
// false and the call succeeded, sub stays claimed for the next batch.
func (w *FeedWorker) call(ctx context.Context, sub *store.WebhookSubscription, evs []store.Event, next int64, last bool) (ok, kept bool, err error) {
	ct, b, err := body(sub.Flavour, sub.ID, evs)
	if err != nil {
		return false, false, w.release(ctx, *sub, fmt.Errorf("webhook subscription %d: %w", sub.ID, err))
	}
	first, final := evs[0].ID, evs[len(evs)-1].ID
	o := outgoing{URL: sub.URL, ContentType: ct, Secret: sub.Secret, Body: b, Header: map[string]string{
		"X-Seam-Subscription": strconv.FormatInt(sub.ID, 10),
		"X-Seam-Events":       strconv.FormatInt(first, 10) + "-" + strconv.FormatInt(final, 10),
	}}
	sentAt := w.Time()
	t0 := time.Now()
	code, errText := send(ctx, client(w.Client, w.AllowPrivate), w.timeout(), o, sentAt)
	took := time.Since(t0)
	now := w.Time()

	c := store.WebhookCall{SubscriptionID: sub.ID, FirstEventID: first, LastEventID: final, EventCount: len(evs),
		Status: store.CallFailed, Error: errText, DurationMS: took.Milliseconds(), Attempt: sub.Attempts + 1, AttemptedAt: sentAt}
	if code != 0 {
		c.StatusCode = &code
	}
	out := store.SubscriptionOutcome{Status: store.SubscriptionActive, Cursor: sub.Cursor, NextAttemptAt: now}
	switch {
	case code >= 200 && code < 300:
		ok = true
		c.Status, out.Cursor = store.CallDelivered, next
		if !last {
			out.NextAttemptAt = sub.NextAttemptAt
		}
	case code == 0 && ctx.Err() != nil:
		// Not the receiver's fault: try again as soon as a worker runs.
		out.Attempts, out.RetryingSince, out.LastError = sub.Attempts, sub.RetryingSince, &errText
	default:
		since := now
		if sub.RetryingSince != nil {
			since = *sub.RetryingSince
		}
		out.Attempts, out.RetryingSince, out.LastError = sub.Attempts+1, &since, &errText
		if mutant.On("webhook-cursor-skips-failed") {
			out.Cursor = next
		}
		out.NextAttemptAt = now.Add(w.Wait(out.Attempts))
		if !out.NextAttemptAt.Before(since.Add(w.WindowOr(DefaultFeedWindow))) {
			out.Status, out.NextAttemptAt = store.SubscriptionFailing, now
		}
	}
	kept, err = w.finish(ctx, *sub, &c, out)
	if err != nil {
		return ok, kept, err
	}
	w.logCall(*sub, c, out, kept)
	sub.Cursor, sub.Attempts, sub.RetryingSince, sub.LastError = out.Cursor, out.Attempts, out.RetryingSince, out.LastError
	return ok, kept, nil
}

// finish logs call c, if any, and writes outcome o of sub's claim in one
// transaction; it reports whether the claim still held. A subscription
// marked FAILING gets an UPDATED event.
func (w *FeedWorker) finish(ctx context.Context, sub store.WebhookSubscription, c *store.WebhookCall, o store.SubscriptionOutcome) (bool, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	var kept bool
	err := w.DB.Tx(rctx, func(tx *db.Tx) error {
		var err error
		if kept, err = store.FinishWebhookSubscriptionClaim(rctx, tx, sub.ID, sub.Claims, sub.Cursor, o); err != nil || !kept {
			return err
		}
		if c != nil {
			if err := store.InsertWebhookCall(rctx, tx, c); err != nil {
				return err
			}
		}
		if o.Status == store.SubscriptionFailing {
			sub.Status, sub.Cursor, sub.LastError = o.Status, o.Cursor, o.LastError
			_, err = record(rctx, tx, ActorWebhooks, sub, event.Updated)
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("record webhook subscription %d call: %w", sub.ID, err)
	}
	return kept, nil
}

// release hands a claimed subscription back, due at once, after cause.
func (w *FeedWorker) release(ctx context.Context, sub store.WebhookSubscription, cause error) error {
	o := store.SubscriptionOutcome{Status: sub.Status, Cursor: sub.Cursor, Attempts: sub.Attempts, RetryingSince: sub.RetryingSince,
		NextAttemptAt: w.Time(), LastError: sub.LastError}
	_, err := w.finish(ctx, sub, nil, o)
	return errors.Join(cause, err)
}

// logCall logs a failed call, a subscription marked FAILING or a lost
// claim. Receivers' answers are left out: they may echo the body.
func (w *FeedWorker) logCall(sub store.WebhookSubscription, c store.WebhookCall, o store.SubscriptionOutcome, kept bool) {
	attrs := []any{"subscription", sub.ID, "host", host(sub.URL), "events", c.EventCount, "first_event", c.FirstEventID, "attempt", c.Attempt}
	if c.StatusCode != nil {
		attrs = append(attrs, "status", *c.StatusCode)
	} else if c.Error != "" {
		attrs = append(attrs, "err", c.Error)
	}
	switch {
	case !kept:
		w.log().Warn("webhook call not recorded: the subscription was claimed again or redelivered meanwhile", attrs...)
	case o.Status == store.SubscriptionFailing:
		w.log().Error("webhook subscription marked FAILING: no delivery within its window; redeliver to resume", append(attrs, "window", w.WindowOr(DefaultFeedWindow).String())...)
	case c.Status == store.CallFailed:
		w.log().Warn("webhook call failed", append(attrs, "retry_at", o.NextAttemptAt)...)
	default:
		w.log().Debug("webhook call delivered", attrs...)
	}
}

func (w *FeedWorker) eventsPerCall() int {
	if w.EventsPerCall > 0 {
		return w.EventsPerCall
	}
	return DefaultEventsPerCall
}

// budget is how long after its claim a pass may start a call.
func (w *FeedWorker) budget() time.Duration { return retry.Budget(w.timeout()) }

// lease is how long a claim keeps a subscription from other workers:
// longer than the budget plus a call.
func (w *FeedWorker) lease() time.Duration { return retry.Lease(w.timeout()) }

func (w *FeedWorker) timeout() time.Duration { return w.TimeoutOr(DefaultTimeout) }

func (w *FeedWorker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.New(slog.DiscardHandler)
}
