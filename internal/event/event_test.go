package event_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/event"
	"seam/internal/seam"
	"seam/internal/store"
)

func TestRecordedEventIsReadBackFromTheFeed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		store1, store2 := int64(1), int64(2)
		var ids []int64
		err := d.Tx(ctx, func(tx *db.Tx) error {
			ids = nil
			for _, e := range []event.Event{
				{StoreID: &store1, ObjectType: "Order", ObjectID: "9f1c", Action: event.Created, Actor: event.ActorCheckout,
					Payload: map[string]any{"number": 1001, "total": "438.00 SEK"}},
				{StoreID: &store2, ObjectType: "Order", ObjectID: "77aa", Action: event.Created, Actor: "erp", Payload: json.RawMessage(`{"number":1002}`)},
				{ObjectType: "PaymentLink", ObjectID: "15", Action: event.Used, Actor: "checkout"},
			} {
				id, err := event.Record(ctx, tx, e)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		all, err := event.After(ctx, d.Read(), 0, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			ID                                int64
			Type, Object, Action, Actor, JSON string
		}
		var got []row
		for _, e := range all {
			got = append(got, row{e.ID, e.ObjectType, e.ObjectID, e.Action, e.Actor, e.Payload})
		}
		want := []row{
			{ids[0], "Order", "9f1c", "CREATED", "checkout", `{"number":1001,"total":"438.00 SEK"}`},
			{ids[1], "Order", "77aa", "CREATED", "erp", `{"number":1002}`},
			{ids[2], "PaymentLink", "15", "USED", "checkout", `null`},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("feed (-want +got):\n%s", diff)
		}
		// A store's view has its events and those of no store.
		mine, err := event.After(ctx, d.Read(), 0, &store2, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) != 2 || mine[0].ID != ids[1] || mine[1].ID != ids[2] {
			t.Fatalf("store 2's feed = %+v, want events %d and %d", mine, ids[1], ids[2])
		}
		// The cursor skips what was read.
		rest, err := event.After(ctx, d.Read(), ids[1], nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(rest) != 1 || rest[0].ID != ids[2] {
			t.Fatalf("after %d: %+v, want only %d", ids[1], rest, ids[2])
		}
	})
}

func TestEventOfARolledBackChangeIsNotInTheFeed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		errRollback := errors.New("the change failed")
		err := d.Tx(ctx, func(tx *db.Tx) error {
			if _, err := event.Record(ctx, tx, event.Event{ObjectType: "Order", ObjectID: "1", Action: event.Created, Actor: "admin"}); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM event`); n != 0 {
			t.Fatalf("%d events of a rolled-back change", n)
		}
	})
}

func TestRecordRefusesAnEventWithoutWhatOrWho(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, e := range []event.Event{
			{ObjectID: "1", Action: event.Created, Actor: "admin"},
			{ObjectType: "Order", Action: event.Created, Actor: "admin"},
			{ObjectType: "Order", ObjectID: "1", Actor: "admin"},
			{ObjectType: "Order", ObjectID: "1", Action: event.Created},
			{ObjectType: "Order", ObjectID: "1", Action: event.Created, Actor: "admin", Payload: func() {}},
		} {
			err := d.Tx(ctx, func(tx *db.Tx) error {
				_, err := event.Record(ctx, tx, e)
				return err
			})
			if err == nil {
				t.Errorf("Record(%+v) succeeded", e)
			}
		}
		if _, err := event.After(ctx, d.Read(), 0, nil, 5000); !errors.Is(err, seam.ErrInvalid) {
			t.Errorf("limit 5000: err = %v, want an input error", err)
		}
	})
}

// TestFeedReaderMissesNoEventCommittedOutOfOrder has many transactions
// record events and linger before committing while a reader follows the
// feed by its cursor. If ids were not drawn in commit order, the reader
// would pass an id whose transaction had not committed yet and never see
// it.
func TestFeedReaderMissesNoEventCommittedOutOfOrder(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const writers, each = 20, 5
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					err := d.Tx(ctx, func(tx *db.Tx) error {
						_, err := event.Record(ctx, tx, event.Event{ObjectType: "Order", ObjectID: "w", Action: event.Updated, Actor: "erp",
							Payload: []int{w, i}})
						if err != nil {
							return err
						}
						time.Sleep(time.Duration(rand.N(3000)) * time.Microsecond)
						return nil
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		done := make(chan struct{})
		go func() {
			wg.Wait()
			close(done)
		}()
		var seen []int64
		var cursor int64
		read := func() {
			evs, err := event.After(ctx, d.Read(), cursor, nil, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				seen = append(seen, e.ID)
				cursor = e.ID
			}
		}
		for following := true; following; {
			select {
			case <-done:
				following = false
			default:
				read()
			}
		}
		read()
		var all []int64
		for _, e := range mustAll(t, d) {
			all = append(all, e.ID)
		}
		if len(all) != writers*each {
			t.Fatalf("%d events stored, want %d", len(all), writers*each)
		}
		if diff := cmp.Diff(all, seen); diff != "" {
			t.Fatalf("the reader following the feed missed events (-stored +seen):\n%s", diff)
		}
	})
}

func mustAll(t *testing.T, d *db.DB) []store.Event {
	t.Helper()
	evs, err := event.After(context.Background(), d.Read(), 0, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}
