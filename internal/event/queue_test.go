package event_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/event"
	"seam/internal/seam"
	"seam/internal/store"
)

func record(t *testing.T, d *db.DB, evs ...event.Event) []int64 {
	t.Helper()
	var ids []int64
	err := d.Tx(context.Background(), func(tx *db.Tx) error {
		ids = nil
		for _, e := range evs {
			id, err := event.Record(context.Background(), tx, e)
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
	return ids
}

type queued struct {
	ID           int64
	Type, Change string
}

func queue(t *testing.T, d *db.DB, a seam.Actor, f event.Filter) []queued {
	t.Helper()
	evs, err := event.Queue(context.Background(), d.Read(), a, f, event.DefaultFeedLimit)
	if err != nil {
		t.Fatal(err)
	}
	var out []queued
	for _, e := range evs {
		out = append(out, queued{e.ID, e.ObjectType, e.ChangeType})
	}
	return out
}

func TestQueueKeepsListenedChangeTypesPerIntegration(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		erp, wms := seam.Actor{Name: "erp"}, seam.Actor{Name: "wms"}
		if _, err := event.SetListeners(ctx, d, erp, []event.Listener{{ObjectType: "PaymentLink", ChangeTypes: []string{event.Updated}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := event.SetListeners(ctx, d, wms, []event.Listener{{ObjectType: "PaymentLink", ChangeTypes: []string{event.Created}}}); err != nil {
			t.Fatal(err)
		}
		ids := record(t, d,
			event.Event{ObjectType: "PaymentLink", ObjectID: "1", Action: event.Created, Actor: "erp"},
			event.Event{ObjectType: "PaymentLink", ObjectID: "1", Action: event.Used, Actor: "checkout"},
			event.Event{ObjectType: "Product", ObjectID: "1", Action: event.Created, Actor: "erp"},
		)
		// USED is not a change type of the API: it is an update.
		if diff := cmp.Diff([]queued{{ids[1], "PaymentLink", event.Updated}}, queue(t, d, erp, event.Filter{})); diff != "" {
			t.Errorf("erp (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]queued{{ids[0], "PaymentLink", event.Created}}, queue(t, d, wms, event.Filter{})); diff != "" {
			t.Errorf("wms (-want +got):\n%s", diff)
		}
		// Unsetting a type never listened for, or an unknown change type.
		if _, err := event.UnsetListeners(ctx, d, erp, []event.Listener{{ObjectType: "Order"}}); err != nil {
			t.Errorf("unset of no listener: %v", err)
		}
		_, err := event.SetListeners(ctx, d, erp, []event.Listener{{ObjectType: "Order", ChangeTypes: []string{"SHIPPED"}}})
		if ue, ok := seam.AsUserErrors(err); !ok || ue[0].Path.String() != "input.0.changeTypes.0" {
			t.Errorf("unknown change type: %v", err)
		}
		if _, err := event.Queue(ctx, d.Read(), erp, event.Filter{}, 0); !errors.Is(err, seam.ErrInvalid) {
			t.Errorf("limit 0: %v", err)
		}
	})
}

func TestStoreRestrictedTokenSeesAndConfirmsOnlyItsStore(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		one, two := int64(1), int64(2)
		all, shop1 := seam.Actor{Name: "erp"}, seam.Actor{Name: "erp", StoreID: &one}
		if _, err := event.SetListeners(ctx, d, all, []event.Listener{{ObjectType: "Pricelist"}}); err != nil {
			t.Fatal(err)
		}
		ids := record(t, d,
			event.Event{StoreID: &one, ObjectType: "Pricelist", ObjectID: "1", Action: event.Created, Actor: "erp"},
			event.Event{StoreID: &two, ObjectType: "Pricelist", ObjectID: "2", Action: event.Created, Actor: "erp"},
			event.Event{ObjectType: "Pricelist", ObjectID: "3", Action: event.Updated, Actor: "erp"},
		)
		if got := queue(t, d, shop1, event.Filter{}); len(got) != 1 || got[0].ID != ids[0] {
			t.Errorf("store 1's token sees %v, want only event %d", got, ids[0])
		}
		if got := queue(t, d, shop1, event.Filter{StoreIDs: []int64{2}}); len(got) != 0 {
			t.Errorf("store 1's token asking for store 2 sees %v", got)
		}
		done, warnings, err := event.Confirm(ctx, d, shop1, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(done) != 2 || done[0].ID != ids[0] || done[1].ID != ids[2] || len(warnings) != 1 {
			t.Errorf("confirmed %v with warnings %v; want events %d and %d and a warning about %d", done, warnings, ids[0], ids[2], ids[1])
		}
		if got := queue(t, d, all, event.Filter{}); len(got) != 1 || got[0].ID != ids[1] {
			t.Errorf("after store 1's confirmation the queue is %v, want store 2's event %d", got, ids[1])
		}
		// Confirmed events stay in the feed itself.
		if evs, err := store.EventsByIDs(ctx, d.Read(), ids); err != nil || len(evs) != 3 {
			t.Errorf("feed: %v, %v", evs, err)
		}
	})
}

// TestConcurrentSetListenersMergeTheirChangeTypes has several tokens of one
// integration add change types to the same new listener at once: none of
// them may be lost.
func TestConcurrentSetListenersMergeTheirChangeTypes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		erp := seam.Actor{Name: "erp"}
		want := []string{event.Created, event.Updated, event.Completed, event.Deleted}
		var wg sync.WaitGroup
		for _, c := range want {
			wg.Go(func() {
				if _, err := event.SetListeners(ctx, d, erp, []event.Listener{{ObjectType: "Order", ChangeTypes: []string{c}}}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		ls, err := event.Listeners(ctx, d.Read(), erp, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != 1 || !cmp.Equal(ls[0].ChangeTypes, want) {
			t.Errorf("listeners %+v, want one of Order with %v", ls, want)
		}
	})
}
