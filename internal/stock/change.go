package stock

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

// MaxQuantity bounds a single stock quantity or change.
const MaxQuantity = 1_000_000_000

// ChangeInput changes stock by deltas (changeStock): into a warehouse,
// out of one, or from one into another.
type ChangeInput struct {
	IntoWarehouse    *seam.Ref
	OutFromWarehouse *seam.Ref
	Description      *string
	ProductVariants  []VariantChange
	ProductSizes     []SizeChange
}

// VariantChange lists the size changes of one variant.
type VariantChange struct {
	ProductVariant *seam.Ref
	UnitCost       *money.Input
	SizeChanges    []SizeChange
}

// SizeChange is the delivered quantity of one size: of the variant's chart
// (Size), or a product size directly (ProductSize).
type SizeChange struct {
	Size              *seam.Ref
	ProductSize       *seam.Ref
	DeliveredQuantity int
	UnitCost          *money.Input
}

// Change applies a stock change and records it. Taking stock out never
// takes more than is free to allocate: each size is one conditional update,
// so concurrent changes add up and never lose an update.
func Change(ctx context.Context, d *db.DB, actor seam.Actor, in ChangeInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		c := store.StockChange{Kind: store.StockChangeDelta, Description: description(&p, path, in.Description), CreatedBy: actor.Name, CreatedAt: db.Now()}
		var err error
		if c.IntoWarehouseID, err = idconv.Optional(ctx, tx, &p, actor, "Warehouse", in.IntoWarehouse, path.Key("intoWarehouse")); err != nil {
			return err
		}
		if c.OutWarehouseID, err = idconv.Optional(ctx, tx, &p, actor, "Warehouse", in.OutFromWarehouse, path.Key("outFromWarehouse")); err != nil {
			return err
		}
		if in.IntoWarehouse == nil && in.OutFromWarehouse == nil {
			p.Add(path, "Give intoWarehouse to add stock, outFromWarehouse to remove it, or both to move it.")
		}
		if c.IntoWarehouseID != nil && c.OutWarehouseID != nil && *c.IntoWarehouseID == *c.OutWarehouseID {
			p.Add(path.Key("intoWarehouse"), "intoWarehouse and outFromWarehouse are the same warehouse.")
		}
		lines, err := sizeLines(ctx, tx, &p, actor, in.ProductVariants, in.ProductSizes, path, true)
		if err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertStockChange(ctx, tx, &c); err != nil {
			return err
		}
		id = c.ID
		// Every row this change touches, locked (made when missing) in the
		// canonical order before any changes (store.LockStock). A row made
		// for a warehouse that had too little goes with the rollback.
		var keys []store.StockKey
		for _, l := range lines {
			for _, w := range []*int64{c.OutWarehouseID, c.IntoWarehouseID} {
				if w != nil {
					keys = append(keys, store.StockKey{ProductSizeID: l.productSizeID, WarehouseID: *w})
				}
			}
		}
		if _, err := store.LockStock(ctx, tx, keys, true); err != nil {
			return err
		}
		for _, l := range lines {
			if c.OutWarehouseID != nil {
				ok, err := store.DecreaseStock(ctx, tx, *c.OutWarehouseID, l.productSizeID, int64(l.quantity))
				if err != nil {
					return err
				}
				if !ok {
					level, err := store.GetStock(ctx, tx, *c.OutWarehouseID, l.productSizeID)
					if err != nil {
						return err
					}
					p.Add(l.path.Key("deliveredQuantity"), "Cannot take %d of %s out of warehouse %d: %d free to allocate (%d physical, %d allocated).",
						l.quantity, l.label, *c.OutWarehouseID, level.FreeToAllocate(), level.Physical, level.Allocated)
					continue
				}
				if err := store.InsertStockChangeLine(ctx, tx, &store.StockChangeLine{StockChangeID: c.ID, WarehouseID: *c.OutWarehouseID,
					ProductSizeID: l.productSizeID, Quantity: -int64(l.quantity), UnitCost: l.unitCost}); err != nil {
					return err
				}
			}
			if c.IntoWarehouseID != nil {
				if err := store.IncreaseStock(ctx, tx, *c.IntoWarehouseID, l.productSizeID, int64(l.quantity)); err != nil {
					return err
				}
				if err := store.InsertStockChangeLine(ctx, tx, &store.StockChangeLine{StockChangeID: c.ID, WarehouseID: *c.IntoWarehouseID,
					ProductSizeID: l.productSizeID, Quantity: int64(l.quantity), UnitCost: l.unitCost}); err != nil {
					return err
				}
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		return event.Change(ctx, tx, actor, nil, event.TypeStockChange, c.ID, event.Created)
	})
	return id, seam.Wrap(err, "change stock")
}

// Quantity types of setStock: PHYSICAL sets what is on the shelf;
// FREE_TO_ALLOCATE sets what orders may still take (physical = quantity +
// allocated).
var QuantityTypes = []string{"PHYSICAL", "FREE_TO_ALLOCATE"}

// SetInput sets absolute stock levels in one warehouse (setStock).
type SetInput struct {
	Warehouse         *seam.Ref
	Description       *string
	StockQuantityType *string
	ProductVariants   []VariantLevels
	ProductSizes      []SizeLevel
}

// VariantLevels lists the size levels of one variant.
type VariantLevels struct {
	ProductVariant  *seam.Ref
	UnitCost        *money.Input
	SizeStockLevels []SizeLevel
}

// SizeLevel is the absolute quantity of one size.
type SizeLevel struct {
	Size        *seam.Ref
	ProductSize *seam.Ref
	Quantity    int
	UnitCost    *money.Input
}

// SetResult is what Set did.
type SetResult struct {
	StockChangeID int64
	Warnings      []seam.UserError
}

// Set sets stock levels and records the differences as one stock change.
func Set(ctx context.Context, d *db.DB, actor seam.Actor, in SetInput) (SetResult, error) {
	var res SetResult
	err := d.Tx(ctx, func(tx *db.Tx) error {
		res = SetResult{}
		path := seam.P("input")
		var p seam.Problems
		c := store.StockChange{Kind: store.StockChangeAbsolute, Description: description(&p, path, in.Description), CreatedBy: actor.Name, CreatedAt: db.Now()}
		qtype := "PHYSICAL"
		if in.StockQuantityType != nil {
			qtype = *in.StockQuantityType
			if !slices.Contains(QuantityTypes, qtype) {
				p.Add(path.Key("stockQuantityType"), "stockQuantityType must be one of %s, got %q.", strings.Join(QuantityTypes, ", "), qtype)
			}
		}
		if in.Warehouse == nil {
			p.Add(path.Key("warehouse"), "Give the warehouse whose stock to set.")
		}
		wid, err := idconv.Optional(ctx, tx, &p, actor, "Warehouse", in.Warehouse, path.Key("warehouse"))
		if err != nil {
			return err
		}
		c.IntoWarehouseID = wid
		variants := make([]VariantChange, len(in.ProductVariants))
		for i, v := range in.ProductVariants {
			variants[i] = VariantChange{ProductVariant: v.ProductVariant, UnitCost: v.UnitCost}
			for _, l := range v.SizeStockLevels {
				variants[i].SizeChanges = append(variants[i].SizeChanges, SizeChange{Size: l.Size, DeliveredQuantity: l.Quantity, UnitCost: l.UnitCost})
			}
		}
		sizes := make([]SizeChange, len(in.ProductSizes))
		for i, l := range in.ProductSizes {
			sizes[i] = SizeChange{ProductSize: l.ProductSize, DeliveredQuantity: l.Quantity, UnitCost: l.UnitCost}
		}
		lines, err := sizeLines(ctx, tx, &p, actor, variants, sizes, path, false)
		if err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertStockChange(ctx, tx, &c); err != nil {
			return err
		}
		res.StockChangeID = c.ID
		keys := make([]store.StockKey, len(lines))
		for i, l := range lines {
			keys[i] = store.StockKey{ProductSizeID: l.productSizeID, WarehouseID: *wid}
		}
		if _, err := store.LockStock(ctx, tx, keys, true); err != nil {
			return err
		}
		for _, l := range lines {
			level, delta, err := store.SetStockLevel(ctx, tx, *wid, l.productSizeID, int64(l.quantity), qtype == "FREE_TO_ALLOCATE")
			if err != nil {
				return err
			}
			if level.FreeToAllocate() < 0 {
				p.Warn(l.path.Key("quantity"), "%s now has %d physical units in warehouse %d but %d are allocated to orders.", l.label, level.Physical, *wid, level.Allocated)
			}
			if delta == 0 {
				continue
			}
			if err := store.InsertStockChangeLine(ctx, tx, &store.StockChangeLine{StockChangeID: c.ID, WarehouseID: *wid,
				ProductSizeID: l.productSizeID, Quantity: delta, UnitCost: l.unitCost}); err != nil {
				return err
			}
		}
		res.Warnings = p.Warnings
		return event.Change(ctx, tx, actor, nil, event.TypeStockChange, c.ID, event.Created)
	})
	return res, seam.Wrap(err, "set stock")
}

func description(p *seam.Problems, path seam.Path, d *string) string {
	if d == nil || strings.TrimSpace(*d) == "" {
		p.Add(path.Key("description"), "Describe the stock change (description must not be empty).")
		return ""
	}
	return strings.TrimSpace(*d)
}

// line is one resolved size of a stock input.
type line struct {
	productSizeID int64
	quantity      int
	unitCost      *money.Amount
	label         string
	path          seam.Path
}

// sizeLines resolves the sizes of a stock input, checking quantities: a
// change (delta) must be positive, a level must not be negative. A size
// listed twice is refused.
func sizeLines(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, variants []VariantChange, sizes []SizeChange, path seam.Path, delta bool) ([]line, error) {
	var out []line
	seen := map[int64]bool{}
	field := "deliveredQuantity"
	group, list := "sizeChanges", "productVariants"
	if !delta {
		field, group = "quantity", "sizeStockLevels"
	}
	add := func(l line) {
		switch {
		case delta && l.quantity < 1:
			p.Add(l.path.Key(field), "%s must be at least 1, got %d; use outFromWarehouse to remove stock.", field, l.quantity)
		case l.quantity < 0:
			p.Add(l.path.Key(field), "%s must not be negative, got %d.", field, l.quantity)
		case l.quantity > MaxQuantity:
			p.Add(l.path.Key(field), "%s must be at most %d, got %d.", field, MaxQuantity, l.quantity)
		case seen[l.productSizeID]:
			p.Add(l.path, "%s is listed twice in this stock change.", l.label)
		default:
			seen[l.productSizeID] = true
			out = append(out, l)
		}
	}
	cost := func(in *money.Input, path seam.Path) *money.Amount {
		if in == nil {
			return nil
		}
		a, err := catalog.Amount(path, *in)
		if p.Merge(err) {
			return nil
		}
		return &a
	}
	for i, vc := range variants {
		vp := path.Key(list).Index(i)
		if vc.ProductVariant == nil {
			p.Add(vp.Key("productVariant"), "Give the product variant.")
			continue
		}
		vid, ok, err := idconv.Collect(ctx, tx, p, actor, "ProductVariant", vc.ProductVariant, vp.Key("productVariant"))
		if err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		v, err := store.GetVariant(ctx, tx, vid)
		if err != nil {
			return nil, err
		}
		variantCost := cost(vc.UnitCost, vp.Key("unitCost"))
		if len(vc.SizeChanges) == 0 {
			p.Add(vp.Key(group), "List at least one size.")
		}
		for j, sc := range vc.SizeChanges {
			sp := vp.Key(group).Index(j)
			ps, size, err := catalog.ResolveProductSize(ctx, tx, actor, v, sc.Size, sp.Key("size"))
			if p.Merge(err) {
				continue
			} else if err != nil {
				return nil, err
			}
			l := line{productSizeID: ps.ID, quantity: sc.DeliveredQuantity, unitCost: variantCost, path: sp,
				label: "size " + size.Name + " of product variant " + idString(v.ID)}
			if sc.UnitCost != nil {
				l.unitCost = cost(sc.UnitCost, sp.Key("unitCost"))
			}
			add(l)
		}
	}
	for i, sc := range sizes {
		sp := path.Key("productSizes").Index(i)
		if sc.ProductSize == nil {
			p.Add(sp.Key("productSize"), "Give the product size.")
			continue
		}
		psid, ok, err := idconv.Collect(ctx, tx, p, actor, "ProductSize", sc.ProductSize, sp.Key("productSize"))
		if err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		add(line{productSizeID: psid, quantity: sc.DeliveredQuantity, unitCost: cost(sc.UnitCost, sp.Key("unitCost")), path: sp,
			label: "product size " + idString(psid)})
	}
	if len(variants) == 0 && len(sizes) == 0 {
		p.Add(path.Key(list), "List the product variants (or productSizes) whose stock changes.")
	}
	return out, nil
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }
