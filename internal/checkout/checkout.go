// Package checkout holds the rules of the Checkout API: sessions, a
// shopper's selection (cart) and what it costs (prices, vouchers, shipping,
// taxes), the storefront's view of the catalog, and the path from payment
// to order with stock that can never be oversold.
package checkout

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"seam/internal/db"
	"seam/internal/payment"
	"seam/internal/seam"
	"seam/internal/store"
)

// Service runs checkouts.
type Service struct {
	DB *db.DB
	// Payments are the payment providers by name ("test", "stripe").
	Payments map[string]payment.Provider
	// Now is the clock.
	Now func() time.Time
	// ReservationTTL is how long stock stays reserved for a selection in
	// payment before the sweeper releases it.
	ReservationTTL time.Duration
	// IdleAfter is how long a session and a shopper's unpaid selection
	// are kept untouched before the janitor deletes them.
	IdleAfter time.Duration
	// Log gets what fails after the answer is decided (voiding a payment
	// at its provider).
	Log *slog.Logger
	// ProductLinkUsable refuses to pay for a product payment link that
	// cannot sell any more; ProductLinkSold records its sale in the
	// order's transaction (a use-once claim, the after-sale webhook). Both
	// are set by the productlink package's wiring; nil means no product
	// links.
	ProductLinkUsable func(ctx context.Context, q db.Q, linkID int64) error
	ProductLinkSold   func(ctx context.Context, tx *db.Tx, sel store.Selection, o store.Order) error
	// OrderPlaced runs after an order's transaction commits (the
	// fulfilment wiring puts orders of "direct to shipment" stores into a
	// shipment); it reports its own failures, the order stands.
	OrderPlaced func(ctx context.Context, o store.Order)
}

// New returns a Service with defaults.
func New(d *db.DB, providers map[string]payment.Provider) *Service {
	return &Service{DB: d, Payments: providers, Now: time.Now, ReservationTTL: 15 * time.Minute, IdleAfter: 30 * 24 * time.Hour,
		Log: slog.Default()}
}

// Limits of a selection.
const (
	// MaxQuantity is the most of one item a line may hold.
	MaxQuantity = 10_000
	// MaxLines is the most lines a selection may hold.
	MaxLines = 500
)

// newID returns n random bytes as hex: selection ids, line ids, order
// hashes, payment references.
func newID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("checkout: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// invalid is a problem with one field of a checkout request.
func invalid(field, format string, args ...any) error {
	return seam.Invalid(seam.P(field), format, args...)
}

// notFound says what was not found, as seam.ErrNotFound.
func notFound(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), seam.ErrNotFound)
}

// conflict says why the request clashes with the selection's state, as
// seam.ErrConflict.
func conflict(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), seam.ErrConflict)
}

// shopStore is the store the Checkout API sells for: the first direct to
// consumer store.
func shopStore(ctx context.Context, q db.Q) (store.Store, error) {
	stores, err := store.ListStores(ctx, q, store.StoreFilter{Types: []string{store.StoreDirectToConsumer}}, nil, store.Page{Limit: 1})
	if err != nil {
		return store.Store{}, err
	}
	if len(stores) == 0 {
		return store.Store{}, conflict("there is no direct-to-consumer store to sell in; create one (createStore) first")
	}
	return stores[0], nil
}

func gone(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), seam.ErrGone)
}

func isNotFound(err error) bool { return errors.Is(err, seam.ErrNotFound) }

// Janitor releases the stock of payments not finished in time and forgets
// Idempotency-Keys whose lease lapsed (their process died), and every
// hour forgets idle sessions and unpaid selections (IdleAfter, 30 days by
// default), code attempts older than an hour and idempotency keys (24
// hours), until ctx is done.
func (s *Service) Janitor(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	lastCleanup := time.Time{}
	for {
		if n, err := s.SweepReservations(ctx); err != nil {
			log.Error("release expired reservations", "err", err)
		} else if n > 0 {
			log.Info("released stock of unfinished payments", "selections", n)
		}
		// Keys whose request's process died: their lease lapsed.
		var lapsed int64
		err := s.DB.Tx(ctx, func(tx *db.Tx) error {
			var err error
			lapsed, err = store.DeleteLapsedIdempotencyKeys(ctx, tx, s.Now())
			return err
		})
		if err != nil && ctx.Err() == nil {
			log.Error("forget lapsed idempotency keys", "err", err)
		} else if lapsed > 0 {
			log.Info("forgot Idempotency-Keys whose request's process died", "keys", lapsed)
		}
		if time.Since(lastCleanup) > time.Hour {
			lastCleanup = time.Now()
			sessions, selections, err := s.SweepIdle(ctx)
			if err == nil {
				err = s.DB.Tx(ctx, func(tx *db.Tx) error {
					if _, err := store.DeleteOldIdempotencyKeys(ctx, tx, s.Now().Add(-24*time.Hour)); err != nil {
						return err
					}
					return store.PruneCodeAttempts(ctx, tx, s.Now().Add(-time.Hour).UnixMilli())
				})
			}
			if err != nil && ctx.Err() == nil {
				log.Error("clean up sessions and idempotency keys", "err", err)
			} else if sessions+selections > 0 {
				log.Info("deleted idle sessions and unpaid selections", "sessions", sessions, "selections", selections)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SweepIdle deletes the sessions and the shoppers' unpaid selections that
// nobody touched for IdleAfter, and says how many of each went. A
// selection a live session still works on stays, as do operators'
// selections and those in payment.
func (s *Service) SweepIdle(ctx context.Context) (sessions, selections int64, err error) {
	before := s.Now().Add(-s.IdleAfter)
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if sessions, err = store.DeleteIdleSessions(ctx, tx, before); err != nil {
			return err
		}
		selections, err = store.DeleteIdleSelections(ctx, tx, before)
		return err
	})
	return sessions, selections, seam.Wrap(err, "sweep idle sessions")
}

// TestKey returns the key that signs the test provider's fields, made once
// per database so that every process shares it.
func TestKey(ctx context.Context, d *db.DB) ([]byte, error) {
	var key string
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := store.ClaimSetting(ctx, tx, "payment_test_key", newID(32)); err != nil {
			return err
		}
		var err error
		key, err = store.Setting(ctx, tx, "payment_test_key")
		return err
	})
	return []byte(key), err
}
