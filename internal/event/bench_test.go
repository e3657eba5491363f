package event_test

import (
	"context"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/event"
)

// BenchmarkRecordParallel measures event-writing transactions from many
// goroutines at once: the feed's lock serializes them from Record to
// commit, so this is the feed's ceiling on an engine.
func BenchmarkRecordParallel(b *testing.B) {
	dbtest.EachBench(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				err := d.Tx(ctx, func(tx *db.Tx) error {
					_, err := event.Record(ctx, tx, event.Event{ObjectType: "Order", ObjectID: "1", Action: event.Updated, Actor: "erp",
						Payload: map[string]int{"n": 1}})
					return err
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
