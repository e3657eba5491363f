package fulfil

import (
	"context"
	"errors"
	"fmt"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/mail"
	"seam/internal/money"
	"seam/internal/mutant"
	"seam/internal/seam"
	"seam/internal/store"
)

// ReturnInput creates a return (createReturn).
type ReturnInput struct {
	Shipment                *seam.Ref
	Lines                   []ReturnLineInput
	ReturnStockActionPolicy *StockPolicy
	ShippingCost            *CostInput
	VoucherValue            *CostInput
	HandlingCost            *CostInput
	Comment                 *string
}

// ReturnLineInput is units of a shipment line coming back.
type ReturnLineInput struct {
	ShipmentLine *seam.Ref
	Quantity     int64
}

// StockPolicy says where returned units go; exactly one is set.
type StockPolicy struct {
	ReleaseItemsBackToWarehouse   *bool
	SendItemsToDifferentWarehouse *seam.Ref
	RemoveItemsFromStock          *bool
}

// CostInput is a cost given back with a return: an amount, or all that is
// left of it on the shipment.
type CostInput struct {
	Value        *money.Input
	FromShipment *bool
}

// CreateReturn takes units of a shipped shipment back, in one
// transaction: each line's units are claimed (never more than were shipped
// and not returned yet), they go back into their warehouse's physical
// stock, into another warehouse, or nowhere, as the policy says, and the
// shipping, handling and voucher values given back are claimed against
// what the shipment carries in one conditional update.
func (s *Service) CreateReturn(ctx context.Context, actor seam.Actor, in ReturnInput) (int64, error) {
	path := seam.P("input")
	var r store.Return
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		if in.Shipment == nil || in.Shipment.ID == nil {
			return seam.Invalid(path.Key("shipment"), "Give the shipment's id.")
		}
		sh, o, err := findShipment(ctx, tx, actor, *in.Shipment.ID, path.Key("shipment"))
		if err != nil {
			return err
		}
		if sh.CompletedAt == nil {
			return seam.Invalid(path.Key("shipment"), "Shipment %s is not shipped yet; only shipped units can be returned.", sh.Number)
		}
		now := s.now()
		r = store.Return{ShipmentID: sh.ID, OrderID: o.ID, StoreID: o.StoreID, Status: store.ReturnInProgress, Currency: o.Currency,
			Comment: in.Comment, CreatedAt: now, UpdatedAt: now}
		var p seam.Problems
		if err := s.policy(ctx, tx, actor, &p, &r, in.ReturnStockActionPolicy, path.Key("returnStockActionPolicy")); err != nil {
			return err
		}
		r.Shipping = cost(&p, in.ShippingCost, sh.Shipping-sh.ReturnedShipping, o.Currency, path.Key("shippingCost"))
		r.Handling = cost(&p, in.HandlingCost, sh.Handling-sh.ReturnedHandling, o.Currency, path.Key("handlingCost"))
		r.Voucher = cost(&p, in.VoucherValue, sh.Discount-sh.ReturnedDiscount, o.Currency, path.Key("voucherValue"))
		if len(in.Lines) == 0 {
			p.Add(path.Key("lines"), "Name at least one shipment line to return.")
		}
		if err := p.Err(); err != nil {
			return err
		}
		ok, err := store.ClaimShipmentCosts(ctx, tx, sh.ID, r.Shipping, r.Handling, r.Voucher)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("shipment %s's costs changed meanwhile: %w", sh.Number, seam.ErrConflict)
		}
		if err := store.InsertReturn(ctx, tx, &r); err != nil {
			return err
		}
		lines, err := store.ShipmentLinesOf(ctx, tx, []int64{sh.ID})
		if err != nil {
			return err
		}
		byID := map[int64]store.ShipmentLine{}
		sizes := make([]int64, len(lines))
		for i, l := range lines {
			byID[l.ID], sizes[i] = l, l.ProductSizeID
		}
		// Lock the sizes' stock rows in the canonical order before any
		// returned unit goes back (store.LockStock).
		if _, err := store.LockStockOfSizes(ctx, tx, sizes); err != nil {
			return err
		}
		var change *store.StockChange
		for i, li := range in.Lines {
			lp := path.Key("lines").Index(i)
			if li.ShipmentLine == nil || li.ShipmentLine.ID == nil {
				p.Add(lp.Key("shipmentLine"), "Give the shipment line's id.")
				continue
			}
			l, ok := byID[*li.ShipmentLine.ID]
			if !ok {
				p.Add(lp.Key("shipmentLine"), "Shipment %s has no line %d.", sh.Number, *li.ShipmentLine.ID)
				continue
			}
			if li.Quantity <= 0 {
				p.Add(lp.Key("quantity"), "The quantity must be at least 1, not %d.", li.Quantity)
				continue
			}
			ok, err := store.ClaimReturnUnits(ctx, tx, l.ID, li.Quantity)
			if err != nil {
				return err
			}
			if !ok {
				p.Add(lp.Key("quantity"), "Shipment line %d has %d of its %d units not returned yet; %d cannot be returned.", l.ID,
					l.Quantity-l.ReturnedQuantity, l.Quantity, li.Quantity)
				continue
			}
			rl := store.ReturnLine{ReturnID: r.ID, ShipmentLineID: l.ID, ProductSizeID: l.ProductSizeID, Quantity: li.Quantity,
				Value: share(l.Value, l.ReturnedQuantity+li.Quantity, l.Quantity) - share(l.Value, l.ReturnedQuantity, l.Quantity)}
			byID[l.ID] = store.ShipmentLine{ID: l.ID, ShipmentID: l.ShipmentID, OrderLineID: l.OrderLineID, WarehouseID: l.WarehouseID,
				ProductSizeID: l.ProductSizeID, Quantity: l.Quantity, ReturnedQuantity: l.ReturnedQuantity + li.Quantity, Value: l.Value}
			switch r.StockPolicy {
			case store.ReturnToWarehouse:
				rl.WarehouseID = l.WarehouseID
			case store.ReturnToOtherWarehouse:
				rl.WarehouseID = r.WarehouseID
			}
			if rl.WarehouseID != nil {
				if change == nil {
					change = &store.StockChange{Kind: "RETURN", Description: fmt.Sprintf("Return %d of shipment %s", r.ID, sh.Number),
						CreatedBy: actor.Name, CreatedAt: now}
					if err := store.InsertStockChange(ctx, tx, change); err != nil {
						return err
					}
					if err := event.Change(ctx, tx, actor, nil, event.TypeStockChange, change.ID, event.Created); err != nil {
						return err
					}
				}
				if err := store.IncreaseStock(ctx, tx, *rl.WarehouseID, rl.ProductSizeID, rl.Quantity-mutant.Int("return-keeps-a-unit", 1)); err != nil {
					return err
				}
				if err := store.InsertStockChangeLine(ctx, tx, &store.StockChangeLine{StockChangeID: change.ID, WarehouseID: *rl.WarehouseID,
					ProductSizeID: rl.ProductSizeID, Quantity: rl.Quantity}); err != nil {
					return err
				}
			}
			if err := store.InsertReturnLine(ctx, tx, &rl); err != nil {
				return err
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		return recordReturn(ctx, tx, actor, r, event.Created)
	})
	return r.ID, seam.Wrap(err, "create return")
}

// policy reads the stock policy into r.
func (s *Service) policy(ctx context.Context, tx *db.Tx, actor seam.Actor, p *seam.Problems, r *store.Return, in *StockPolicy, path seam.Path) error {
	n := 0
	if in != nil {
		if in.ReleaseItemsBackToWarehouse != nil && *in.ReleaseItemsBackToWarehouse {
			n++
			r.StockPolicy = store.ReturnToWarehouse
		}
		if in.RemoveItemsFromStock != nil && *in.RemoveItemsFromStock {
			n++
			r.StockPolicy = store.ReturnRemoveFromStock
		}
		if in.SendItemsToDifferentWarehouse != nil {
			n++
			r.StockPolicy = store.ReturnToOtherWarehouse
			id, err := idconv.Optional(ctx, tx, p, actor, "Warehouse", in.SendItemsToDifferentWarehouse, path.Key("sendItemsToDifferentWarehouse"))
			if err != nil {
				return err
			}
			r.WarehouseID = id
		}
	}
	if n != 1 {
		p.Add(path, "Choose one of releaseItemsBackToWarehouse, sendItemsToDifferentWarehouse or removeItemsFromStock.")
	}
	return nil
}

// cost reads a cost given back, which can be no more than left.
func cost(p *seam.Problems, in *CostInput, left int64, currency string, path seam.Path) int64 {
	if in == nil {
		return 0
	}
	if (in.Value == nil) == (in.FromShipment == nil || !*in.FromShipment) {
		p.Add(path, "Give a value or fromShipment: true (one of them).")
		return 0
	}
	if in.Value == nil {
		return left
	}
	a, err := in.Value.Amount()
	switch {
	case err != nil:
		p.Add(path.Key("value"), "%s", message(err))
	case a.Currency != currency:
		p.Add(path.Key("value"), "The order is in %s, not %s.", currency, a.Currency)
	case a.Minor < 0:
		p.Add(path.Key("value"), "A cost cannot be negative.")
	case a.Minor > left:
		p.Add(path.Key("value"), "%s is more than the %s left on the shipment.", a, money.New(left, currency))
	default:
		return a.Minor
	}
	return 0
}

// findReturn loads a return and locks its order.
func findReturn(ctx context.Context, tx *db.Tx, actor seam.Actor, id int64) (store.Return, store.Order, error) {
	r, err := store.GetReturn(ctx, tx, id)
	if errors.Is(err, seam.ErrNotFound) {
		return r, store.Order{}, seam.Invalid(seam.P("id"), "Could not find Return with ID %d.", id)
	}
	if err != nil {
		return r, store.Order{}, err
	}
	o, err := lockOrder(ctx, tx, actor, r.OrderID, seam.P("id"))
	if err != nil {
		return r, o, err
	}
	r, err = store.GetReturn(ctx, tx, id)
	return r, o, err
}

// CompleteReturn completes a return that is not completed, e-mailing the
// shopper when asked.
func (s *Service) CompleteReturn(ctx context.Context, actor seam.Actor, id int64, sendEmail bool) error {
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		r, o, err := findReturn(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		now := s.now()
		ok, err := store.SetReturnStatus(ctx, tx, r.ID, store.ReturnInProgress, store.ReturnCompleted, &now, now)
		if err != nil {
			return err
		}
		if !ok {
			return seam.Invalid(seam.P("id"), "Return %d is completed already.", r.ID)
		}
		r.Status = store.ReturnCompleted
		if sendEmail {
			if _, err := mail.Enqueue(ctx, tx, mail.Message{Kind: "return_confirmation", StoreID: &o.StoreID, To: o.Email,
				Subject: fmt.Sprintf("Your return of order %d is complete", o.Number),
				Text:    fmt.Sprintf("We have received the items you returned from order %d (return %d).\n", o.Number, r.ID)}); err != nil {
				return err
			}
		}
		return recordReturn(ctx, tx, actor, r, event.Completed)
	})
	return seam.Wrap(err, fmt.Sprintf("complete return %d", id))
}

// UncompleteReturn puts a completed return back in progress.
func (s *Service) UncompleteReturn(ctx context.Context, actor seam.Actor, id int64) error {
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		r, _, err := findReturn(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		ok, err := store.SetReturnStatus(ctx, tx, r.ID, store.ReturnCompleted, store.ReturnInProgress, nil, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return seam.Invalid(seam.P("id"), "Return %d is not completed.", r.ID)
		}
		r.Status = store.ReturnInProgress
		return recordReturn(ctx, tx, actor, r, event.Updated)
	})
	return seam.Wrap(err, fmt.Sprintf("uncomplete return %d", id))
}

// DeleteReturn undoes a return made by mistake: its units count as shipped
// again, the stock it put into a warehouse is taken out again (only if it
// is still free there), and the costs it gave back go back on the
// shipment. It returns the return and lines as they were.
func (s *Service) DeleteReturn(ctx context.Context, actor seam.Actor, id int64) (store.Return, []store.ReturnLine, error) {
	var r store.Return
	var lines []store.ReturnLine
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if r, _, err = findReturn(ctx, tx, actor, id); err != nil {
			return err
		}
		if lines, err = store.ReturnLinesOf(ctx, tx, []int64{r.ID}); err != nil {
			return err
		}
		keys := make([]store.StockKey, 0, len(lines))
		for _, l := range lines {
			if l.WarehouseID != nil {
				keys = append(keys, store.StockKey{ProductSizeID: l.ProductSizeID, WarehouseID: *l.WarehouseID})
			}
		}
		if _, err := store.LockStock(ctx, tx, keys, false); err != nil {
			return err
		}
		var p seam.Problems
		var change *store.StockChange
		for _, l := range lines {
			ok, err := store.ClaimReturnUnits(ctx, tx, l.ShipmentLineID, -l.Quantity)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("shipment line %d has fewer than %d returned units: %w", l.ShipmentLineID, l.Quantity, seam.ErrConflict)
			}
			if l.WarehouseID == nil {
				continue
			}
			ok, err = store.DecreaseStock(ctx, tx, *l.WarehouseID, l.ProductSizeID, l.Quantity)
			if err != nil {
				return err
			}
			if !ok {
				level, err := store.GetStock(ctx, tx, *l.WarehouseID, l.ProductSizeID)
				if err != nil {
					return err
				}
				p.Add(seam.P("id"), "The %d returned units of product size %d are no longer free in warehouse %d (%d free): the return cannot be undone.",
					l.Quantity, l.ProductSizeID, *l.WarehouseID, level.FreeToAllocate())
				continue
			}
			if change == nil {
				change = &store.StockChange{Kind: "RETURN", Description: fmt.Sprintf("Return %d deleted", r.ID), CreatedBy: actor.Name, CreatedAt: s.now()}
				if err := store.InsertStockChange(ctx, tx, change); err != nil {
					return err
				}
				if err := event.Change(ctx, tx, actor, nil, event.TypeStockChange, change.ID, event.Created); err != nil {
					return err
				}
			}
			if err := store.InsertStockChangeLine(ctx, tx, &store.StockChangeLine{StockChangeID: change.ID, WarehouseID: *l.WarehouseID,
				ProductSizeID: l.ProductSizeID, Quantity: -l.Quantity}); err != nil {
				return err
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		if _, err := store.ClaimShipmentCosts(ctx, tx, r.ShipmentID, -r.Shipping, -r.Handling, -r.Voucher); err != nil {
			return err
		}
		if _, err := store.DeleteReturn(ctx, tx, r.ID); err != nil {
			return err
		}
		return recordReturn(ctx, tx, actor, r, event.Deleted)
	})
	return r, lines, seam.Wrap(err, fmt.Sprintf("delete return %d", id))
}

func recordReturn(ctx context.Context, tx *db.Tx, actor seam.Actor, r store.Return, action string) error {
	o, err := store.GetOrder(ctx, tx, r.OrderID)
	if err != nil {
		return fmt.Errorf("order of return %d: %w", r.ID, err)
	}
	_, err = event.Record(ctx, tx, event.Event{StoreID: &r.StoreID, MarketID: &o.MarketID, ObjectType: "Return", ObjectID: fmt.Sprint(r.ID), Action: action,
		Actor: actor.Name, Payload: map[string]any{"shipment": r.ShipmentID, "status": r.Status, "stockPolicy": r.StockPolicy}})
	return err
}
