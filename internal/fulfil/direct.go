package fulfil

import (
	"context"
	"fmt"

	"seam/internal/checkout"
	"seam/internal/event"
	"seam/internal/seam"
	"seam/internal/store"
)

// ShipDirect puts a CONFIRMED order of a store set to "direct to shipment"
// into one good-to-go shipment of every unit not in a shipment yet, and
// returns its id; for other orders it does nothing and returns 0. The
// shipment is not paid: the ERP captures it (captureShipment) before it
// completes.
func (s *Service) ShipDirect(ctx context.Context, actor seam.Actor, orderID int64) (int64, error) {
	q := s.DB.Read()
	o, err := store.GetOrder(ctx, q, orderID)
	if err != nil {
		return 0, fmt.Errorf("direct to shipment: order %d: %w", orderID, err)
	}
	st, err := store.GetStore(ctx, q, o.StoreID)
	if err != nil {
		return 0, fmt.Errorf("direct to shipment: store of order %d: %w", o.Number, err)
	}
	if !st.DirectToShipment || o.Status != store.OrderConfirmed {
		return 0, nil
	}
	lines, err := store.OrderLinesByOrderIDs(ctx, q, []int64{o.ID})
	if err != nil {
		return 0, fmt.Errorf("direct to shipment: lines of order %d: %w", o.Number, err)
	}
	goodToGo := true
	in := CreateInput{Order: &OrderRef{ID: &o.Hash}, IsGoodToGo: &goodToGo}
	for _, l := range lines {
		if left := l.Quantity - l.ShippedQuantity; left > 0 {
			in.Lines = append(in.Lines, LineInput{OrderLine: seam.ByID(l.ID), Quantity: left})
		}
	}
	if len(in.Lines) == 0 {
		return 0, nil
	}
	return s.Create(ctx, actor, in)
}

// WireDirectToShipment makes svc put new orders of "direct to shipment"
// stores into a shipment once they are placed (and confirmed by the
// store's autoconfirm setting), and finish gift certificate orders
// (capture, then the code by e-mail: PayGift). A failure is logged: the
// order stands and the ERP can ship or capture it by hand.
func WireDirectToShipment(svc *checkout.Service, f *Service) {
	svc.OrderPlaced = func(ctx context.Context, o store.Order) {
		if _, err := store.OrderGiftOf(ctx, f.DB.Read(), o.ID); err == nil {
			if err := f.PayGift(ctx, svc, o); err != nil && f.Log != nil {
				f.Log.ErrorContext(ctx, "gift certificate order not paid; no code was sent", "order", o.Number, "err", err)
			}
			return
		}
		if _, err := f.ShipDirect(ctx, seam.Actor{Name: event.ActorCheckout}, o.ID); err != nil && f.Log != nil {
			f.Log.ErrorContext(ctx, "direct to shipment failed; the order waits for a shipment", "order", o.Number, "err", err)
		}
	}
}
