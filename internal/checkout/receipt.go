package checkout

import (
	"context"

	"seam/internal/store"
)

// OrderDetail is an order as a storefront's receipt shows it: its lines,
// each line's product as the order's pricelist sells it now (nil when the
// display is gone), and its shipments.
type OrderDetail struct {
	Order     store.Order
	Lines     []store.OrderLine
	Products  map[int64]Product
	Shipments []store.Shipment
}

// Detail loads what a receipt shows of an order.
func (s *Service) Detail(ctx context.Context, o store.Order) (OrderDetail, error) {
	q := s.DB.Read()
	d := OrderDetail{Order: o, Products: map[int64]Product{}}
	var err error
	if d.Lines, err = store.OrderLinesByOrderIDs(ctx, q, []int64{o.ID}); err != nil {
		return d, err
	}
	if d.Shipments, err = store.ShipmentsOfOrders(ctx, q, []int64{o.ID}); err != nil {
		return d, err
	}
	var ids []int64
	for _, l := range d.Lines {
		if l.DisplayVariantID != nil {
			ids = append(ids, *l.DisplayVariantID)
		}
	}
	if len(ids) == 0 {
		return d, nil
	}
	pl, err := store.GetPricelist(ctx, q, o.PricelistID)
	if err != nil {
		return d, err
	}
	items, err := store.DisplayItemsByIDs(ctx, q, ids)
	if err != nil {
		return d, err
	}
	products, err := loadProducts(ctx, q, pl, items, s.Now())
	if err != nil {
		return d, err
	}
	for _, p := range products {
		d.Products[p.ID] = p
	}
	return d, nil
}
