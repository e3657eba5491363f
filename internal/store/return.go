package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
)

// Return statuses.
const (
	ReturnInProgress = "IN_PROGRESS"
	ReturnCompleted  = "COMPLETED"
)

// Return stock policies: where returned units go.
const (
	ReturnToWarehouse      = "releaseItemsBackToWarehouse"
	ReturnToOtherWarehouse = "sendItemsToDifferentWarehouse"
	ReturnRemoveFromStock  = "removeItemsFromStock"
)

// Return is units of a shipment coming back, with the costs given back
// with them (minor units of Currency).
type Return struct {
	ID          int64
	ShipmentID  int64
	OrderID     int64
	StoreID     int64
	Status      string
	StockPolicy string
	WarehouseID *int64
	Currency    string
	Shipping    int64
	Handling    int64
	Voucher     int64
	Comment     *string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt *time.Time
	// DeletedLines are the lines of a deleted return, which can no longer
	// be loaded; nil otherwise.
	DeletedLines []ReturnLine
}

const returnSelect = `SELECT id, shipment_id, order_id, store_id, status, stock_policy, warehouse_id, currency, shipping_minor, handling_minor,
	voucher_minor, comment, created_at, updated_at, completed_at FROM shipment_return`

func scanReturn(s scanner) (Return, error) {
	var r Return
	var wh sql.NullInt64
	var comment sql.NullString
	var completed sql.NullTime
	err := s.Scan(&r.ID, &r.ShipmentID, &r.OrderID, &r.StoreID, &r.Status, &r.StockPolicy, &wh, &r.Currency, &r.Shipping, &r.Handling, &r.Voucher,
		&comment, &r.CreatedAt, &r.UpdatedAt, &completed)
	r.WarehouseID, r.Comment, r.CompletedAt = nullInt(wh), nullString(comment), nullTime(completed)
	return r, err
}

// InsertReturn stores a return (not its lines).
func InsertReturn(ctx context.Context, q db.Q, r *Return) error {
	id, err := insertID(ctx, q, `INSERT INTO shipment_return (shipment_id, order_id, store_id, status, stock_policy, warehouse_id, currency,
		shipping_minor, handling_minor, voucher_minor, comment, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		RETURNING id`, r.ShipmentID, r.OrderID, r.StoreID, r.Status, r.StockPolicy, r.WarehouseID, r.Currency, r.Shipping, r.Handling, r.Voucher,
		r.Comment, db.Time(r.CreatedAt), db.Time(r.UpdatedAt))
	r.ID = id
	return err
}

// GetReturn loads one return.
func GetReturn(ctx context.Context, q db.Q, id int64) (Return, error) {
	return one(ctx, q, scanReturn, returnSelect+` WHERE id = $1`, id)
}

// ReturnsByIDs loads returns by id.
func ReturnsByIDs(ctx context.Context, q db.Q, ids []int64) ([]Return, error) {
	return byIDs(ctx, q, scanReturn, returnSelect, "id", ids, "")
}

// ReturnsOfShipments loads the returns of shipments.
func ReturnsOfShipments(ctx context.Context, q db.Q, ids []int64) ([]Return, error) {
	return byIDs(ctx, q, scanReturn, returnSelect, "shipment_id", ids, " ORDER BY shipment_id, id")
}

// ReturnsOfOrders loads the returns of orders.
func ReturnsOfOrders(ctx context.Context, q db.Q, ids []int64) ([]Return, error) {
	return byIDs(ctx, q, scanReturn, returnSelect, "order_id", ids, " ORDER BY order_id, id")
}

// ReturnFilter narrows a return list.
type ReturnFilter struct {
	IDs         []int64
	StoreIDs    []int64
	Statuses    []string
	ShipmentIDs []int64
}

// ListReturns lists returns, oldest first.
func ListReturns(ctx context.Context, q db.Q, f ReturnFilter, p Page) ([]Return, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "store_id", f.StoreIDs)
	in(&w, "status", f.Statuses)
	in(&w, "shipment_id", f.ShipmentIDs)
	return list(ctx, q, scanReturn, returnSelect, &w, " ORDER BY id", p)
}

// SetReturnStatus moves a return from one status to another, in one
// conditional statement; it reports whether it did.
func SetReturnStatus(ctx context.Context, q db.Q, id int64, from, to string, completedAt *time.Time, now time.Time) (bool, error) {
	return affected(q.ExecContext(ctx, `UPDATE shipment_return SET status = $3, completed_at = $4, updated_at = $5 WHERE id = $1 AND status = $2`,
		id, from, to, timeOrNil(completedAt), db.Time(now)))
}

// DeleteReturn removes a return and its lines; it reports whether it was
// there.
func DeleteReturn(ctx context.Context, q db.Q, id int64) (bool, error) {
	if _, err := q.ExecContext(ctx, `DELETE FROM return_line WHERE return_id = $1`, id); err != nil {
		return false, err
	}
	return affected(q.ExecContext(ctx, `DELETE FROM shipment_return WHERE id = $1`, id))
}

// ReturnLine is units of a shipment line in a return, and the warehouse
// they went back into (none when removed from stock).
type ReturnLine struct {
	ID             int64
	ReturnID       int64
	ShipmentLineID int64
	WarehouseID    *int64
	ProductSizeID  int64
	Quantity       int64
	Value          int64
}

// InsertReturnLine stores a return line.
func InsertReturnLine(ctx context.Context, q db.Q, l *ReturnLine) error {
	id, err := insertID(ctx, q, `INSERT INTO return_line (return_id, shipment_line_id, warehouse_id, product_size_id, quantity, value_minor)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, l.ReturnID, l.ShipmentLineID, l.WarehouseID, l.ProductSizeID, l.Quantity, l.Value)
	l.ID = id
	return err
}

// ReturnLinesOf loads the lines of returns.
func ReturnLinesOf(ctx context.Context, q db.Q, ids []int64) ([]ReturnLine, error) {
	return byIDs(ctx, q, func(s scanner) (ReturnLine, error) {
		var l ReturnLine
		var wh sql.NullInt64
		err := s.Scan(&l.ID, &l.ReturnID, &l.ShipmentLineID, &wh, &l.ProductSizeID, &l.Quantity, &l.Value)
		l.WarehouseID = nullInt(wh)
		return l, err
	}, `SELECT id, return_id, shipment_line_id, warehouse_id, product_size_id, quantity, value_minor FROM return_line`, "return_id", ids, " ORDER BY return_id, id")
}
