package webhook_test

import (
	"context"
	"strconv"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/webhook"
)

// BenchmarkDeliverDue measures one worker draining the outbox to four
// local receivers that answer at once: claims, POSTs and outcome writes.
func BenchmarkDeliverDue(b *testing.B) {
	for _, eng := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(eng.name, func(b *testing.B) {
			d := eng.open(b)
			rc := newReceiver(b, accept)
			ctx := context.Background()
			err := d.Tx(ctx, func(tx *db.Tx) error {
				for i := range b.N {
					if err := webhook.Enqueue(ctx, tx, message(rc.URL+"/"+strconv.Itoa(i%4))); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			w := &webhook.Worker{DB: d}
			b.ResetTimer()
			for sent := 0; sent < b.N; {
				n, err := w.DeliverDue(ctx)
				if err != nil {
					b.Fatal(err)
				}
				sent += n
			}
		})
	}
}
