package fulfil

import (
	"context"
	"errors"
	"fmt"
	"time"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/mail"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

// CreateInput creates a shipment (createShipment).
type CreateInput struct {
	Order      *OrderRef
	Lines      []LineInput
	IsGoodToGo *bool
	// IsPaid marks the shipment paid outside Seam; ignored with Capture.
	IsPaid *bool
	// Capture captures the shipment's worth right after creating it.
	Capture   *bool
	CreatedAt *time.Time
	// ShippedAt, when given, completes the shipment at once.
	ShippedAt         *string
	SendEmail         *bool
	AdditionalMessage *string
	// AllocateDemand allocates free stock to units the order holds none
	// for; without it such units are refused.
	AllocateDemand *bool
	ShipmentInfo   *ShipmentInfo
}

// LineInput is units of an order line.
type LineInput struct {
	OrderLine *seam.Ref
	Quantity  int64
}

// Create creates a shipment of order lines in one transaction: the units
// are claimed from the lines (never more than remain unshipped) with their
// stock allocations, the first shipment carries the order's shipping, and
// the order becomes PROCESSING. With Capture the shipment's worth is
// captured after commit; a refused capture leaves the shipment and comes
// back as the error.
func (s *Service) Create(ctx context.Context, actor seam.Actor, in CreateInput) (int64, error) {
	path := seam.P("input")
	capture := in.Capture != nil && *in.Capture
	var sh store.Shipment
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		o, err := findOrder(ctx, tx, actor, in.Order, path.Key("order"))
		if err != nil {
			return err
		}
		if o.Status != store.OrderConfirmed && o.Status != store.OrderProcessing {
			return seam.Invalid(path.Key("order"), "Order %d is %s: only CONFIRMED or PROCESSING orders can get shipments.", o.Number, o.Status)
		}
		if len(in.Lines) == 0 {
			return seam.Invalid(path.Key("lines"), "Name at least one order line to ship.")
		}
		now := s.now()
		sh = store.Shipment{OrderID: o.ID, IsGoodToGo: in.IsGoodToGo != nil && *in.IsGoodToGo, IsPaid: !capture && in.IsPaid != nil && *in.IsPaid,
			CreatedAt: now, AdditionalMessage: in.AdditionalMessage, Currency: &o.Currency}
		if in.CreatedAt != nil {
			sh.CreatedAt = db.Time(*in.CreatedAt)
		}
		sh.UpdatedAt = &now
		if err := applyInfo(&sh, in.ShipmentInfo, path.Key("shipmentInfo")); err != nil {
			return err
		}
		lines, err := s.shipmentLines(ctx, tx, o, in, path)
		if err != nil {
			return err
		}
		existing, err := store.ShipmentsOfOrders(ctx, tx, []int64{o.ID})
		if err != nil {
			return err
		}
		var lineTax, creditUsed int64
		carried := false
		for _, e := range existing {
			creditUsed += e.Credit
			carried = carried || e.Shipping > 0
		}
		for _, l := range lines {
			sh.Items += l.Value
			sh.Tax += l.Tax
			sh.Discount += l.Discount
		}
		if !carried && o.Shipping > 0 {
			all, err := store.OrderLinesByOrderIDs(ctx, tx, []int64{o.ID})
			if err != nil {
				return err
			}
			for _, l := range all {
				lineTax += l.Tax
			}
			sh.Shipping = o.Shipping
			sh.Tax += max(0, o.Tax-lineTax)
		}
		sh.GrandTotal = sh.Items + sh.Shipping
		if !o.PricesIncludeTax {
			sh.GrandTotal += sh.Tax
		}
		sh.Credit = min(sh.GrandTotal, max(0, o.Credit-creditUsed))
		auth, err := store.AuthorizationOf(ctx, tx, o.ID)
		fullyCaptured := err == nil && auth.Captured >= auth.Value
		if err != nil && !errors.Is(err, seam.ErrNotFound) {
			return err
		}
		if sh.GrandTotal == sh.Credit || fullyCaptured {
			sh.IsPaid = true
		}
		if sh.IsPaid {
			sh.PaidAt = &now
		}
		sh.Number = fmt.Sprintf("%d-%d", o.Number, len(existing)+1)
		if err := store.InsertShipment(ctx, tx, &sh); err != nil {
			return err
		}
		if in.ShipmentInfo != nil {
			if err := store.UpdateShipment(ctx, tx, sh); err != nil {
				return err
			}
		}
		for i := range lines {
			lines[i].ShipmentID = sh.ID
			if err := store.InsertShipmentLine(ctx, tx, &lines[i]); err != nil {
				return err
			}
		}
		if err := setStatus(ctx, tx, actor, &o, []string{store.OrderConfirmed}, store.OrderProcessing, now); err != nil {
			return err
		}
		if err := recordShipment(ctx, tx, actor, o, sh, event.Created); err != nil {
			return err
		}
		if in.ShippedAt != nil && !capture {
			return s.complete(ctx, tx, actor, &o, sh, CompleteInput{ShippedAt: in.ShippedAt, SendEmail: in.SendEmail}, path.Key("shippedAt"), now)
		}
		return nil
	})
	if err != nil {
		return 0, seam.Wrap(err, "create shipment")
	}
	if capture {
		if _, err := s.CaptureShipment(ctx, actor, sh.ID); err != nil {
			return sh.ID, err
		}
		if in.ShippedAt != nil {
			// Shipped when created: complete it once it is paid.
			return sh.ID, s.Complete(ctx, actor, sh.ID, CompleteInput{ShippedAt: in.ShippedAt, SendEmail: in.SendEmail})
		}
	}
	return sh.ID, nil
}

// shipmentLines claims the units of a create input from their order lines
// and their allocations.
func (s *Service) shipmentLines(ctx context.Context, tx *db.Tx, o store.Order, in CreateInput, path seam.Path) ([]store.ShipmentLine, error) {
	orderLines, err := store.OrderLinesByOrderIDs(ctx, tx, []int64{o.ID})
	if err != nil {
		return nil, err
	}
	byID := map[int64]store.OrderLine{}
	ids := make([]int64, len(orderLines))
	sizes := make([]int64, len(orderLines))
	for i, l := range orderLines {
		byID[l.ID], ids[i], sizes[i] = l, l.ID, l.ProductSizeID
	}
	// Every stock row the shipment may allocate from, in the canonical
	// order, before any is changed (store.LockStock).
	if _, err := store.LockStockOfSizes(ctx, tx, sizes); err != nil {
		return nil, err
	}
	before, err := store.ShipmentQuantities(ctx, tx, o.ID)
	if err != nil {
		return nil, err
	}
	allocs, err := store.AllocationsByLineIDs(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	var out []store.ShipmentLine
	var p seam.Problems
	for i, li := range in.Lines {
		lp := path.Key("lines").Index(i)
		if li.OrderLine == nil || li.OrderLine.ID == nil {
			p.Add(lp.Key("orderLine"), "Give the order line's id.")
			continue
		}
		l, ok := byID[*li.OrderLine.ID]
		if !ok {
			p.Add(lp.Key("orderLine"), "Order %d has no line %d.", o.Number, *li.OrderLine.ID)
			continue
		}
		if li.Quantity <= 0 {
			p.Add(lp.Key("quantity"), "The quantity must be at least 1, not %d.", li.Quantity)
			continue
		}
		ok, err := store.ClaimOrderLineUnits(ctx, tx, l.ID, li.Quantity)
		if err != nil {
			return nil, err
		}
		if !ok {
			p.Add(lp.Key("quantity"), "Order line %d has %d of its %d units left to ship; %d cannot be shipped.", l.ID, l.Quantity-before[l.ID],
				l.Quantity, li.Quantity)
			continue
		}
		from := before[l.ID]
		before[l.ID] += li.Quantity
		need := li.Quantity
		add := func(warehouseID int64, n int64) {
			sl := store.ShipmentLine{OrderLineID: l.ID, WarehouseID: &warehouseID, ProductSizeID: l.ProductSizeID, Quantity: n,
				Value:    share(l.LineValue, from+n, l.Quantity) - share(l.LineValue, from, l.Quantity),
				Tax:      share(l.Tax, from+n, l.Quantity) - share(l.Tax, from, l.Quantity),
				Discount: share(l.Discount, from+n, l.Quantity) - share(l.Discount, from, l.Quantity)}
			from += n
			out = append(out, sl)
		}
		for j := range allocs {
			a := &allocs[j]
			if a.OrderLineID != l.ID || a.Quantity == 0 || need == 0 {
				continue
			}
			take := min(need, a.Quantity)
			ok, err := store.TakeLineAllocation(ctx, tx, l.ID, a.WarehouseID, take)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("allocation of order line %d in warehouse %d changed: %w", l.ID, a.WarehouseID, seam.ErrConflict)
			}
			a.Quantity -= take
			need -= take
			add(a.WarehouseID, take)
		}
		if need > 0 && (in.AllocateDemand == nil || !*in.AllocateDemand) {
			p.Add(lp.Key("quantity"), "%d units of order line %d hold no stock; pass allocateDemand: true to allocate free stock to them.", need, l.ID)
			continue
		}
		if need > 0 {
			levels, err := store.StockByProductSizeIDs(ctx, tx, []int64{l.ProductSizeID})
			if err != nil {
				return nil, err
			}
			for _, lv := range levels {
				take := min(need, lv.FreeToAllocate())
				if take <= 0 {
					continue
				}
				ok, err := store.Allocate(ctx, tx, lv.WarehouseID, l.ProductSizeID, take)
				if err != nil {
					return nil, err
				}
				if ok {
					need -= take
					add(lv.WarehouseID, take)
				}
			}
			if need > 0 {
				p.Add(lp.Key("quantity"), "%d units of order line %d (%s) hold no stock and no warehouse has them free.", need, l.ID, l.SKU)
			}
		}
	}
	return out, p.Err()
}

// share is the part of total that n of q units carry, rounded down; the
// difference of two shares splits total exactly.
func share(total, n, q int64) int64 {
	if q == 0 {
		return 0
	}
	return total * n / q
}

// UpdateInput changes a shipment (updateShipment).
type UpdateInput struct {
	IsGoodToGo        *bool
	IsPaid            *bool
	AdditionalMessage *string
	// ShipmentInfo can change until the shipment is shipped.
	ShipmentInfo *ShipmentInfo
}

// Update changes a shipment's flags. Marking it paid may make its order
// SHIPPED; a captured shipment stays paid.
func (s *Service) Update(ctx context.Context, actor seam.Actor, id int64, in UpdateInput) error {
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		sh, o, err := findShipment(ctx, tx, actor, id, seam.P("id"))
		if err != nil {
			return err
		}
		now := s.now()
		if in.IsGoodToGo != nil {
			if !*in.IsGoodToGo && sh.CompletedAt != nil {
				return seam.Invalid(seam.P("input", "isGoodToGo"), "Shipment %s is shipped; it stays good to go.", sh.Number)
			}
			sh.IsGoodToGo = *in.IsGoodToGo
		}
		if in.IsPaid != nil {
			switch {
			case !*in.IsPaid && sh.CapturedAt != nil:
				return seam.Invalid(seam.P("input", "isPaid"), "Shipment %s was captured; it stays paid.", sh.Number)
			case *in.IsPaid && !sh.IsPaid:
				sh.PaidAt = &now
			case !*in.IsPaid:
				sh.PaidAt = nil
			}
			sh.IsPaid = *in.IsPaid
		}
		if in.AdditionalMessage != nil {
			sh.AdditionalMessage = in.AdditionalMessage
		}
		if in.ShipmentInfo != nil && sh.CompletedAt != nil {
			return seam.Invalid(seam.P("input", "shipmentInfo"), "Shipment %s is shipped; its shipping details can no longer change.", sh.Number)
		}
		if err := applyInfo(&sh, in.ShipmentInfo, seam.P("input", "shipmentInfo")); err != nil {
			return err
		}
		sh.UpdatedAt = &now
		if err := store.UpdateShipment(ctx, tx, sh); err != nil {
			return err
		}
		if err := recordShipment(ctx, tx, actor, o, sh, event.Updated); err != nil {
			return err
		}
		return settle(ctx, tx, actor, &o, now)
	})
	return seam.Wrap(err, fmt.Sprintf("update shipment %d", id))
}

// CompleteInput completes a shipment (completeShipment).
type CompleteInput struct {
	// ShippedAt is when it left: a time or words such as "now", "-1
	// hour", "yesterday"; never in the future. Default now.
	ShippedAt         *string
	SendEmail         *bool
	ShipmentInfo      *ShipmentInfo
	AdditionalMessage *string
}

// ShipmentInfo is how a shipment travels.
type ShipmentInfo struct {
	Carrier              *string
	Service              *string
	PackagesNumber       *int64
	TrackingNumber       *string
	ReturnTrackingNumber *string
	InternalShippingCost *money.Input
}

// Complete ships a good-to-go, paid shipment: its units leave their
// warehouses' stock, its shipping details are saved, the shopper is
// e-mailed when asked, and the order becomes SHIPPED when this was the
// last of it.
func (s *Service) Complete(ctx context.Context, actor seam.Actor, id int64, in CompleteInput) error {
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		sh, o, err := findShipment(ctx, tx, actor, id, seam.P("id"))
		if err != nil {
			return err
		}
		return s.complete(ctx, tx, actor, &o, sh, in, seam.P("input", "shippedAt"), s.now())
	})
	return seam.Wrap(err, fmt.Sprintf("complete shipment %d", id))
}

func (s *Service) complete(ctx context.Context, tx *db.Tx, actor seam.Actor, o *store.Order, sh store.Shipment, in CompleteInput,
	whenPath seam.Path, now time.Time) error {
	var p seam.Problems
	switch {
	case sh.CompletedAt != nil:
		return seam.Invalid(seam.P("id"), "Shipment %s is completed already.", sh.Number)
	case !sh.IsGoodToGo:
		p.Add(seam.P("id"), "Shipment %s is not good to go; set isGoodToGo first.", sh.Number)
	case !sh.IsPaid:
		p.Add(seam.P("id"), "Shipment %s is not paid; capture it or mark it paid first.", sh.Number)
	}
	shippedAt := now
	if in.ShippedAt != nil {
		t, err := ParseWhen(*in.ShippedAt, now)
		if err != nil {
			p.Add(whenPath, "%s", message(err))
		} else if t = db.Time(t); t.After(now) {
			p.Add(whenPath, "shippedAt %s is in the future; a shipment is shipped now or earlier.", t.Format(time.RFC3339))
		} else {
			shippedAt = t
		}
	}
	if err := applyInfo(&sh, in.ShipmentInfo, seam.P("input", "shipmentInfo")); err != nil {
		p.Merge(err)
	}
	if in.AdditionalMessage != nil {
		sh.AdditionalMessage = in.AdditionalMessage
	}
	if err := p.Err(); err != nil {
		return err
	}
	lines, err := store.ShipmentLinesOf(ctx, tx, []int64{sh.ID})
	if err != nil {
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
	change := store.StockChange{Kind: "SHIPMENT", Description: "Shipment " + sh.Number, CreatedBy: actor.Name, CreatedAt: now}
	if err := store.InsertStockChange(ctx, tx, &change); err != nil {
		return err
	}
	if err := event.Change(ctx, tx, actor, nil, event.TypeStockChange, change.ID, event.Created); err != nil {
		return err
	}
	for _, l := range lines {
		if l.WarehouseID == nil {
			continue
		}
		ok, err := store.ShipOut(ctx, tx, *l.WarehouseID, l.ProductSizeID, l.Quantity)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("warehouse %d holds fewer than %d allocated units of size %d: %w", *l.WarehouseID, l.Quantity, l.ProductSizeID, seam.ErrConflict)
		}
		if err := store.InsertStockChangeLine(ctx, tx, &store.StockChangeLine{StockChangeID: change.ID, WarehouseID: *l.WarehouseID,
			ProductSizeID: l.ProductSizeID, Quantity: -l.Quantity}); err != nil {
			return err
		}
	}
	ok, err := store.CompleteShipment(ctx, tx, sh.ID, shippedAt, now)
	if err != nil {
		return err
	}
	if !ok {
		return seam.Invalid(seam.P("id"), "Shipment %s is completed already.", sh.Number)
	}
	sh.ShippedAt, sh.CompletedAt, sh.UpdatedAt = &shippedAt, &now, &now
	if err := store.UpdateShipment(ctx, tx, sh); err != nil {
		return err
	}
	if in.SendEmail != nil && *in.SendEmail {
		text := fmt.Sprintf("Your order %d has shipped (shipment %s).\n", o.Number, sh.Number)
		if sh.Carrier != nil {
			text += "Carrier: " + *sh.Carrier + "\n"
		}
		if sh.TrackingNumber != nil {
			text += "Tracking number: " + *sh.TrackingNumber + "\n"
		}
		if _, err := mail.Enqueue(ctx, tx, mail.Message{Kind: "shipment_confirmation", StoreID: &o.StoreID, To: o.Email,
			Subject: fmt.Sprintf("Order %d has shipped", o.Number), Text: text}); err != nil {
			return err
		}
	}
	if err := recordShipment(ctx, tx, actor, *o, sh, event.Completed); err != nil {
		return err
	}
	return settle(ctx, tx, actor, o, now)
}

// applyInfo sets the shipping details given (fields left out keep their
// value).
func applyInfo(sh *store.Shipment, info *ShipmentInfo, path seam.Path) error {
	if info == nil {
		return nil
	}
	var p seam.Problems
	set := func(dst **string, v *string) {
		if v != nil {
			*dst = v
		}
	}
	set(&sh.Carrier, info.Carrier)
	set(&sh.Service, info.Service)
	set(&sh.TrackingNumber, info.TrackingNumber)
	set(&sh.ReturnTrackingNumber, info.ReturnTrackingNumber)
	if info.PackagesNumber != nil {
		if *info.PackagesNumber < 0 {
			p.Add(path.Key("packagesNumber"), "The number of packages cannot be negative.")
		}
		sh.Packages = *info.PackagesNumber
	}
	if c := info.InternalShippingCost; c != nil {
		a, err := c.Amount()
		switch {
		case err != nil:
			p.Add(path.Key("internalShippingCost"), "%s", message(err))
		case a.Minor < 0:
			p.Add(path.Key("internalShippingCost"), "A cost cannot be negative.")
		default:
			sh.InternalCostMinor, sh.InternalCostCurrency = &a.Minor, &a.Currency
		}
	}
	return p.Err()
}
