package order

import (
	"context"
	"errors"
	"fmt"

	"github.com/govalues/decimal"

	"seam/internal/db"
	"seam/internal/idconv"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

// AddLine is one product size to add to an order.
type AddLine struct {
	Display     *seam.Ref
	ProductSize *seam.Ref
	Quantity    int64
	// UnitPrice is required and in the order's currency.
	UnitPrice *money.Input
	// TaxGroup taxes the line; nil means the display's, else the store's
	// default.
	TaxGroup       *seam.Ref
	Comment        *string
	DeliveryWindow *seam.Ref
}

// Stock actions for cancelled units.
const (
	// ReleaseBackToWarehouse makes the units free to allocate again.
	ReleaseBackToWarehouse = "RELEASE_BACK_TO_WAREHOUSE"
	// RemoveFromWarehouse takes the units out of physical stock (lost,
	// damaged): what is free to allocate does not change.
	RemoveFromWarehouse = "REMOVE_FROM_WAREHOUSE"
)

// StockPolicy is the newer form of a stock action: exactly one field.
type StockPolicy struct {
	ReleaseBackToWarehouse *bool
	RemoveFromWarehouse    *bool
	// SendToWarehouse takes the units out of the warehouse they were
	// allocated in and puts them, free, into this one.
	SendToWarehouse *seam.Ref
}

// CancelLine cancels units of an order line.
type CancelLine struct {
	Line     *seam.Ref
	Quantity int64
	// StockAction is the older enum; StockActionPolicy the newer input.
	// Exactly one is given.
	StockAction       *string
	StockActionPolicy *StockPolicy
}

// lineSet is an order's lines while an update changes them.
type lineSet struct {
	order *store.Order
	tx    *db.Tx
	lines []store.OrderLine
	// displays maps display item ids to display ids.
	displays map[int64]int64
}

func (s *lineSet) load(ctx context.Context) error {
	var err error
	if s.lines, err = store.OrderLinesByOrderIDs(ctx, s.tx, []int64{s.order.ID}); err != nil {
		return err
	}
	var ids []int64
	for _, l := range s.lines {
		if l.DisplayVariantID != nil {
			ids = append(ids, *l.DisplayVariantID)
		}
	}
	s.displays, err = store.DisplayOfVariants(ctx, s.tx, ids)
	return err
}

// remaining counts the units left to ship or cancel, and those shipped.
func (s *lineSet) remaining() (left, shipped int64) {
	for _, l := range s.lines {
		left += l.Quantity - l.ShippedQuantity
		shipped += l.ShippedQuantity
	}
	return left, shipped
}

// mergeKey is what makes an added line the same as an existing one.
type mergeKey struct {
	display, productSize, unitPrice int64
	comment                         string
	window                          int64
	name                            string
}

func keyOf(l store.OrderLine, display int64) mergeKey {
	var w int64
	if l.DeliveryWindowID != nil {
		w = *l.DeliveryWindowID
	}
	return mergeKey{display: display, productSize: l.ProductSizeID, unitPrice: l.UnitPrice, comment: l.Comment, window: w, name: l.ProductName}
}

// add adds lines, merging into an existing line when display, size, unit
// price, comment and delivery window all match and the product still has
// the name the line was sold under; it allocates their stock.
func (s *lineSet) add(ctx context.Context, p *seam.Problems, actor seam.Actor, in []AddLine) error {
	for i, a := range in {
		path := seam.P("input", "addLines").Index(i)
		l, display, ok, err := s.newLine(ctx, p, actor, a, path)
		if err != nil || !ok {
			return err
		}
		key := keyOf(l, display)
		merged := false
		for j := range s.lines {
			old := &s.lines[j]
			if old.Quantity > 0 && old.DisplayVariantID != nil && keyOf(*old, s.displays[*old.DisplayVariantID]) == key {
				if err := s.setQuantity(old, old.Quantity+a.Quantity, old.CancelledQuantity); err != nil {
					return err
				}
				if err := store.UpdateOrderLine(ctx, s.tx, *old); err != nil {
					return err
				}
				l, merged = *old, true
				break
			}
		}
		if !merged {
			l.Position = len(s.lines)
			for _, old := range s.lines {
				l.Position = max(l.Position, old.Position+1)
			}
			if err := s.setQuantity(&l, a.Quantity, 0); err != nil {
				return err
			}
			if err := store.InsertOrderLine(ctx, s.tx, &l); err != nil {
				return err
			}
			s.lines = append(s.lines, l)
			s.displays[*l.DisplayVariantID] = display
		}
		got, err := allocate(ctx, s.tx, l.ID, l.ProductSizeID, a.Quantity)
		if err != nil {
			return err
		}
		if got < a.Quantity {
			p.Warn(path.Key("quantity"), "Only %d of %d units of %s could be allocated; the rest waits for stock.", got, a.Quantity, l.SKU)
		}
	}
	return nil
}

// lockStock locks, before any line moves stock, every stock row of the
// sizes that the added and cancelled lines name, in the canonical order
// (store.LockStock): a second order changed at the same time with the same
// sizes in another order then queues instead of deadlocking. References
// that do not resolve are left to add and cancel to report.
func (s *lineSet) lockStock(ctx context.Context, actor seam.Actor, adds []AddLine, cancels []CancelLine) error {
	var sizes []int64
	var ignored seam.Problems
	for _, a := range adds {
		id, err := idconv.Optional(ctx, s.tx, &ignored, actor, "ProductSize", a.ProductSize, seam.P("productSize"))
		if err != nil {
			return err
		}
		if id != nil {
			sizes = append(sizes, *id)
		}
	}
	for _, c := range cancels {
		for _, l := range s.lines {
			if c.Line != nil && c.Line.ID != nil && l.ID == *c.Line.ID {
				sizes = append(sizes, l.ProductSizeID)
			}
		}
	}
	_, err := store.LockStockOfSizes(ctx, s.tx, sizes)
	return err
}

// newLine builds the line an AddLine describes (quantity not yet set).
func (s *lineSet) newLine(ctx context.Context, p *seam.Problems, actor seam.Actor, a AddLine, path seam.Path) (store.OrderLine, int64, bool, error) {
	var l store.OrderLine
	bad := len(p.Errors)
	if a.Quantity < 1 {
		p.Add(path.Key("quantity"), "quantity must be at least 1, got %d.", a.Quantity)
	}
	sizeID, err := idconv.Optional(ctx, s.tx, p, actor, "ProductSize", a.ProductSize, path.Key("productSize"))
	if err != nil {
		return l, 0, false, err
	}
	if a.ProductSize == nil {
		p.Add(path.Key("productSize"), "productSize is required.")
	}
	displayID, err := idconv.Optional(ctx, s.tx, p, actor, "Display", a.Display, path.Key("display"))
	if err != nil {
		return l, 0, false, err
	}
	if a.Display == nil {
		p.Add(path.Key("display"), "display is required.")
	}
	var unit money.Amount
	if a.UnitPrice == nil {
		p.Add(path.Key("unitPrice"), "unitPrice is required, in the order's currency %s.", s.order.Currency)
	} else if unit, err = a.UnitPrice.Amount(); err != nil {
		p.Add(path.Key("unitPrice"), "%s", err)
	} else if unit.Currency != s.order.Currency {
		p.Add(path.Key("unitPrice", "currencyIsoCode"), "The order is in %s; unitPrice is in %s.", s.order.Currency, unit.Currency)
	} else if unit.Minor < 0 {
		p.Add(path.Key("unitPrice", "value"), "unitPrice must not be negative.")
	}
	taxGroupID, err := idconv.Optional(ctx, s.tx, p, actor, "TaxGroup", a.TaxGroup, path.Key("taxGroup"))
	if err != nil {
		return l, 0, false, err
	}
	if a.DeliveryWindow != nil && a.DeliveryWindow.ID == nil {
		p.Add(path.Key("deliveryWindow"), "Point at the delivery window with its id.")
	}
	if len(p.Errors) > bad || sizeID == nil || displayID == nil {
		return l, 0, false, nil
	}
	ps, err := store.GetProductSize(ctx, s.tx, *sizeID)
	if err != nil {
		return l, 0, false, err
	}
	v, err := store.GetVariant(ctx, s.tx, ps.ProductVariantID)
	if err != nil {
		return l, 0, false, err
	}
	prod, err := store.GetProduct(ctx, s.tx, v.ProductID)
	if err != nil {
		return l, 0, false, err
	}
	d, err := store.GetDisplay(ctx, s.tx, *displayID)
	if err != nil {
		return l, 0, false, err
	}
	if d.StoreID != s.order.StoreID {
		p.Add(path.Key("display"), "Display %d belongs to store %d, not to the order's store %d.", d.ID, d.StoreID, s.order.StoreID)
		return l, 0, false, nil
	}
	dv, err := store.DisplayVariantID(ctx, s.tx, d.ID, v.ID)
	if errors.Is(err, seam.ErrNotFound) {
		p.Add(path.Key("productSize"), "Display %d does not show variant %d of product size %d.", d.ID, v.ID, ps.ID)
		return l, 0, false, nil
	} else if err != nil {
		return l, 0, false, err
	}
	if taxGroupID == nil {
		taxGroupID = d.TaxGroupID
	}
	rate, err := s.taxRate(ctx, taxGroupID)
	if err != nil {
		return l, 0, false, err
	}
	l = store.OrderLine{OrderID: s.order.ID, DisplayVariantID: &dv, ProductID: prod.ID, ProductVariantID: v.ID, ProductSizeID: ps.ID,
		ProductName: prod.Name, VariantName: v.Name, SizeName: ps.Size.Name, SKU: ps.SKU, EAN: ps.EAN, UnitPrice: unit.Minor,
		UnitOriginalPrice: unit.Minor, TaxPercent: rate.Trim(0).String()}
	if a.Comment != nil {
		l.Comment = *a.Comment
	}
	if a.DeliveryWindow != nil {
		l.DeliveryWindowID = a.DeliveryWindow.ID
	}
	return l, d.ID, true, nil
}

// taxRate is the rate of a tax group (nil: the store's default) in the
// order's country; a VAT-exempt order or one without a country pays none.
func (s *lineSet) taxRate(ctx context.Context, group *int64) (decimal.Decimal, error) {
	if s.order.VatExempt || s.order.CountryID == nil {
		return decimal.Zero, nil
	}
	if group == nil {
		st, err := store.GetStore(ctx, s.tx, s.order.StoreID)
		if err != nil {
			return decimal.Zero, err
		}
		if group = st.DefaultTaxGroupID; group == nil {
			return decimal.Zero, nil
		}
	}
	rules, err := store.TaxRulesByCountry(ctx, s.tx, *s.order.CountryID)
	if err != nil {
		return decimal.Zero, err
	}
	found := decimal.Zero
	for _, r := range rules {
		if r.TaxGroupID != *group || (r.StateID != nil && (s.order.StateID == nil || *r.StateID != *s.order.StateID)) {
			continue
		}
		if found, err = decimal.Parse(r.Rate); err != nil || r.StateID != nil {
			return found, err
		}
	}
	return found, nil
}

// setQuantity gives a line a new quantity (and cancelled quantity) and
// moves its amounts, and the order's totals, with it: the discount in
// proportion, the line value, and the tax at the line's rate.
func (s *lineSet) setQuantity(l *store.OrderLine, quantity, cancelled int64) error {
	rate, err := decimal.Parse(l.TaxPercent)
	if err != nil {
		return fmt.Errorf("order line %d: tax percent %q: %w", l.ID, l.TaxPercent, err)
	}
	discount := int64(0)
	if l.Quantity > 0 {
		discount = (l.Discount*quantity + l.Quantity/2) / l.Quantity
	}
	value := l.UnitPrice*quantity - discount
	var tax int64
	if s.order.PricesIncludeTax {
		tax, err = money.TaxIncluded(value, rate)
	} else {
		tax, err = money.TaxExcluded(value, rate)
	}
	if err != nil {
		return fmt.Errorf("order line %d: tax: %w", l.ID, err)
	}
	o := s.order
	o.ItemsTotal += l.UnitPrice * (quantity - l.Quantity)
	o.Discount += discount - l.Discount
	o.Tax += tax - l.Tax
	o.GrandTotal += value - l.LineValue
	if !o.PricesIncludeTax {
		o.GrandTotal += tax - l.Tax
	}
	l.Quantity, l.CancelledQuantity, l.Discount, l.LineValue, l.Tax = quantity, cancelled, discount, value, tax
	return nil
}

// cancel cancels units of lines and does the stock action for each.
func (s *lineSet) cancel(ctx context.Context, p *seam.Problems, actor seam.Actor, in []CancelLine) error {
	for i, c := range in {
		path := seam.P("input", "cancelLines").Index(i)
		if c.Line == nil || c.Line.ID == nil {
			p.Add(path.Key("line"), "Point at the order line with its id.")
			continue
		}
		var l *store.OrderLine
		for j := range s.lines {
			if s.lines[j].ID == *c.Line.ID {
				l = &s.lines[j]
			}
		}
		if l == nil {
			p.Add(path.Key("line", "id"), "Order %d has no line with ID %d.", s.order.Number, *c.Line.ID)
			continue
		}
		left := l.Quantity - l.ShippedQuantity
		switch {
		case c.Quantity < 1:
			p.Add(path.Key("quantity"), "quantity must be at least 1, got %d.", c.Quantity)
			continue
		case c.Quantity > left:
			p.Add(path.Key("quantity"), "Line %d has %d unit(s) left to cancel; cannot cancel %d.", l.ID, left, c.Quantity)
			continue
		}
		action, target, err := s.stockAction(ctx, p, actor, c, path)
		if err != nil {
			return err
		}
		if action == "" {
			continue
		}
		if err := s.setQuantity(l, l.Quantity-c.Quantity, l.CancelledQuantity+c.Quantity); err != nil {
			return err
		}
		if err := store.UpdateOrderLine(ctx, s.tx, *l); err != nil {
			return err
		}
		if err := unallocate(ctx, s.tx, l.ID, c.Quantity, action, target); err != nil {
			return err
		}
	}
	return nil
}

// stockAction reads the one stock action a cancelled line gives.
func (s *lineSet) stockAction(ctx context.Context, p *seam.Problems, actor seam.Actor, c CancelLine, path seam.Path) (string, int64, error) {
	if (c.StockAction == nil) == (c.StockActionPolicy == nil) {
		p.Add(path, "Give exactly one of stockAction and stockActionPolicy.")
		return "", 0, nil
	}
	if c.StockAction != nil {
		switch *c.StockAction {
		case ReleaseBackToWarehouse, RemoveFromWarehouse:
			return *c.StockAction, 0, nil
		}
		p.Add(path.Key("stockAction"), "Unknown stock action %q; use %s or %s.", *c.StockAction, ReleaseBackToWarehouse, RemoveFromWarehouse)
		return "", 0, nil
	}
	sp := c.StockActionPolicy
	path = path.Key("stockActionPolicy")
	n := 0
	for _, set := range []bool{sp.ReleaseBackToWarehouse != nil && *sp.ReleaseBackToWarehouse, sp.RemoveFromWarehouse != nil && *sp.RemoveFromWarehouse,
		sp.SendToWarehouse != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		p.Add(path, "Exactly one input field should be provided (releaseBackToWarehouse: true, removeFromWarehouse: true or sendToWarehouse), got %d.", n)
		return "", 0, nil
	}
	switch {
	case sp.ReleaseBackToWarehouse != nil && *sp.ReleaseBackToWarehouse:
		return ReleaseBackToWarehouse, 0, nil
	case sp.RemoveFromWarehouse != nil && *sp.RemoveFromWarehouse:
		return RemoveFromWarehouse, 0, nil
	}
	w, err := idconv.Optional(ctx, s.tx, p, actor, "Warehouse", sp.SendToWarehouse, path.Key("sendToWarehouse"))
	if err != nil || w == nil {
		return "", 0, err
	}
	return "SEND_TO_WAREHOUSE", *w, nil
}

// allocate takes up to n units of a size's free stock for an order line,
// warehouse by warehouse in priority order, one conditional update each,
// and returns how many it took.
func allocate(ctx context.Context, tx *db.Tx, lineID, productSizeID, n int64) (int64, error) {
	warehouses, err := store.ListWarehouses(ctx, tx, store.WarehouseFilter{}, []store.Sort{{Field: "priority"}}, store.Page{})
	if err != nil {
		return 0, err
	}
	levels, err := store.StockByProductSizeIDs(ctx, tx, []int64{productSizeID})
	if err != nil {
		return 0, err
	}
	byWarehouse := map[int64]store.StockLevel{}
	for _, lv := range levels {
		byWarehouse[lv.WarehouseID] = lv
	}
	need := n
	for _, w := range warehouses {
		lv, ok := byWarehouse[w.ID]
		for ok && need > 0 {
			take := min(need, lv.FreeToAllocate())
			if take <= 0 {
				break
			}
			got, err := store.Allocate(ctx, tx, w.ID, productSizeID, take)
			if err != nil {
				return 0, err
			}
			if got {
				if err := store.InsertAllocation(ctx, tx, store.Allocation{OrderLineID: lineID, WarehouseID: w.ID, ProductSizeID: productSizeID,
					Quantity: take}); err != nil {
					return 0, err
				}
				need -= take
				break
			}
			// Someone took stock since the read: read it again.
			if lv, err = store.GetStock(ctx, tx, w.ID, productSizeID); err != nil {
				return 0, err
			}
		}
	}
	return n - need, nil
}

// unallocate takes n cancelled units off a line's allocations, newest
// first, and does the stock action with them. Units that were never
// allocated need nothing.
func unallocate(ctx context.Context, tx *db.Tx, lineID, n int64, action string, target int64) error {
	allocs, err := store.AllocationsByLineIDs(ctx, tx, []int64{lineID})
	if err != nil {
		return err
	}
	for i := len(allocs) - 1; i >= 0 && n > 0; i-- {
		a := allocs[i]
		take := min(n, a.Quantity)
		if err := store.Release(ctx, tx, a.WarehouseID, a.ProductSizeID, take); err != nil {
			return err
		}
		if action != ReleaseBackToWarehouse {
			ok, err := store.DecreaseStock(ctx, tx, a.WarehouseID, a.ProductSizeID, take)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("remove %d of product size %d from warehouse %d: %w", take, a.ProductSizeID, a.WarehouseID, seam.ErrConflict)
			}
			if action == "SEND_TO_WAREHOUSE" {
				if err := store.IncreaseStock(ctx, tx, target, a.ProductSizeID, take); err != nil {
					return err
				}
			}
		}
		if err := store.TakeAllocation(ctx, tx, a.ID, take); err != nil {
			return err
		}
		n -= take
	}
	return nil
}
