package store_test

import (
	"context"
	"errors"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/store"
)

func TestRateBucketRefusesPastQuotaAndDrains(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		tok := store.Token{Name: "t", Hash: "h", Hint: "xxxx", Permissions: "*", CreatedAt: db.Now()}
		if err := d.Tx(ctx, func(tx *db.Tx) error { return store.InsertToken(ctx, tx, &tok) }); err != nil {
			t.Fatal(err)
		}
		take := func(cost, now int64) bool {
			var ok bool
			err := d.ScratchTx(ctx, func(tx *db.Tx) error {
				var err error
				ok, err = store.TakeFromBuckets(ctx, tx, tok.ID, []store.Charge{{Kind: "REQUEST_COUNT", IntervalS: 10, Quota: 2, Cost: cost}}, now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		// Quota 2 per 10 s, costs in thousandths.
		if !take(1000, 1000) || !take(1000, 1000) {
			t.Fatal("first two requests refused")
		}
		if take(1000, 1000) {
			t.Fatal("third request in the same instant allowed")
		}
		// After 5 s one unit has drained.
		if !take(1000, 6000) {
			t.Fatal("request after half the interval refused")
		}
		if take(1000, 6000) {
			t.Fatal("second request after half the interval allowed")
		}
		// A whole interval later the bucket is empty again.
		if !take(2000, 17000) {
			t.Fatal("full-quota request after a whole interval refused")
		}
		if take(3000, 100000) {
			t.Fatal("a cost above the quota was allowed")
		}
	})
}

func TestRateBucketsAreChargedAllOrNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		tok := store.Token{Name: "t", Hash: "h", Hint: "xxxx", Permissions: "*", CreatedAt: db.Now()}
		if err := d.Tx(ctx, func(tx *db.Tx) error { return store.InsertToken(ctx, tx, &tok) }); err != nil {
			t.Fatal(err)
		}
		charges := []store.Charge{{Kind: "REQUEST_COUNT", IntervalS: 10, Quota: 5, Cost: 1000}, {Kind: "MUTATION_COUNT", IntervalS: 10, Quota: 1, Cost: 1000}}
		take := func() bool {
			var ok bool
			if err := d.ScratchTx(ctx, func(tx *db.Tx) error {
				var err error
				if ok, err = store.TakeFromBuckets(ctx, tx, tok.ID, charges, 1000); err == nil && !ok {
					return errRollback
				}
				return err
			}); err != nil && err != errRollback {
				t.Fatal(err)
			}
			return ok
		}
		if !take() {
			t.Fatal("first charge refused")
		}
		if take() {
			t.Fatal("second charge allowed although the mutation bucket holds 1")
		}
		buckets, err := store.Buckets(ctx, d.Scratch(), tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range buckets {
			if b.Used != 1000 {
				t.Errorf("bucket %s used %d after a refused charge; want 1000 (only the first charge)", b.Kind, b.Used)
			}
		}
	})
}

var errRollback = errors.New("rollback")
