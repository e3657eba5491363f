package fulfil

import (
	"context"
	"errors"
	"fmt"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/seam"
	"seam/internal/store"
)

// PayGift finishes a gift certificate order as seed 004 describes
// ("finalised" means paid): it captures the order's authorization, then
// has svc issue and e-mail the code and complete the shipment. When the
// capture fails the order stays open, no code is sent, and the FAILED
// capture is in the order's payment history; the error says why. An order
// that credit paid in full has nothing to capture.
func (s *Service) PayGift(ctx context.Context, svc *checkout.Service, o store.Order) error {
	actor := seam.Actor{Name: event.ActorCheckout}
	_, err := store.AuthorizationOf(ctx, s.DB.Read(), o.ID)
	switch {
	case errors.Is(err, seam.ErrNotFound):
		err = s.DB.Tx(ctx, func(tx *db.Tx) error {
			shipments, err := store.ShipmentsOfOrders(ctx, tx, []int64{o.ID})
			if err != nil {
				return err
			}
			for _, sh := range shipments {
				if !sh.IsPaid {
					if err := store.MarkShipmentPaid(ctx, tx, sh.ID, s.now()); err != nil {
						return err
					}
				}
			}
			return nil
		})
	case err == nil:
		_, _, err = s.CaptureOrder(ctx, actor, &OrderRef{ID: &o.Hash})
	}
	if err != nil {
		return fmt.Errorf("capture gift certificate order %d: %w", o.Number, err)
	}
	return svc.DeliverGift(ctx, o.ID)
}
