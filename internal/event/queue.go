package event

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/store"
)

// ChangeTypes are the change types an integration can listen for, in the
// order listeners report them. DEPENDENT_DATA_CHANGED is accepted for
// compatibility; Seam records no such events yet.
var ChangeTypes = []string{Created, Updated, Completed, Deleted, "DEPENDENT_DATA_CHANGED"}

// ChangeType is the change type an integration's queue reports an event
// action as: actions outside ChangeTypes (USED, …) are updates.
func ChangeType(action string) string {
	if slices.Contains(ChangeTypes, action) {
		return action
	}
	return Updated
}

// How many events one call of Queue returns: DefaultFeedLimit unless asked
// for another number up to MaxFeedLimit.
const (
	DefaultFeedLimit = 100
	MaxFeedLimit     = 1000
)

// Listener asks for events of one object type: of the listed change types,
// or of all when ChangeTypes is nil.
type Listener struct {
	ObjectType  string
	ChangeTypes []string
}

// SetListeners makes actor's integration listen for the given object types
// from now on. It adds to what the integration already listens for: change
// types merge, and nil change types mean all. Calling it again is harmless.
// It returns the listeners of the given types as they now are.
func SetListeners(ctx context.Context, d *db.DB, actor seam.Actor, in []Listener) ([]store.EventListener, error) {
	if err := checkListeners(in); err != nil {
		return nil, err
	}
	var out []store.EventListener
	err := d.Tx(ctx, func(tx *db.Tx) error {
		out = nil
		now := db.Now()
		for _, l := range in {
			cur := store.EventListener{Integration: actor.Name, ObjectType: l.ObjectType, ChangeTypes: canonical(l.ChangeTypes), CreatedAt: now, UpdatedAt: now}
			added, err := store.AddEventListener(ctx, tx, cur)
			if err != nil {
				return err
			}
			if !added {
				// Merge into the listener there is, locked.
				if cur, err = store.GetEventListener(ctx, tx, actor.Name, l.ObjectType); err != nil {
					return err
				}
				if len(cur.ChangeTypes) == 0 || len(l.ChangeTypes) == 0 {
					cur.ChangeTypes = nil
				} else {
					cur.ChangeTypes = canonical(append(cur.ChangeTypes, l.ChangeTypes...))
				}
				cur.UpdatedAt = now
				if err := store.UpdateEventListener(ctx, tx, cur); err != nil {
					return err
				}
			}
			out = putListener(out, cur)
		}
		return nil
	})
	return shown(out), seam.Wrap(err, fmt.Sprintf("set event listeners of %q", actor.Name))
}

// UnsetListeners stops actor's integration listening for change types of
// object types (all of a type's when ChangeTypes is empty) and drops the
// events of those types and change types from its queue. It returns the
// listeners of the given types that remain.
func UnsetListeners(ctx context.Context, d *db.DB, actor seam.Actor, in []Listener) ([]store.EventListener, error) {
	if err := checkListeners(in); err != nil {
		return nil, err
	}
	var out []store.EventListener
	err := d.Tx(ctx, func(tx *db.Tx) error {
		out = nil
		for _, l := range in {
			if len(l.ChangeTypes) == 0 {
				l.ChangeTypes = nil // all of them
			}
			cur, err := store.GetEventListener(ctx, tx, actor.Name, l.ObjectType)
			if errors.Is(err, seam.ErrNotFound) {
				if err := store.DequeueEventsOfType(ctx, tx, actor.Name, l.ObjectType, l.ChangeTypes); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			have := cur.ChangeTypes
			if len(have) == 0 {
				have = ChangeTypes
			}
			var keep []string
			if l.ChangeTypes != nil {
				for _, c := range have {
					if !slices.Contains(l.ChangeTypes, c) {
						keep = append(keep, c)
					}
				}
			}
			if len(keep) == 0 {
				if err := store.DeleteEventListener(ctx, tx, actor.Name, l.ObjectType); err != nil {
					return err
				}
				out = slices.DeleteFunc(out, func(o store.EventListener) bool { return o.ObjectType == l.ObjectType })
				continue
			}
			cur.ChangeTypes, cur.UpdatedAt = keep, db.Now()
			if err := store.UpdateEventListener(ctx, tx, cur); err != nil {
				return err
			}
			if err := store.DequeueEventsOfType(ctx, tx, actor.Name, l.ObjectType, l.ChangeTypes); err != nil {
				return err
			}
			out = putListener(out, cur)
		}
		return nil
	})
	return shown(out), seam.Wrap(err, fmt.Sprintf("unset event listeners of %q", actor.Name))
}

// Listeners returns what actor's integration listens for; with types set,
// only for those object types.
func Listeners(ctx context.Context, q db.Q, actor seam.Actor, types []string) ([]store.EventListener, error) {
	ls, err := store.EventListeners(ctx, q, actor.Name, types)
	return shown(ls), seam.Wrap(err, fmt.Sprintf("event listeners of %q", actor.Name))
}

// Filter narrows the events Queue returns; nil lists do not filter.
type Filter struct {
	ObjectTypes []string
	ChangeTypes []string
	StoreIDs    []int64
	MarketIDs   []int64
}

// Queue returns the oldest up to limit (1–MaxFeedLimit) events in actor's
// integration's queue, in commit order: events of the types it listens
// for, recorded since it started listening and not yet confirmed. Asking
// again returns the same events until they are confirmed. A token
// restricted to a store sees only that store's events.
func Queue(ctx context.Context, q db.Q, actor seam.Actor, f Filter, limit int) ([]store.QueuedEvent, error) {
	if limit < 1 || limit > MaxFeedLimit {
		return nil, seam.Invalid(seam.P("limit"), "limit must be between 1 and %d, got %d.", MaxFeedLimit, limit)
	}
	stores := f.StoreIDs
	if actor.StoreID != nil {
		stores = []int64{*actor.StoreID}
		if f.StoreIDs != nil && !slices.Contains(f.StoreIDs, *actor.StoreID) {
			stores = []int64{}
		}
	}
	evs, err := store.QueuedEvents(ctx, q, store.QueueFilter{Integration: actor.Name, ObjectTypes: f.ObjectTypes, ChangeTypes: f.ChangeTypes,
		StoreIDs: stores, MarketIDs: f.MarketIDs, Limit: limit})
	return evs, seam.Wrap(err, fmt.Sprintf("events queued for %q", actor.Name))
}

// Confirm takes events out of actor's integration's queue: they are not
// returned again to it (other integrations' queues keep theirs). Ids that
// are not in the queue (confirmed already, never queued, or of a store the
// token may not use) are left alone with a warning. It returns the events
// it confirmed, in id order.
func Confirm(ctx context.Context, d *db.DB, actor seam.Actor, ids []int64) ([]store.Event, []seam.UserError, error) {
	var p seam.Problems
	var out []store.Event
	err := d.Tx(ctx, func(tx *db.Tx) error {
		p.Warnings, out = nil, nil
		evs, err := store.EventsByIDs(ctx, tx, ids)
		if err != nil {
			return err
		}
		byID := map[int64]store.Event{}
		var mine []int64
		for _, e := range evs {
			if e.StoreID == nil || actor.MayUseStore(*e.StoreID) {
				byID[e.ID] = e
				mine = append(mine, e.ID)
			}
		}
		removed, err := store.DequeueEvents(ctx, tx, actor.Name, mine)
		if err != nil {
			return err
		}
		slices.Sort(removed)
		for i, id := range ids {
			if !slices.Contains(removed, id) {
				p.Warn(seam.P("input", "eventsIds").Index(i), "Event %d is not in the queue of integration %q: it was confirmed already or never queued for it.", id, actor.Name)
			}
		}
		for _, id := range removed {
			out = append(out, byID[id])
		}
		return nil
	})
	return out, p.Warnings, seam.Wrap(err, fmt.Sprintf("confirm events of %q", actor.Name))
}

func checkListeners(in []Listener) error {
	var p seam.Problems
	for i, l := range in {
		if l.ObjectType == "" {
			p.Add(seam.P("input").Index(i).Key("objectType"), "objectType must not be empty.")
		}
		for j, c := range l.ChangeTypes {
			if !slices.Contains(ChangeTypes, c) {
				p.Add(seam.P("input").Index(i).Key("changeTypes").Index(j), "Unknown change type %q; use one of %v.", c, ChangeTypes)
			}
		}
	}
	return p.Err()
}

// canonical orders change types as ChangeTypes does, without repeats; an
// empty list stays nil (all).
func canonical(list []string) []string {
	var out []string
	for _, c := range ChangeTypes {
		if slices.Contains(list, c) {
			out = append(out, c)
		}
	}
	return out
}

// putListener replaces the listener of l's type in list, or appends it.
func putListener(list []store.EventListener, l store.EventListener) []store.EventListener {
	for i := range list {
		if list[i].ObjectType == l.ObjectType {
			list[i] = l
			return list
		}
	}
	return append(list, l)
}

// shown lists every change type of listeners of all change types, as the
// API shows them.
func shown(ls []store.EventListener) []store.EventListener {
	for i := range ls {
		if len(ls[i].ChangeTypes) == 0 {
			ls[i].ChangeTypes = slices.Clone(ChangeTypes)
		}
	}
	return ls
}
