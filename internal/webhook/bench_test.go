package webhook_test

import (
	"context"
	"strconv"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/event"
	"seam/internal/webhook"
)

// BenchmarkDeliverDue measures one worker draining the outbox to four
// local receivers that answer at once: claims, POSTs and outcome writes.
func BenchmarkDeliverDue(b *testing.B) {
	dbtest.EachBench(b, func(b *testing.B, d *db.DB) {
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
		w := &webhook.Worker{DB: d, AllowPrivate: true}
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

// BenchmarkFeedDelivery measures one feed worker delivering the events
// feed to four subscriptions of a local receiver that answers at once, in
// calls of up to 100 events: ns/op is per event per subscription.
func BenchmarkFeedDelivery(b *testing.B) {
	dbtest.EachBench(b, func(b *testing.B, d *db.DB) {
		rc := newReceiver(b, accept)
		ctx := context.Background()
		const subs = 4
		for i := range subs {
			u := rc.URL + "/" + strconv.Itoa(i)
			if _, _, err := webhook.CreateSubscription(ctx, d, erp, webhook.SubscriptionInput{URL: &u}); err != nil {
				b.Fatal(err)
			}
		}
		events := max(1, b.N/subs)
		err := d.Tx(ctx, func(tx *db.Tx) error {
			for i := range events {
				if _, err := event.Record(ctx, tx, event.Event{ObjectType: "Order", ObjectID: strconv.Itoa(i), Action: event.Updated,
					Actor: "bench", Payload: map[string]int{"n": i}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		w := &webhook.FeedWorker{DB: d, AllowPrivate: true}
		b.ResetTimer()
		for delivered := 0; delivered < events*subs; {
			n, err := w.DeliverDue(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				b.Fatalf("delivered %d of %d events, then nothing", delivered, events*subs)
			}
			delivered += n
		}
	})
}
