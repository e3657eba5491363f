package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"seam/internal/db"
	"seam/internal/retry"
	"seam/internal/secret"
	"seam/internal/store"
)

const (
	// DefaultBatch is how many messages one pass claims.
	DefaultBatch = 50
	// senders is how many messages one pass sends at once, each on its own
	// connection.
	senders = 4
	// recordTimeout bounds writing an outcome, which runs even while the
	// worker stops so that a send made is not forgotten.
	recordTimeout = 10 * time.Second
)

// Worker sends the outbox's due messages. DB and Sender are required; the
// zero values of the other fields are sensible defaults. One Worker per
// process is enough, and any number of processes may share a PostgreSQL
// database.
//
// A pass claims due messages by moving them a lease into the future in one
// transaction, sends them outside it (the oldest alone, then up to four at
// once, each on its own connection), then records each attempt and its
// outcome in a new transaction fenced by the claim, so that a message is
// never sent by two workers at once. A failed send is retried after a
// backoff until the message's window ends, when it is marked FAILED. When
// a failure says the server is down (no connection, TLS or authentication
// failed, 421), the pass hands its unsent messages back for one backoff
// step, so that an outage costs one attempt per step, not one per message.
type Worker struct {
	DB     *db.DB
	Sender *Sender
	// Log gets one line per message sent, failed attempt and message given
	// up on, with the message's id, kind and the recipient's domain; never
	// the address, subject or body. Nil discards.
	Log *slog.Logger
	// Policy is the clock, the backoff, the window (how long after it
	// was enqueued a message is retried before it is marked FAILED; 0
	// means DefaultWindow) and the timeout of each send (0 means
	// DefaultTimeout).
	retry.Policy
	// Batch is how many messages a pass claims; 0 means DefaultBatch.
	Batch int

	mu   sync.Mutex
	seal *secret.Sealer // opens sealed bodies; read once
}

// DeliverDue runs one pass: it claims up to Batch due messages, sends
// them, records every attempt and schedules retries. It returns how many
// messages were sent. Errors writing outcomes are joined; the messages
// they concern are retried once their lease runs out.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	sent, _, err := w.pass(ctx)
	return sent, err
}

// Run sends due messages every interval until ctx is done; a pass that
// claimed a full batch is followed by the next at once. It returns once
// the outcomes of sends in flight when ctx ended are recorded.
func (w *Worker) Run(ctx context.Context, every time.Duration) {
	retry.Run(ctx, every, w.log(), "send mail", func(ctx context.Context) (bool, error) {
		_, claimed, err := w.pass(ctx)
		return claimed >= w.batch(), err
	})
}

// pass is DeliverDue, also reporting how many messages it claimed.
func (w *Worker) pass(ctx context.Context) (sent, claimed int, err error) {
	if w.Sender == nil {
		return 0, 0, errors.New("mail worker has no sender")
	}
	now := w.Time()
	// Sends start only within budget of the claim and end within Timeout
	// of their start, well inside the lease (measured on the monotonic
	// clock, whatever Now says).
	started := time.Now()
	window := w.WindowOr(DefaultWindow)
	var live, expired []store.Mail
	err = w.DB.Tx(ctx, func(tx *db.Tx) error {
		live, expired = nil, nil
		ms, err := store.ClaimMails(ctx, tx, now, now.Add(w.lease()), w.batch())
		if err != nil {
			return err
		}
		for _, m := range ms {
			giveUp := m.CreatedAt.Add(window)
			if now.Before(giveUp) {
				live = append(live, m)
				continue
			}
			msg := "gave up: not sent within " + window.String()
			if m.LastError != nil {
				msg += "; last error: " + *m.LastError
			}
			msg = clip(msg, errorLimit)
			o := store.MailOutcome{Status: store.MailFailed, NextAttemptAt: now, GiveUpAt: giveUp, LastError: &msg}
			if _, err := store.FinishMailClaim(ctx, tx, m.ID, m.Claims, o); err != nil {
				return err
			}
			expired = append(expired, m)
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("claim due mail: %w", err)
	}
	for _, m := range expired {
		w.log().Error("mail given up: not sent within its window", "mail", m.ID, "kind", m.Kind,
			"domain", domain(m.To), "attempts", m.Attempts, "window", window.String())
	}
	if len(live) > 0 {
		// Read the code key that opens sealed bodies before sending: a
		// database that cannot give it now hands the messages back.
		if _, err := w.sealer(ctx); err != nil {
			return 0, len(live) + len(expired), errors.Join(fmt.Errorf("read the key of sealed mail: %w", err), w.release(ctx, live, now))
		}
	}

	var (
		mu          sync.Mutex
		errs        []error
		pausedUntil *time.Time
		later       []store.Mail // not tried: the pass's time is up or the worker stops
		paused      []store.Mail // not tried: the server looked down
	)
	// send sends m unless the pass's time is up, the worker stops or the
	// server looked down, which put m aside.
	send := func(m store.Mail) {
		mu.Lock()
		switch {
		case ctx.Err() != nil || time.Since(started) > w.budget():
			later = append(later, m)
			mu.Unlock()
			return
		case pausedUntil != nil:
			paused = append(paused, m)
			mu.Unlock()
			return
		}
		mu.Unlock()
		r, err := w.deliver(ctx, m)
		mu.Lock()
		defer mu.Unlock()
		if r.sent {
			sent++
		}
		if r.pausedUntil != nil && pausedUntil == nil {
			pausedUntil = r.pausedUntil
		}
		errs = append(errs, err)
	}
	if len(live) > 0 {
		// The oldest goes alone, probing the server: when it is down, that
		// is the pass's only attempt.
		send(live[0])
		queue := make(chan store.Mail, len(live)-1)
		for _, m := range live[1:] {
			queue <- m
		}
		close(queue)
		var wg sync.WaitGroup
		for range min(senders, len(live)-1) {
			wg.Go(func() {
				for m := range queue {
					send(m)
				}
			})
		}
		wg.Wait()
	}
	errs = append(errs, w.release(ctx, later, w.Time()))
	if pausedUntil != nil {
		errs = append(errs, w.release(ctx, paused, *pausedUntil))
	}
	return sent, len(live) + len(expired), errors.Join(errs...)
}

// result is how one send went.
type result struct {
	// sent is true when the server accepted the message and that was
	// recorded under this worker's claim.
	sent bool
	// pausedUntil is set when the server looked down.
	pausedUntil *time.Time
}

// deliver sends one claimed message and records the attempt and what
// follows from it.
func (w *Worker) deliver(ctx context.Context, m store.Mail) (result, error) {
	attemptedAt := w.Time()
	t0 := time.Now()
	msg, oerr := w.message(ctx, m)
	var serr *sendError
	if oerr == nil {
		sctx, cancel := context.WithTimeout(ctx, w.timeout())
		serr = w.Sender.send(sctx, msg, m.MessageID)
		cancel()
	}
	took := time.Since(t0)

	now := w.Time()
	giveUp := m.CreatedAt.Add(w.WindowOr(DefaultWindow))
	attempt := store.MailAttempt{MailID: m.ID, AttemptedAt: attemptedAt, DurationMS: took.Milliseconds()}
	o := store.MailOutcome{Attempted: true, NextAttemptAt: now, GiveUpAt: giveUp}
	var r result
	switch {
	case oerr != nil:
		// Nothing to send, now or later; a retry (RetryFailedMails) tries
		// again, e.g. once the right code_key is restored.
		attempt.Error = clip("not sent: "+oerr.Error(), errorLimit)
		o.LastError = &attempt.Error
		o.Status, o.NextAttemptAt = store.MailFailed, now
	case serr == nil:
		r.sent = true
		o.Status, o.SentAt = store.MailSent, &now
	case serr.interrupted || (serr.timedOut && ctx.Err() != nil):
		// The worker stopped, not the server's fault: try again as soon as
		// a worker runs. The server may have the message already; it comes
		// again with the same Message-ID.
		attempt.Error = "interrupted: the worker stopped"
		o.Status, o.LastError = store.MailPending, &attempt.Error
	default:
		attempt.Error = serr.msg
		if serr.timedOut {
			attempt.Error = "the SMTP server did not finish within " + w.timeout().String()
		}
		o.LastError = &attempt.Error
		o.Status, o.NextAttemptAt = store.MailPending, now.Add(w.Wait(m.Attempts+1))
		if !o.NextAttemptAt.Before(giveUp) {
			o.Status, o.NextAttemptAt = store.MailFailed, now
		}
		if serr.down {
			until := now.Add(w.Wait(1))
			r.pausedUntil = &until
		}
	}

	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer rcancel()
	var kept bool
	err := w.DB.Tx(rctx, func(tx *db.Tx) error {
		if err := store.InsertMailAttempt(rctx, tx, &attempt); err != nil {
			return err
		}
		var err error
		kept, err = store.FinishMailClaim(rctx, tx, m.ID, m.Claims, o)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("record mail %d: %w", m.ID, err)
	}
	r.sent = r.sent && kept
	w.logOutcome(m, attempt.Error, o, kept)
	return r, nil
}

// logOutcome logs a sent message, a failed attempt, a message given up on
// or a lost claim.
func (w *Worker) logOutcome(m store.Mail, errText string, o store.MailOutcome, kept bool) {
	attrs := []any{"mail", m.ID, "kind", m.Kind, "domain", domain(m.To), "attempt", m.Attempts + 1}
	if errText != "" {
		attrs = append(attrs, "err", errText)
	}
	switch {
	case !kept:
		w.log().Warn("mail outcome not recorded: another worker claimed the message after this one's lease ran out", attrs...)
	case o.Status == store.MailFailed:
		w.log().Error("mail given up: not sent within its window", attrs...)
	case o.Status == store.MailPending:
		w.log().Warn("mail attempt failed", append(attrs, "retry_at", o.NextAttemptAt)...)
	default:
		w.log().Info("mail sent", attrs...)
	}
}

// release hands claimed messages back unattempted, due at next.
func (w *Worker) release(ctx context.Context, ms []store.Mail, next time.Time) error {
	if len(ms) == 0 {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	err := w.DB.Tx(rctx, func(tx *db.Tx) error {
		for _, m := range ms {
			o := store.MailOutcome{Status: store.MailPending, NextAttemptAt: next, GiveUpAt: m.GiveUpAt, LastError: m.LastError}
			if _, err := store.FinishMailClaim(rctx, tx, m.ID, m.Claims, o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("release %d mail messages: %w", len(ms), err)
	}
	return nil
}

func (w *Worker) batch() int {
	if w.Batch > 0 {
		return w.Batch
	}
	return DefaultBatch
}

// budget is how long after its claim a pass may start a send.
func (w *Worker) budget() time.Duration { return retry.Budget(w.timeout()) }

// lease is how long a claim keeps a message from other workers: longer
// than the budget plus a send.
func (w *Worker) lease() time.Duration { return retry.Lease(w.timeout()) }

func (w *Worker) timeout() time.Duration { return w.TimeoutOr(DefaultTimeout) }

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.New(slog.DiscardHandler)
}
