package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
	"seam/internal/mutant"
)

// Shipment is a parcel of an order: some of its lines' units, the money
// they are worth and how they travel. Amounts are minor units of Currency.
// Discount is the order discounts its lines carry; Credit what gift
// certificates paid of it, so GrandTotal − Credit is what a capture takes.
type Shipment struct {
	ID                   int64
	OrderID              int64
	Number               string
	IsGoodToGo           bool
	IsPaid               bool
	CreatedAt            time.Time
	UpdatedAt            *time.Time
	ShippedAt            *time.Time
	CompletedAt          *time.Time
	PaidAt               *time.Time
	CapturedAt           *time.Time
	AdditionalMessage    *string
	Carrier              *string
	Service              *string
	Packages             int64
	TrackingNumber       *string
	ReturnTrackingNumber *string
	InternalCostMinor    *int64
	InternalCostCurrency *string
	Currency             *string
	Items                int64
	Shipping             int64
	Handling             int64
	Tax                  int64
	Discount             int64
	GrandTotal           int64
	Credit               int64
	ReturnedShipping     int64
	ReturnedHandling     int64
	ReturnedDiscount     int64
}

const shipmentSelect = `SELECT id, order_id, number, is_good_to_go, is_paid, created_at, updated_at, shipped_at, completed_at, paid_at, captured_at,
	additional_message, carrier, service, packages, tracking_number, return_tracking_number, internal_cost_minor, internal_cost_currency, currency,
	items_minor, shipping_minor, handling_minor, tax_minor, discount_minor, grand_total_minor, credit_minor, returned_shipping_minor,
	returned_handling_minor, returned_discount_minor FROM shipment`

func scanShipment(s scanner) (Shipment, error) {
	var sh Shipment
	var updated, shipped, completed, paid, captured sql.NullTime
	var msg, carrier, service, tracking, retTracking, costCur, cur sql.NullString
	var cost sql.NullInt64
	err := s.Scan(&sh.ID, &sh.OrderID, &sh.Number, &sh.IsGoodToGo, &sh.IsPaid, &sh.CreatedAt, &updated, &shipped, &completed, &paid, &captured,
		&msg, &carrier, &service, &sh.Packages, &tracking, &retTracking, &cost, &costCur, &cur, &sh.Items, &sh.Shipping, &sh.Handling, &sh.Tax,
		&sh.Discount, &sh.GrandTotal, &sh.Credit, &sh.ReturnedShipping, &sh.ReturnedHandling, &sh.ReturnedDiscount)
	sh.UpdatedAt, sh.ShippedAt, sh.CompletedAt, sh.PaidAt, sh.CapturedAt = nullTime(updated), nullTime(shipped), nullTime(completed), nullTime(paid), nullTime(captured)
	sh.AdditionalMessage, sh.Carrier, sh.Service = nullString(msg), nullString(carrier), nullString(service)
	sh.TrackingNumber, sh.ReturnTrackingNumber, sh.InternalCostCurrency, sh.Currency = nullString(tracking), nullString(retTracking), nullString(costCur), nullString(cur)
	sh.InternalCostMinor = nullInt(cost)
	return sh, err
}

// InsertShipment stores a shipment (not its lines).
func InsertShipment(ctx context.Context, q db.Q, sh *Shipment) error {
	updated := sh.UpdatedAt
	if updated == nil {
		updated = &sh.CreatedAt
	}
	id, err := insertID(ctx, q, `INSERT INTO shipment (order_id, number, is_good_to_go, is_paid, created_at, shipped_at, completed_at, updated_at,
		paid_at, additional_message, currency, items_minor, shipping_minor, handling_minor, tax_minor, discount_minor, grand_total_minor, credit_minor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
		sh.OrderID, sh.Number, sh.IsGoodToGo, sh.IsPaid, db.Time(sh.CreatedAt), timeOrNil(sh.ShippedAt), timeOrNil(sh.CompletedAt), db.Time(*updated),
		timeOrNil(sh.PaidAt), sh.AdditionalMessage, sh.Currency, sh.Items, sh.Shipping, sh.Handling, sh.Tax, sh.Discount, sh.GrandTotal, sh.Credit)
	sh.ID = id
	return err
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return db.Time(*t)
}

// GetShipment loads one shipment.
func GetShipment(ctx context.Context, q db.Q, id int64) (Shipment, error) {
	return one(ctx, q, scanShipment, shipmentSelect+` WHERE id = $1`, id)
}

// ShipmentsByIDs loads shipments by id.
func ShipmentsByIDs(ctx context.Context, q db.Q, ids []int64) ([]Shipment, error) {
	return byIDs(ctx, q, scanShipment, shipmentSelect, "id", ids, "")
}

// ShipmentsOfOrders loads the shipments of orders.
func ShipmentsOfOrders(ctx context.Context, q db.Q, ids []int64) ([]Shipment, error) {
	return byIDs(ctx, q, scanShipment, shipmentSelect, "order_id", ids, " ORDER BY order_id, id")
}

// UpdateShipment writes a shipment's changeable fields: flags, dates,
// message and shipping details.
func UpdateShipment(ctx context.Context, q db.Q, sh Shipment) error {
	_, err := q.ExecContext(ctx, `UPDATE shipment SET is_good_to_go = $2, is_paid = $3, updated_at = $4, shipped_at = $5, completed_at = $6,
		paid_at = $7, additional_message = $8, carrier = $9, service = $10, packages = $11, tracking_number = $12, return_tracking_number = $13,
		internal_cost_minor = $14, internal_cost_currency = $15 WHERE id = $1`,
		sh.ID, sh.IsGoodToGo, sh.IsPaid, timeOrNil(sh.UpdatedAt), timeOrNil(sh.ShippedAt), timeOrNil(sh.CompletedAt), timeOrNil(sh.PaidAt),
		sh.AdditionalMessage, sh.Carrier, sh.Service, sh.Packages, sh.TrackingNumber, sh.ReturnTrackingNumber, sh.InternalCostMinor,
		sh.InternalCostCurrency)
	return err
}

// CompleteShipment marks a shipment shipped, only if it is not yet; it
// reports whether it did.
func CompleteShipment(ctx context.Context, q db.Q, id int64, shippedAt, now time.Time) (bool, error) {
	return affected(q.ExecContext(ctx, `UPDATE shipment SET shipped_at = $2, completed_at = $3, updated_at = $3 WHERE id = $1 AND completed_at IS NULL`,
		id, db.Time(shippedAt), db.Time(now)))
}

// CountShipments counts the shipments of an order.
func CountShipments(ctx context.Context, q db.Q, orderID int64) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM shipment WHERE order_id = $1`, orderID).Scan(&n)
	return n, err
}

// ClaimShipmentCosts sets returned shipping, handling and discount against
// a shipment, only if each stays within what the shipment carries, in one
// conditional statement; it reports whether it did.
func ClaimShipmentCosts(ctx context.Context, q db.Q, id, shipping, handling, discount int64) (bool, error) {
	return affected(q.ExecContext(ctx, `UPDATE shipment SET returned_shipping_minor = returned_shipping_minor + $2,
		returned_handling_minor = returned_handling_minor + $3, returned_discount_minor = returned_discount_minor + $4
		WHERE id = $1 AND shipping_minor - returned_shipping_minor >= $2 AND handling_minor - returned_handling_minor >= $3
		AND discount_minor - returned_discount_minor >= $4`, id, shipping, handling, discount))
}

// ShipmentLine is units of one order line in a shipment, from a warehouse.
// Value, Tax and Discount are the units' share of the order line's.
type ShipmentLine struct {
	ID               int64
	ShipmentID       int64
	OrderLineID      int64
	WarehouseID      *int64
	ProductSizeID    int64
	Quantity         int64
	ReturnedQuantity int64
	Value            int64
	Tax              int64
	Discount         int64
}

// InsertShipmentLine stores a shipment line.
func InsertShipmentLine(ctx context.Context, q db.Q, l *ShipmentLine) error {
	id, err := insertID(ctx, q, `INSERT INTO shipment_line (shipment_id, order_line_id, warehouse_id, product_size_id, quantity, value_minor, tax_minor,
		discount_minor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		l.ShipmentID, l.OrderLineID, l.WarehouseID, l.ProductSizeID, l.Quantity, l.Value, l.Tax, l.Discount)
	l.ID = id
	return err
}

const shipmentLineSelect = `SELECT id, shipment_id, order_line_id, warehouse_id, product_size_id, quantity, returned_quantity, value_minor, tax_minor,
	discount_minor FROM shipment_line`

func scanShipmentLine(s scanner) (ShipmentLine, error) {
	var l ShipmentLine
	var wh sql.NullInt64
	err := s.Scan(&l.ID, &l.ShipmentID, &l.OrderLineID, &wh, &l.ProductSizeID, &l.Quantity, &l.ReturnedQuantity, &l.Value, &l.Tax, &l.Discount)
	l.WarehouseID = nullInt(wh)
	return l, err
}

// ShipmentLinesOf loads the lines of shipments.
func ShipmentLinesOf(ctx context.Context, q db.Q, shipmentIDs []int64) ([]ShipmentLine, error) {
	return byIDs(ctx, q, scanShipmentLine, shipmentLineSelect, "shipment_id", shipmentIDs, " ORDER BY shipment_id, id")
}

// ShipmentLinesByIDs loads shipment lines by id.
func ShipmentLinesByIDs(ctx context.Context, q db.Q, ids []int64) ([]ShipmentLine, error) {
	return byIDs(ctx, q, scanShipmentLine, shipmentLineSelect, "id", ids, " ORDER BY id")
}

// ClaimOrderLineUnits puts n more units of an order line into shipments,
// only if that many are not in one yet; it reports whether it did.
func ClaimOrderLineUnits(ctx context.Context, q db.Q, orderLineID, n int64) (bool, error) {
	return affected(q.ExecContext(ctx, `UPDATE order_line SET shipment_quantity = shipment_quantity + $2
		WHERE id = $1 AND quantity - shipment_quantity >= $2`, orderLineID, n))
}

// ShipmentQuantities maps the lines of an order to the units of each in
// shipments.
func ShipmentQuantities(ctx context.Context, q db.Q, orderID int64) (map[int64]int64, error) {
	type row struct{ id, n int64 }
	rows, err := all(ctx, q, func(s scanner) (row, error) {
		var r row
		err := s.Scan(&r.id, &r.n)
		return r, err
	}, `SELECT id, shipment_quantity FROM order_line WHERE order_id = $1`, orderID)
	out := map[int64]int64{}
	for _, r := range rows {
		out[r.id] = r.n
	}
	return out, err
}

// TakeLineAllocation moves n units of an order line's allocation in a
// warehouse to a shipment line, only if the allocation holds that many; it
// reports whether it did. Allocations left empty are removed.
func TakeLineAllocation(ctx context.Context, q db.Q, orderLineID, warehouseID, n int64) (bool, error) {
	ok, err := affected(q.ExecContext(ctx, `UPDATE order_allocation SET quantity = quantity - $3
		WHERE id = (SELECT MIN(id) FROM order_allocation WHERE order_line_id = $1 AND warehouse_id = $2 AND quantity >= $3)`, orderLineID, warehouseID, n))
	if err != nil || !ok {
		return ok, err
	}
	_, err = q.ExecContext(ctx, `DELETE FROM order_allocation WHERE order_line_id = $1 AND quantity = 0`, orderLineID)
	return true, err
}

// ShipOut takes n shipped units of a size out of a warehouse: physical and
// allocated stock both go down, only if that many are allocated; it
// reports whether it did.
func ShipOut(ctx context.Context, q db.Q, warehouseID, productSizeID, n int64) (bool, error) {
	return affected(q.ExecContext(ctx, `UPDATE stock SET physical = physical - $3, allocated = allocated - $3
		WHERE warehouse_id = $1 AND product_size_id = $2 AND allocated >= $3 AND physical >= $3`, warehouseID, productSizeID, n))
}

// ClaimReturnUnits marks n more units of a shipment line returned, only if
// that many are not returned yet (n < 0 gives units back); it reports
// whether it did.
func ClaimReturnUnits(ctx context.Context, q db.Q, shipmentLineID, n int64) (bool, error) {
	return affected(q.ExecContext(ctx, `UPDATE shipment_line SET returned_quantity = returned_quantity + $2
		WHERE id = $1 AND quantity - returned_quantity >= $2 AND returned_quantity + $2 >= 0`, shipmentLineID, n))
}

// affected reports whether a statement changed exactly one row.
func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Authorization is an order's AUTHORIZATION payment entry with what was
// captured of it.
type Authorization struct {
	PaymentEntry
	Captured int64
}

// AuthorizationOf loads an order's authorization; seam.ErrNotFound when
// nothing was authorized (credit paid it all).
func AuthorizationOf(ctx context.Context, q db.Q, orderID int64) (Authorization, error) {
	return one(ctx, q, func(s scanner) (Authorization, error) {
		var a Authorization
		var ref, method, params sql.NullString
		err := s.Scan(&a.ID, &a.OrderID, &a.EntryType, &a.Status, &a.Value, &a.Currency, &ref, &method, &params, &a.CreatedAt, &a.Captured)
		a.ExternalReference, a.PaymentMethod, a.Params = nullString(ref), nullString(method), nullString(params)
		return a, err
	}, `SELECT id, order_id, entry_type, status, value_minor, currency, external_reference, payment_method, params, created_at, captured_minor
		FROM payment_history WHERE order_id = $1 AND entry_type = 'AUTHORIZATION' AND status = 'SUCCESS' ORDER BY id LIMIT 1`, orderID)
}

// ClaimCapture books n (n < 0 gives back) against what an authorization
// has left to capture, only if that much is left, in one conditional
// statement; it reports whether it did.
func ClaimCapture(ctx context.Context, q db.Q, entryID, n int64) (bool, error) {
	return affected(q.ExecContext(ctx, mutant.Drop("capture-over-authorization", `UPDATE payment_history SET captured_minor = captured_minor + $2
		WHERE id = $1 AND entry_type = 'AUTHORIZATION' AND value_minor - captured_minor >= $2 AND captured_minor + $2 >= 0`, " AND value_minor - captured_minor >= $2"), entryID, n))
}

// ClaimShipmentCapture marks a shipment's capture as started, only if
// none was; it reports whether it did. ReleaseShipmentCapture undoes it
// after a provider refused.
func ClaimShipmentCapture(ctx context.Context, q db.Q, id int64, now time.Time) (bool, error) {
	return affected(q.ExecContext(ctx, `UPDATE shipment SET captured_at = $2, updated_at = $2 WHERE id = $1 AND captured_at IS NULL`, id, db.Time(now)))
}

// ReleaseShipmentCapture forgets a shipment's capture that failed.
func ReleaseShipmentCapture(ctx context.Context, q db.Q, id int64) error {
	_, err := q.ExecContext(ctx, `UPDATE shipment SET captured_at = NULL WHERE id = $1`, id)
	return err
}

// MarkShipmentPaid marks a shipment paid (once: paid_at keeps the first
// time).
func MarkShipmentPaid(ctx context.Context, q db.Q, id int64, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE shipment SET is_paid = TRUE, paid_at = COALESCE(paid_at, $2), updated_at = $2 WHERE id = $1`, id, db.Time(now))
	return err
}

// ShipmentFilter narrows a shipment list.
type ShipmentFilter struct {
	IDs         []int64
	OrderHashes []string
	StoreIDs    []int64
}

// ListShipments lists shipments, oldest first.
func ListShipments(ctx context.Context, q db.Q, f ShipmentFilter, p Page) ([]Shipment, error) {
	var w where
	in(&w, "id", f.IDs)
	if f.OrderHashes != nil {
		args := make([]any, len(f.OrderHashes))
		for i, h := range f.OrderHashes {
			args[i] = h
		}
		if len(args) == 0 {
			w.conds = append(w.conds, "1 = 0")
		} else {
			w.add("order_id IN (SELECT id FROM orders WHERE hash IN ("+marks(len(args))+"))", args...)
		}
	}
	if f.StoreIDs != nil {
		args := make([]any, len(f.StoreIDs))
		for i, id := range f.StoreIDs {
			args[i] = id
		}
		if len(args) == 0 {
			w.conds = append(w.conds, "1 = 0")
		} else {
			w.add("order_id IN (SELECT id FROM orders WHERE store_id IN ("+marks(len(args))+"))", args...)
		}
	}
	return list(ctx, q, scanShipment, shipmentSelect, &w, " ORDER BY id", p)
}
