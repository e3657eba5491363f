package store

import (
	"context"

	"seam/internal/db"
)

// DisplayItem is one variant shown by a display: what a storefront sells as
// a product. Its ID is the Checkout API's product id.
type DisplayItem struct {
	ID        int64
	DisplayID int64
	VariantID int64
}

const displayItemSelect = `SELECT dv.id, dv.display_id, dv.product_variant_id FROM display_variant dv`

func scanDisplayItem(s scanner) (DisplayItem, error) {
	var d DisplayItem
	err := s.Scan(&d.ID, &d.DisplayID, &d.VariantID)
	return d, err
}

// DisplayItemsByIDs loads display items by id.
func DisplayItemsByIDs(ctx context.Context, q db.Q, ids []int64) ([]DisplayItem, error) {
	return byIDs(ctx, q, scanDisplayItem, displayItemSelect, "dv.id", ids, "")
}

// DisplayItemsByDisplayIDs loads the items of displays.
func DisplayItemsByDisplayIDs(ctx context.Context, q db.Q, ids []int64) ([]DisplayItem, error) {
	return byIDs(ctx, q, scanDisplayItem, displayItemSelect, "dv.display_id", ids, " ORDER BY dv.display_id, dv.id")
}

// ShopFilter selects what a storefront lists: the active display items of
// a store that are shown in a market and priced in a pricelist.
type ShopFilter struct {
	StoreID       int64
	MarketID      int64
	PricelistID   int64
	IDs           []int64
	VariantIDs    []int64
	CategoryIDs   []int64
	BrandIDs      []int64
	Search        string
	OnlyAvailable bool
}

func (f ShopFilter) where() *where {
	var w where
	w.add("d.store_id = ?", f.StoreID)
	w.add("d.status = 'ACTIVE' AND v.status = 'ACTIVE' AND p.status = 'ACTIVE'")
	w.add("(NOT EXISTS (SELECT 1 FROM display_market dm WHERE dm.display_id = d.id) OR EXISTS (SELECT 1 FROM display_market dm WHERE dm.display_id = d.id AND dm.market_id = ?))", f.MarketID)
	w.add("EXISTS (SELECT 1 FROM price pr WHERE pr.pricelist_id = ? AND pr.product_id = p.id AND pr.product_variant_id IN (0, v.id))", f.PricelistID)
	in(&w, "dv.id", f.IDs)
	in(&w, "v.id", f.VariantIDs)
	if f.CategoryIDs != nil {
		if len(f.CategoryIDs) == 0 {
			w.conds = append(w.conds, "1 = 0")
		} else {
			args := make([]any, len(f.CategoryIDs))
			for i, id := range f.CategoryIDs {
				args[i] = id
			}
			w.add("EXISTS (SELECT 1 FROM display_category dc WHERE dc.display_id = d.id AND dc.category_id IN ("+marks(len(args))+"))", args...)
		}
	}
	in(&w, "p.brand_id", f.BrandIDs)
	if f.Search != "" {
		needle := "%" + likeEscaper.Replace(lower(f.Search)) + "%"
		w.add(`(LOWER(d.name) LIKE ? ESCAPE '\' OR LOWER(v.name) LIKE ? ESCAPE '\' OR LOWER(p.product_number) LIKE ? ESCAPE '\')`, needle, needle, needle)
	}
	if f.OnlyAvailable {
		w.add("EXISTS (SELECT 1 FROM product_size ps JOIN stock s ON s.product_size_id = ps.id WHERE ps.product_variant_id = v.id AND s.physical - s.allocated > 0)")
	}
	return &w
}

const shopFrom = ` FROM display_variant dv JOIN display d ON d.id = dv.display_id JOIN product_variant v ON v.id = dv.product_variant_id
	JOIN product p ON p.id = v.product_id`

// ShopItems lists the display items a storefront shows, in display order.
func ShopItems(ctx context.Context, q db.Q, f ShopFilter, p Page) ([]DisplayItem, error) {
	w := f.where()
	return all(ctx, q, scanDisplayItem, `SELECT dv.id, dv.display_id, dv.product_variant_id`+shopFrom+w.sql()+` ORDER BY d.id, dv.id`+p.sqlClause(), w.args...)
}

// CountShopItems counts what ShopItems would list without a page.
func CountShopItems(ctx context.Context, q db.Q, f ShopFilter) (int64, error) {
	w := f.where()
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COUNT(*)`+shopFrom+w.sql(), w.args...).Scan(&n)
	return n, err
}
