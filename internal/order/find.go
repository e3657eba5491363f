package order

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/mutant"
	"seam/internal/seam"
	"seam/internal/store"
)

// Ref points at an order by exactly one of its id (the 32-hex hash), its
// number or the caller's external id: the Integration API's OrderInput.
type Ref struct {
	ID         *string
	Number     *int64
	ExternalID *string
}

// String describes the reference for messages.
func (r Ref) String() string {
	switch {
	case r.ID != nil:
		return fmt.Sprintf("id %q", *r.ID)
	case r.Number != nil:
		return fmt.Sprintf("number %d", *r.Number)
	case r.ExternalID != nil:
		return fmt.Sprintf("external ID %q", *r.ExternalID)
	}
	return "no identifier"
}

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Find loads the order ref points at, as actor may see it. A reference with
// no field or more than one, or to an order that does not exist or belongs
// to another store than the actor's, is a UserError on path.
func Find(ctx context.Context, q db.Q, actor seam.Actor, ref Ref, path seam.Path) (store.Order, error) {
	n := 0
	for _, set := range []bool{ref.ID != nil, ref.Number != nil, ref.ExternalID != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return store.Order{}, seam.Invalid(path, "Exactly one input field should be provided (id, number or externalId), got %d.", n)
	}
	var o store.Order
	var err error
	switch {
	case ref.ID != nil:
		o, err = FindByAnyID(ctx, q, actor, *ref.ID)
	case ref.Number != nil:
		o, err = store.OrderByNumber(ctx, q, *ref.Number)
	default:
		var id int64
		id, err = store.ExternalToInternal(ctx, q, actor.Name, "Order", *ref.ExternalID)
		if err == nil {
			o, err = store.GetOrder(ctx, q, id)
		}
	}
	if errors.Is(err, seam.ErrNotFound) || (err == nil && !actor.MayUseStore(o.StoreID)) {
		return store.Order{}, seam.Invalid(path, "Could not find Order with %s.", ref)
	}
	return o, err
}

// FindByAnyID loads an order by the one string the order(id:) query takes:
// its 32-hex id, its number, or the caller's external id, tried in that
// order.
func FindByAnyID(ctx context.Context, q db.Q, actor seam.Actor, id string) (store.Order, error) {
	if hexID.MatchString(id) {
		o, err := store.OrderByHash(ctx, q, id)
		if !errors.Is(err, seam.ErrNotFound) {
			return o, err
		}
	}
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		o, err := store.OrderByNumber(ctx, q, n)
		if !errors.Is(err, seam.ErrNotFound) {
			return o, err
		}
	}
	internal, err := store.ExternalToInternal(ctx, q, actor.Name, "Order", id)
	if err != nil {
		return store.Order{}, err
	}
	return store.GetOrder(ctx, q, internal)
}

// Writable refuses a change to a locked order by anyone but an Integration
// API token: locking hands the order to the integration that locked it.
func Writable(o store.Order, actor seam.Actor, path seam.Path) error {
	if o.IsLocked && actor.TokenID == 0 {
		return seam.Invalid(path, "Order %d is locked: only the Integration API may change it. Unlock it first (setOrdersLock with isLocked: false).", o.Number)
	}
	return nil
}

// transitions are the status changes an order may make: confirmed, put in
// a shipment, shipped, archived, or cancelled before it ships.
var transitions = map[string][]string{
	store.OrderPending:    {store.OrderConfirmed, store.OrderCancelled},
	store.OrderConfirmed:  {store.OrderProcessing, store.OrderShipped, store.OrderCancelled},
	store.OrderProcessing: {store.OrderShipped, store.OrderConfirmed},
	store.OrderShipped:    {store.OrderArchived, store.OrderProcessing},
}

// CanMove reports whether an order may go from one status to another.
func CanMove(from, to string) bool { return slices.Contains(transitions[from], to) }

// Move changes the status of a locked (db.Lock) order inside tx, if the
// transition is allowed, and records the event. Fulfilment calls it when a
// shipment is created (PROCESSING) and when the last one completes
// (SHIPPED).
func Move(ctx context.Context, tx *db.Tx, actor seam.Actor, o *store.Order, to string, path seam.Path) error {
	if !CanMove(o.Status, to) {
		return seam.Invalid(path, "Order %d is %s and cannot become %s.", o.Number, o.Status, to)
	}
	now := db.Now()
	ok, err := store.SetOrderStatus(ctx, tx, o.ID, []string{o.Status}, to, now)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("order %d changed while it became %s: %w", o.Number, to, seam.ErrConflict)
	}
	action := event.Updated
	if to == store.OrderShipped {
		action = event.Completed
	}
	o.Status, o.UpdatedAt = to, now
	_, err = event.Record(ctx, tx, event.Event{StoreID: &o.StoreID, MarketID: &o.MarketID, ObjectType: "Order", ObjectID: o.Hash, Action: action, Actor: actor.Name,
		Payload: map[string]any{"number": o.Number, "status": to}})
	return err
}

// lockForChange locks the order's row for the rest of tx, loads it again and
// checks that actor may change it.
func lockForChange(ctx context.Context, tx *db.Tx, actor seam.Actor, ref Ref, path seam.Path) (store.Order, error) {
	o, err := Find(ctx, tx, actor, ref, path)
	if err != nil {
		return o, err
	}
	if _, err := db.Lock(ctx, tx, "orders", o.ID); err != nil {
		return o, err
	}
	if o, err = store.GetOrder(ctx, tx, o.ID); err != nil {
		return o, err
	}
	return o, Writable(o, actor, path)
}

// Confirm moves a PENDING order to CONFIRMED. A confirmed order is ready
// for shipments; any other status is refused with the reason.
func Confirm(ctx context.Context, d *db.DB, actor seam.Actor, ref Ref) (store.Order, error) {
	var o store.Order
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		path := seam.P("input", "order")
		if o, err = lockForChange(ctx, tx, actor, ref, path); err != nil {
			return err
		}
		if o.Status == store.OrderConfirmed {
			return seam.Invalid(path, "Order %d is confirmed already.", o.Number)
		}
		if o.Status != store.OrderPending {
			return seam.Invalid(path, "Order %d is %s: only PENDING orders can be confirmed.", o.Number, o.Status)
		}
		if mutant.On("confirm-keeps-pending") {
			return nil
		}
		return Move(ctx, tx, actor, &o, store.OrderConfirmed, path)
	})
	return o, seam.Wrap(err, "confirm order")
}

// SetLocked locks or unlocks orders, all or none. Only Integration API
// tokens lock orders, and a locked order is then theirs alone to change.
func SetLocked(ctx context.Context, d *db.DB, actor seam.Actor, refs []Ref, locked bool) ([]store.Order, error) {
	var out []store.Order
	err := d.Tx(ctx, func(tx *db.Tx) error {
		out = out[:0]
		var p seam.Problems
		seen := map[int64]bool{}
		for i, ref := range refs {
			path := seam.P("input", "orders").Index(i)
			o, err := lockForChange(ctx, tx, actor, ref, path)
			if p.Merge(err) {
				continue
			} else if err != nil {
				return err
			}
			if seen[o.ID] {
				continue
			}
			seen[o.ID] = true
			out = append(out, o)
		}
		if len(refs) == 0 {
			p.Add(seam.P("input", "orders"), "Name at least one order.")
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := db.Now()
		for i := range out {
			o := &out[i]
			if o.IsLocked == locked {
				continue
			}
			if err := store.SetOrderLocked(ctx, tx, o.ID, locked, now); err != nil {
				return err
			}
			o.IsLocked, o.UpdatedAt = locked, now
			if _, err := event.Record(ctx, tx, event.Event{StoreID: &o.StoreID, MarketID: &o.MarketID, ObjectType: "Order", ObjectID: o.Hash, Action: event.Updated,
				Actor: actor.Name, Payload: map[string]any{"number": o.Number, "isLocked": locked}}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, seam.Wrap(err, "lock orders")
}
