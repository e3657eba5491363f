package fulfil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/money"
	"seam/internal/mutant"
	"seam/internal/payment"
	"seam/internal/seam"
	"seam/internal/store"
)

// Payment history entry types of captures.
const (
	EntryCaptureRequest = "CAPTURE_REQUEST"
	EntryCapture        = "CAPTURE"
)

// capture is a capture in progress: booked against the authorization,
// not yet done by the provider.
type capture struct {
	order      store.Order
	auth       store.Authorization
	amount     int64
	shipmentID int64
	params     string
}

// CaptureShipment captures a shipment's worth (its grand total less what
// credit paid of it) of its order's authorization. The amount is booked
// against what is left of the authorization in one conditional update
// before the provider is asked, so concurrent captures never take more
// than was authorized; a refused capture gives it back. It returns the
// CAPTURE entry.
func (s *Service) CaptureShipment(ctx context.Context, actor seam.Actor, id int64) (store.PaymentEntry, error) {
	var c capture
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		sh, o, err := findShipment(ctx, tx, actor, id, seam.P("id"))
		if err != nil {
			return err
		}
		if sh.CapturedAt != nil {
			return seam.Invalid(seam.P("id"), "Shipment %s is captured already.", sh.Number)
		}
		amount := sh.GrandTotal - sh.Credit
		if amount <= 0 {
			return seam.Invalid(seam.P("id"), "Shipment %s has nothing to capture: gift certificates paid it.", sh.Number)
		}
		now := s.now()
		ok, err := store.ClaimShipmentCapture(ctx, tx, sh.ID, now)
		if err != nil {
			return err
		}
		if !ok {
			return seam.Invalid(seam.P("id"), "Shipment %s is captured already.", sh.Number)
		}
		params, _ := json.Marshal(map[string]any{"shipment": sh.Number})
		c = capture{order: o, amount: amount, shipmentID: sh.ID, params: string(params)}
		return s.book(ctx, tx, &c, seam.P("id"), "shipment "+sh.Number)
	})
	if err != nil {
		return store.PaymentEntry{}, seam.Wrap(err, fmt.Sprintf("capture shipment %d", id))
	}
	return s.finish(ctx, actor, c, seam.P("id"))
}

// CaptureOrder captures everything left of an order's authorization, even
// before it has shipments; its shipments are paid by it, and those made
// later start paid.
func (s *Service) CaptureOrder(ctx context.Context, actor seam.Actor, ref *OrderRef) (store.PaymentEntry, store.Order, error) {
	var c capture
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		o, err := findOrder(ctx, tx, actor, ref, seam.P("order"))
		if err != nil {
			return err
		}
		if o.Status == store.OrderCancelled {
			return seam.Invalid(seam.P("order"), "Order %d is cancelled; its payment was voided.", o.Number)
		}
		auth, err := store.AuthorizationOf(ctx, tx, o.ID)
		if errors.Is(err, seam.ErrNotFound) {
			return seam.Invalid(seam.P("order"), "Order %d has no authorized payment to capture.", o.Number)
		} else if err != nil {
			return err
		}
		left := auth.Value - auth.Captured
		if left <= 0 {
			return seam.Invalid(seam.P("order"), "Order %d has nothing left to capture: all %s authorized is captured.", o.Number,
				money.New(auth.Value, auth.Currency))
		}
		c = capture{order: o, amount: left, params: `{"order":true}`}
		return s.book(ctx, tx, &c, seam.P("order"), fmt.Sprintf("order %d", o.Number))
	})
	if err != nil {
		return store.PaymentEntry{}, store.Order{}, seam.Wrap(err, "capture order")
	}
	e, err := s.finish(ctx, actor, c, seam.P("order"))
	if err != nil {
		return e, c.order, err
	}
	o, err := store.GetOrder(ctx, s.DB.Read(), c.order.ID)
	return e, o, err
}

// book claims c.amount of the order's authorization and writes the
// CAPTURE_REQUEST entry.
func (s *Service) book(ctx context.Context, tx *db.Tx, c *capture, path seam.Path, what string) error {
	auth, err := store.AuthorizationOf(ctx, tx, c.order.ID)
	if errors.Is(err, seam.ErrNotFound) {
		return seam.Invalid(path, "Order %d has no authorized payment to capture.", c.order.Number)
	} else if err != nil {
		return err
	}
	ok, err := store.ClaimCapture(ctx, tx, auth.ID, c.amount)
	if err != nil {
		return err
	}
	if !ok {
		now, _ := store.AuthorizationOf(ctx, tx, c.order.ID)
		return seam.Invalid(path, "Cannot capture %s for %s: only %s of the %s authorized is left to capture.",
			money.New(c.amount, c.order.Currency), what, money.New(max(0, now.Value-now.Captured), now.Currency), money.New(now.Value, now.Currency))
	}
	c.auth = auth
	return store.InsertPaymentEntry(ctx, tx, &store.PaymentEntry{OrderID: c.order.ID, EntryType: EntryCaptureRequest, Status: "SUCCESS",
		Value: c.amount, Currency: c.order.Currency, ExternalReference: auth.ExternalReference, PaymentMethod: auth.PaymentMethod,
		Params: &c.params, CreatedAt: s.now()})
}

// finish asks the provider to capture a booked amount and records the
// outcome: a CAPTURE entry, the shipments paid and maybe the order
// SHIPPED; or, refused, the amount given back and a FAILED entry.
func (s *Service) finish(ctx context.Context, actor seam.Actor, c capture, path seam.Path) (store.PaymentEntry, error) {
	name, external := "", ""
	if c.auth.PaymentMethod != nil {
		name = *c.auth.PaymentMethod
	}
	if c.auth.ExternalReference != nil {
		external = *c.auth.ExternalReference
	}
	amount := money.New(c.amount, c.order.Currency)
	var perr error
	if capturer, ok := s.Payments[name].(payment.Capturer); !ok {
		perr = fmt.Errorf("payment provider %q is not running or cannot capture", name)
	} else {
		perr = capturer.Capture(context.WithoutCancel(ctx), external, amount)
	}
	entry := store.PaymentEntry{OrderID: c.order.ID, EntryType: EntryCapture, Status: "SUCCESS", Value: c.amount, Currency: c.order.Currency,
		ExternalReference: c.auth.ExternalReference, PaymentMethod: c.auth.PaymentMethod, Params: &c.params}
	if perr != nil {
		s.Log.WarnContext(ctx, "capture refused", "order", c.order.Number, "provider", name, "err", perr)
		entry.Status = "FAILED"
	}
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		o, err := lockOrder(ctx, tx, actor, c.order.ID, path)
		if err != nil {
			return err
		}
		now := s.now()
		entry.CreatedAt = now
		if err := store.InsertPaymentEntry(ctx, tx, &entry); err != nil {
			return err
		}
		if perr != nil {
			if _, err := store.ClaimCapture(ctx, tx, c.auth.ID, -c.amount); err != nil {
				return err
			}
			if c.shipmentID != 0 {
				return store.ReleaseShipmentCapture(ctx, tx, c.shipmentID)
			}
			return nil
		}
		shipments, err := store.ShipmentsOfOrders(ctx, tx, []int64{o.ID})
		if err != nil {
			return err
		}
		for _, sh := range shipments {
			if c.shipmentID != 0 && sh.ID != c.shipmentID {
				continue
			}
			if c.shipmentID == 0 {
				if _, err := store.ClaimShipmentCapture(ctx, tx, sh.ID, now); err != nil {
					return err
				}
			}
			if !sh.IsPaid && !mutant.On("capture-leaves-shipment-unpaid") {
				if err := store.MarkShipmentPaid(ctx, tx, sh.ID, now); err != nil {
					return err
				}
				sh.IsPaid = true
				if err := recordShipment(ctx, tx, actor, o, sh, event.Updated); err != nil {
					return err
				}
			}
		}
		return settle(ctx, tx, actor, &o, now)
	})
	if err != nil {
		return entry, seam.Wrap(err, "record capture")
	}
	if perr != nil {
		return entry, seam.Invalid(path, "The payment provider did not capture %s: %s", amount, message(perr))
	}
	return entry, nil
}

// message is an error's text for a person: a user error's message without
// its path.
func message(err error) string {
	if ue, ok := seam.AsUserErrors(err); ok && len(ue) > 0 {
		return ue[0].Message
	}
	return err.Error()
}
