package store

import (
	"context"
	"time"

	"seam/internal/db"
)

// UpdateOrder writes an order's editable fields: addresses, e-mail,
// customer, flags, cancellation comment and totals.
func UpdateOrder(ctx context.Context, q db.Q, o Order) error {
	_, err := q.ExecContext(ctx, `UPDATE orders SET address = $2, shipping_address = $3, email = $4, customer_id = $5, is_internal = $6,
		cancellation_comment = $7, items_total_minor = $8, discount_minor = $9, tax_minor = $10, grand_total_minor = $11, updated_at = $12
		WHERE id = $1`, o.ID, o.Address, o.ShippingAddress, o.Email, o.CustomerID, o.IsInternal, o.CancellationComment, o.ItemsTotal,
		o.Discount, o.Tax, o.GrandTotal, db.Time(o.UpdatedAt))
	return err
}

// SetOrderLocked locks or unlocks an order.
func SetOrderLocked(ctx context.Context, q db.Q, id int64, locked bool, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE orders SET is_locked = $2, updated_at = $3 WHERE id = $1`, id, locked, db.Time(now))
	return err
}

// UpdateOrderLine writes a line's quantities and amounts.
func UpdateOrderLine(ctx context.Context, q db.Q, l OrderLine) error {
	_, err := q.ExecContext(ctx, `UPDATE order_line SET quantity = $2, cancelled_quantity = $3, discount_minor = $4, line_value_minor = $5,
		tax_minor = $6 WHERE id = $1`, l.ID, l.Quantity, l.CancelledQuantity, l.Discount, l.LineValue, l.Tax)
	return err
}

// TakeAllocation lowers an allocation by n (deleting it at zero); the
// caller releases the stock.
func TakeAllocation(ctx context.Context, q db.Q, id, n int64) error {
	if _, err := q.ExecContext(ctx, `UPDATE order_allocation SET quantity = quantity - $2 WHERE id = $1`, id, n); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `DELETE FROM order_allocation WHERE id = $1 AND quantity <= 0`, id)
	return err
}

// DisplayVariantID finds the display item of a display showing a variant.
func DisplayVariantID(ctx context.Context, q db.Q, displayID, variantID int64) (int64, error) {
	return one(ctx, q, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	}, `SELECT id FROM display_variant WHERE display_id = $1 AND product_variant_id = $2`, displayID, variantID)
}

// DisplayOfVariants maps display item ids to their displays.
func DisplayOfVariants(ctx context.Context, q db.Q, ids []int64) (map[int64]int64, error) {
	type pair struct{ id, display int64 }
	rows, err := byIDs(ctx, q, func(s scanner) (pair, error) {
		var p pair
		return p, s.Scan(&p.id, &p.display)
	}, `SELECT id, display_id FROM display_variant`, "id", ids, "")
	out := map[int64]int64{}
	for _, p := range rows {
		out[p.id] = p.display
	}
	return out, err
}

// CountOrders counts the orders a filter matches.
func CountOrders(ctx context.Context, q db.Q, f OrderFilter) (int64, error) {
	w := f.where()
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders`+w.sql(), w.args...).Scan(&n)
	return n, err
}
