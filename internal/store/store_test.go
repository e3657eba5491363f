package store_test

import (
	"context"
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
			err := d.Tx(ctx, func(tx *db.Tx) error {
				var err error
				ok, err = store.TakeFromBucket(ctx, tx, tok.ID, "REQUEST_COUNT", 10, 2, cost, now)
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
