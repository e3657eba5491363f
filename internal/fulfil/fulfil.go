// Package fulfil holds what happens to an order after it is confirmed:
// shipments of its lines (created, marked paid or good to go, completed
// when they leave the warehouse), captures of the authorized payment for a
// shipment or the whole order, and returns of shipped units back to stock.
// The order becomes PROCESSING with its first shipment and SHIPPED when
// every unit is in a completed, paid shipment.
package fulfil

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/order"
	"seam/internal/payment"
	"seam/internal/seam"
	"seam/internal/store"
)

// Service runs fulfilment against a database and the payment providers
// that authorized its orders.
type Service struct {
	DB *db.DB
	// Payments are the payment providers by name ("test", "stripe").
	Payments map[string]payment.Provider
	// Now is the clock.
	Now func() time.Time
	Log *slog.Logger
}

// New returns a service with the real clock.
func New(d *db.DB, providers map[string]payment.Provider, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{DB: d, Payments: providers, Now: time.Now, Log: log}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return db.Now()
	}
	return db.Time(s.Now())
}

// OrderRef points at an order by exactly one of its id (32 hex digits),
// number or external id: the OrderInput of order processing.
type OrderRef = order.Ref

// findOrder loads and locks the order a reference names.
func findOrder(ctx context.Context, tx *db.Tx, actor seam.Actor, ref *OrderRef, path seam.Path) (store.Order, error) {
	if ref == nil {
		return store.Order{}, seam.Invalid(path, "Give the order's id, number or externalId (one of them).")
	}
	o, err := order.Find(ctx, tx, actor, *ref, path)
	if err != nil {
		return o, err
	}
	return lockOrder(ctx, tx, actor, o.ID, path)
}

// lockOrder locks an order's row for the transaction and loads it, within
// the actor's store.
func lockOrder(ctx context.Context, tx *db.Tx, actor seam.Actor, id int64, path seam.Path) (store.Order, error) {
	if _, err := db.Lock(ctx, tx, "orders", id); err != nil {
		return store.Order{}, err
	}
	o, err := store.GetOrder(ctx, tx, id)
	if err != nil {
		return o, err
	}
	if !actor.MayUseStore(o.StoreID) {
		return o, actor.StoreError(path, fmt.Sprintf("order %d", o.Number), o.StoreID)
	}
	return o, nil
}

// findShipment loads and locks a shipment and its order.
func findShipment(ctx context.Context, tx *db.Tx, actor seam.Actor, id int64, path seam.Path) (store.Shipment, store.Order, error) {
	sh, err := store.GetShipment(ctx, tx, id)
	if errors.Is(err, seam.ErrNotFound) {
		return sh, store.Order{}, seam.Invalid(path, "Could not find Shipment with ID %d.", id)
	}
	if err != nil {
		return sh, store.Order{}, err
	}
	o, err := lockOrder(ctx, tx, actor, sh.OrderID, path)
	if err != nil {
		return sh, o, err
	}
	sh, err = store.GetShipment(ctx, tx, id)
	return sh, o, err
}

// settle moves an order to SHIPPED when every unit of it is in a shipment
// and every shipment is completed and paid, recording the change.
func settle(ctx context.Context, tx *db.Tx, actor seam.Actor, o *store.Order, now time.Time) error {
	if o.Status != store.OrderProcessing && o.Status != store.OrderConfirmed {
		return nil
	}
	lines, err := store.OrderLinesByOrderIDs(ctx, tx, []int64{o.ID})
	if err != nil {
		return err
	}
	shipped, err := store.ShipmentQuantities(ctx, tx, o.ID)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if shipped[l.ID] < l.Quantity {
			return nil
		}
	}
	shipments, err := store.ShipmentsOfOrders(ctx, tx, []int64{o.ID})
	if err != nil || len(shipments) == 0 {
		return err
	}
	for _, sh := range shipments {
		if sh.CompletedAt == nil || !sh.IsPaid {
			return nil
		}
	}
	return setStatus(ctx, tx, actor, o, []string{store.OrderConfirmed, store.OrderProcessing}, store.OrderShipped, now)
}

// setStatus moves an order between statuses and records it.
func setStatus(ctx context.Context, tx *db.Tx, actor seam.Actor, o *store.Order, from []string, to string, now time.Time) error {
	if o.Status == to || !slices.Contains(from, o.Status) {
		return nil
	}
	ok, err := store.SetOrderStatus(ctx, tx, o.ID, from, to, now)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("order %d changed meanwhile: %w", o.Number, seam.ErrConflict)
	}
	o.Status = to
	// An order that ships is completed (Centra's COMPLETED), as order.Move
	// records it.
	action := event.Updated
	if to == store.OrderShipped {
		action = event.Completed
	}
	_, err = event.Record(ctx, tx, event.Event{StoreID: &o.StoreID, MarketID: &o.MarketID, ObjectType: "Order", ObjectID: o.Hash, Action: action, Actor: actor.Name,
		Payload: map[string]any{"number": o.Number, "status": to}})
	return err
}

// record records a change to a shipment.
func recordShipment(ctx context.Context, tx *db.Tx, actor seam.Actor, o store.Order, sh store.Shipment, action string) error {
	_, err := event.Record(ctx, tx, event.Event{StoreID: &o.StoreID, MarketID: &o.MarketID, ObjectType: "Shipment", ObjectID: fmt.Sprint(sh.ID), Action: action,
		Actor: actor.Name, Payload: map[string]any{"number": sh.Number, "order": o.Hash, "isPaid": sh.IsPaid, "isGoodToGo": sh.IsGoodToGo,
			"isShipped": sh.CompletedAt != nil}})
	return err
}
