package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"seam/internal/db"
	"seam/internal/retry"
	"seam/internal/store"
)

const (
	// DefaultTimeout bounds one POST, answer included.
	DefaultTimeout = 5 * time.Second
	// DefaultBatch is how many messages one pass claims.
	DefaultBatch = 100
	// receivers is how many URLs one pass POSTs to at once.
	receivers = 16
	// recordTimeout bounds writing an outcome, which runs even while the
	// worker stops so that a POST made is not forgotten.
	recordTimeout = 10 * time.Second
)

// Worker delivers the outbox's due messages. The zero values of its
// optional fields are sensible defaults; one Worker per process is enough,
// and any number of processes may share a PostgreSQL database.
//
// A pass claims due messages by moving them a lease into the future in
// one transaction, then POSTs them outside it, then records each outcome
// in a new transaction fenced by the claim, so that a message is never
// POSTed by two workers at once. Messages to one URL go one after another,
// oldest first; different URLs go in parallel. When a receiver does not
// answer, answers 5xx, 408, 429 or a redirect, its other due messages
// wait a first backoff step, so that one failing receiver costs one
// attempt per step and never fills the claims that other receivers'
// messages need.
type Worker struct {
	DB *db.DB
	// Client sends the POSTs; nil means one that follows no redirects (a
	// 3xx answer is a failed attempt) and connects only to public
	// addresses (see AllowPrivate).
	Client *http.Client
	// AllowPrivate lets the default client connect to loopback, private
	// and link-local addresses (--webhook-allow-private), for development
	// and tests; without it a receiver there is refused at connect time.
	AllowPrivate bool
	// Log gets one line per failed attempt and per message given up on;
	// never a body or a secret. Nil discards.
	Log *slog.Logger
	// Policy is the clock, the backoff, the window (how long after it
	// was enqueued a message is retried before it is marked FAILED; 0
	// means DefaultWindow) and the timeout of each POST (0 means
	// DefaultTimeout).
	retry.Policy
	// Batch is how many messages a pass claims; 0 means DefaultBatch.
	Batch int
}

// DeliverDue runs one pass: it claims up to Batch due messages, POSTs
// them, records every attempt and schedules retries. It returns how many
// messages were delivered. Errors writing outcomes are joined; the
// messages they concern are retried once their lease runs out.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	delivered, _, err := w.pass(ctx)
	return delivered, err
}

// Run delivers due messages every interval until ctx is done; a pass that
// claimed a full batch is followed by the next at once.
func (w *Worker) Run(ctx context.Context, every time.Duration) {
	retry.Run(ctx, every, w.log(), "deliver webhooks", func(ctx context.Context) (bool, error) {
		_, claimed, err := w.pass(ctx)
		return claimed >= w.batch(), err
	})
}

// pass is DeliverDue, also reporting how many messages it claimed.
func (w *Worker) pass(ctx context.Context) (delivered, claimed int, err error) {
	now := w.Time()
	// POSTs start only within budget of the claim and end within Timeout
	// of their start, well inside the lease (measured on the monotonic
	// clock, whatever Now says).
	started := time.Now()
	window := w.WindowOr(DefaultWindow)
	var live, expired []store.WebhookDelivery
	err = w.DB.Tx(ctx, func(tx *db.Tx) error {
		live, expired = nil, nil
		ds, err := store.ClaimWebhookDeliveries(ctx, tx, now, now.Add(w.lease()), w.batch())
		if err != nil {
			return err
		}
		for _, d := range ds {
			giveUp := d.CreatedAt.Add(window)
			if now.Before(giveUp) {
				live = append(live, d)
				continue
			}
			msg := "gave up: not delivered within " + window.String()
			if d.LastError != nil {
				msg += "; last error: " + *d.LastError
			}
			msg = clip(msg)
			o := store.WebhookOutcome{Status: store.WebhookFailed, NextAttemptAt: now, GiveUpAt: giveUp, LastError: &msg}
			if _, err := store.FinishWebhookClaim(ctx, tx, d.ID, d.Claims, o); err != nil {
				return err
			}
			expired = append(expired, d)
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("claim due webhooks: %w", err)
	}
	for _, d := range expired {
		w.log().Error("webhook given up: not delivered within its window", "delivery", d.ID, "kind", d.Kind,
			"host", host(d.URL), "attempts", d.Attempts, "window", window.String())
	}

	var urls []string
	byURL := map[string][]store.WebhookDelivery{}
	for _, d := range live {
		if _, ok := byURL[d.URL]; !ok {
			urls = append(urls, d.URL)
		}
		byURL[d.URL] = append(byURL[d.URL], d)
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, receivers)
	)
	for _, u := range urls {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			n, err := w.deliverURL(ctx, started, byURL[u])
			mu.Lock()
			delivered += n
			errs = append(errs, err)
			mu.Unlock()
		})
	}
	wg.Wait()
	return delivered, len(live) + len(expired), errors.Join(errs...)
}

// deliverURL POSTs one receiver's claimed messages in order. It stops at a
// failure that says the receiver is down (pausing the receiver), when the
// pass's time is up, or when ctx is done, and hands the rest back.
func (w *Worker) deliverURL(ctx context.Context, started time.Time, ds []store.WebhookDelivery) (int, error) {
	n := 0
	for i, d := range ds {
		if ctx.Err() != nil || time.Since(started) > w.budget() {
			return n, w.release(ctx, ds[i:], w.Time())
		}
		r, err := w.deliver(ctx, d)
		if err != nil {
			return n, errors.Join(err, w.release(ctx, ds[i+1:], w.Time()))
		}
		if r.delivered {
			n++
		}
		if r.pausedUntil != nil {
			return n, w.release(ctx, ds[i+1:], *r.pausedUntil)
		}
	}
	return n, nil
}

// result is how one delivery attempt went.
type result struct {
	// delivered is true when the answer was 2xx and recorded under this
	// worker's claim.
	delivered bool
	// pausedUntil is set when the receiver looked down and its due
	// messages were moved to then.
	pausedUntil *time.Time
}

// deliver POSTs one claimed message and records the attempt and what
// follows from it.
func (w *Worker) deliver(ctx context.Context, d store.WebhookDelivery) (result, error) {
	sentAt := w.Time()
	t0 := time.Now()
	code, errText := w.post(ctx, d, sentAt)
	took := time.Since(t0)
	interrupted := code == 0 && ctx.Err() != nil

	now := w.Time()
	giveUp := d.CreatedAt.Add(w.WindowOr(DefaultWindow))
	attempt := store.WebhookAttempt{DeliveryID: d.ID, AttemptedAt: sentAt, Error: errText, DurationMS: took.Milliseconds()}
	if code != 0 {
		attempt.StatusCode = &code
	}
	o := store.WebhookOutcome{Attempted: true, NextAttemptAt: now, GiveUpAt: giveUp}
	var r result
	switch {
	case code >= 200 && code < 300:
		r.delivered = true
		o.Status, o.DeliveredAt = store.WebhookDelivered, &now
	case interrupted:
		// Not the receiver's fault: try again as soon as a worker runs.
		o.Status, o.LastError = store.WebhookPending, &errText
	default:
		o.LastError = &errText
		o.Status, o.NextAttemptAt = store.WebhookPending, now.Add(w.Wait(d.Attempts+1))
		if !o.NextAttemptAt.Before(giveUp) {
			o.Status, o.NextAttemptAt = store.WebhookFailed, now
		}
		if receiverDown(code) {
			until := now.Add(w.Wait(1))
			r.pausedUntil = &until
		}
	}

	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	var kept bool
	err := w.DB.Tx(rctx, func(tx *db.Tx) error {
		if err := store.InsertWebhookAttempt(rctx, tx, &attempt); err != nil {
			return err
		}
		var err error
		if kept, err = store.FinishWebhookClaim(rctx, tx, d.ID, d.Claims, o); err != nil {
			return err
		}
		if r.pausedUntil != nil {
			_, err = store.PauseWebhookURL(rctx, tx, d.URL, now, *r.pausedUntil)
		}
		return err
	})
	if err != nil {
		return r, fmt.Errorf("record webhook delivery %d: %w", d.ID, err)
	}
	r.delivered = r.delivered && kept
	w.logOutcome(d, code, errText, o, kept)
	return r, nil
}

// logOutcome logs a failed attempt, a message given up on or a lost claim.
// Receivers' answers are left out: they may echo the body.
func (w *Worker) logOutcome(d store.WebhookDelivery, code int, errText string, o store.WebhookOutcome, kept bool) {
	attrs := []any{"delivery", d.ID, "kind", d.Kind, "host", host(d.URL), "attempt", d.Attempts + 1}
	if code != 0 {
		attrs = append(attrs, "status", code)
	} else if errText != "" {
		attrs = append(attrs, "err", errText)
	}
	switch {
	case !kept:
		w.log().Warn("webhook outcome not recorded: another worker claimed the message after this one's lease ran out", attrs...)
	case o.Status == store.WebhookFailed:
		w.log().Error("webhook given up: no delivery within its window", attrs...)
	case o.Status == store.WebhookPending:
		w.log().Warn("webhook attempt failed", append(attrs, "retry_at", o.NextAttemptAt)...)
	default:
		w.log().Debug("webhook delivered", attrs...)
	}
}

// release hands claimed messages back unattempted, due at next.
func (w *Worker) release(ctx context.Context, ds []store.WebhookDelivery, next time.Time) error {
	if len(ds) == 0 {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	err := w.DB.Tx(rctx, func(tx *db.Tx) error {
		for _, d := range ds {
			o := store.WebhookOutcome{Status: store.WebhookPending, NextAttemptAt: next, GiveUpAt: d.GiveUpAt, LastError: d.LastError}
			if _, err := store.FinishWebhookClaim(rctx, tx, d.ID, d.Claims, o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("release %d webhook deliveries: %w", len(ds), err)
	}
	return nil
}

// receiverDown tells whether an answer (0: none) says the receiver, not
// the message, is the problem.
func receiverDown(code int) bool {
	return code == 0 || code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout ||
		(code >= 300 && code < 400)
}

// host is the receiver's host, for logs: a URL's path or query may hold a
// token.
func host(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Host
}

func (w *Worker) batch() int {
	if w.Batch > 0 {
		return w.Batch
	}
	return DefaultBatch
}

// budget is how long after its claim a pass may start a POST.
func (w *Worker) budget() time.Duration { return retry.Budget(w.timeout()) }

// lease is how long a claim keeps a message from other workers: longer
// than the budget plus a POST.
func (w *Worker) lease() time.Duration { return retry.Lease(w.timeout()) }

func (w *Worker) timeout() time.Duration { return w.TimeoutOr(DefaultTimeout) }

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.New(slog.DiscardHandler)
}
