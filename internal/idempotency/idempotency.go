// Package idempotency keeps the claims of requests sent with an
// Idempotency-Key, for both APIs: a claim holds a lease that is renewed
// while its request runs, so that a key whose process died runs again once
// the lease lapses instead of answering "still running" for a day.
package idempotency

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"seam/internal/db"
	"seam/internal/store"
)

// DefaultLease is how long a claim holds without renewal.
const DefaultLease = 60 * time.Second

// HoldHeader is the request header that makes a claimed request wait for
// Keeper.TestHold (crash tests only; TestHold is nil in production).
const HoldHeader = "Seam-Test-Hold"

// Keeper claims, renews and finishes Idempotency-Keys.
type Keeper struct {
	DB *db.DB
	// Lease is how long a claim lasts without renewal; it is renewed every
	// third of it while the request runs. Zero means DefaultLease.
	Lease time.Duration
	Log   *slog.Logger
	// TestHold, when set, is called after a claim by requests that carry
	// HoldHeader, so that a test can kill the process mid-request.
	TestHold func(ctx context.Context)
}

func (k *Keeper) lease() time.Duration {
	if k == nil || k.Lease <= 0 {
		return DefaultLease
	}
	return k.Lease
}

// Claim is a running request's hold on its key.
type Claim struct {
	k              *Keeper
	scope, key, id string
	stop           context.CancelFunc
	renewing       chan struct{}
}

// Claim claims key under scope for a request whose body hashes to hash.
// When the key is in use or was used, it returns a nil Claim and what is
// stored. A claimed key is renewed until Finish or Forget.
func (k *Keeper) Claim(ctx context.Context, scope, key, hash string) (*Claim, store.IdempotentResponse, error) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	c := &Claim{k: k, scope: scope, key: key, id: hex.EncodeToString(b)}
	var claimed bool
	var stored store.IdempotentResponse
	err := k.DB.Tx(ctx, func(tx *db.Tx) error {
		now := time.Now()
		var err error
		claimed, stored, err = store.ClaimIdempotencyKey(ctx, tx, scope, key, hash, c.id, now, now.Add(k.lease()))
		return err
	})
	if err != nil || !claimed {
		return nil, stored, err
	}
	rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	c.stop, c.renewing = stop, make(chan struct{})
	go c.renew(rctx)
	return c, stored, nil
}

// renew extends the lease every third of it until stopped.
func (c *Claim) renew(ctx context.Context) {
	defer close(c.renewing)
	every := c.k.lease() / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := c.k.DB.Tx(ctx, func(tx *db.Tx) error {
			_, err := store.RenewIdempotencyKey(ctx, tx, c.scope, c.key, c.id, time.Now().Add(c.k.lease()))
			return err
		})
		if err != nil && ctx.Err() == nil && c.k.Log != nil {
			c.k.Log.WarnContext(ctx, "renewing an Idempotency-Key's lease failed", "err", err)
		}
	}
}

func (c *Claim) end() {
	c.stop()
	<-c.renewing
}

// Finish keeps the answer for replay and ends the claim.
func (c *Claim) Finish(ctx context.Context, status int, body string) error {
	c.end()
	ctx = context.WithoutCancel(ctx)
	return c.k.DB.Tx(ctx, func(tx *db.Tx) error {
		return store.FinishIdempotencyKey(ctx, tx, c.scope, c.key, c.id, status, body)
	})
}

// Forget drops the key (the request failed on our side), so that a retry
// runs it.
func (c *Claim) Forget(ctx context.Context) error {
	c.end()
	ctx = context.WithoutCancel(ctx)
	return c.k.DB.Tx(ctx, func(tx *db.Tx) error {
		return store.ForgetIdempotencyKey(ctx, tx, c.scope, c.key, c.id)
	})
}

// Hold calls TestHold when it is set and the request asked for it.
func (k *Keeper) Hold(ctx context.Context, asked bool) {
	if k != nil && k.TestHold != nil && asked {
		k.TestHold(ctx)
	}
}
