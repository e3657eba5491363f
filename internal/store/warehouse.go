package store

import (
	"context"
	"database/sql"

	"seam/internal/db"
)

// Warehouse holds stock. Lower Priority is allocated from first.
type Warehouse struct {
	ID                    int64
	Name                  string
	Priority              int
	IsHiddenFromStockView bool
	Threshold             int
	StockMaster           string
	StockOwnership        string
	AllocationPolicy      string
	IsConsignation        bool
	CountryID             *int64
	StateID               *int64
	ZipCode               *string
}

const warehouseSelect = `SELECT id, name, priority, hide_from_stock_view, threshold, stock_master, stock_ownership, allocation_policy,
	is_consignation, country_id, state_id, zip_code FROM warehouse`

func scanWarehouse(s scanner) (Warehouse, error) {
	var w Warehouse
	var country, state sql.NullInt64
	var zip sql.NullString
	err := s.Scan(&w.ID, &w.Name, &w.Priority, &w.IsHiddenFromStockView, &w.Threshold, &w.StockMaster, &w.StockOwnership,
		&w.AllocationPolicy, &w.IsConsignation, &country, &state, &zip)
	w.CountryID, w.StateID, w.ZipCode = nullInt(country), nullInt(state), nullString(zip)
	return w, err
}

// InsertWarehouse creates a warehouse.
func InsertWarehouse(ctx context.Context, q db.Q, w *Warehouse) error {
	id, err := insertID(ctx, q, `INSERT INTO warehouse (name, priority, hide_from_stock_view, threshold, stock_master, stock_ownership,
		allocation_policy, is_consignation, country_id, state_id, zip_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		w.Name, w.Priority, w.IsHiddenFromStockView, w.Threshold, w.StockMaster, w.StockOwnership, w.AllocationPolicy,
		w.IsConsignation, w.CountryID, w.StateID, w.ZipCode)
	w.ID = id
	return err
}

// UpdateWarehouse writes every field of a warehouse.
func UpdateWarehouse(ctx context.Context, q db.Q, w *Warehouse) error {
	_, err := q.ExecContext(ctx, `UPDATE warehouse SET name = $1, priority = $2, hide_from_stock_view = $3, threshold = $4, stock_master = $5,
		stock_ownership = $6, allocation_policy = $7, is_consignation = $8, country_id = $9, state_id = $10, zip_code = $11 WHERE id = $12`,
		w.Name, w.Priority, w.IsHiddenFromStockView, w.Threshold, w.StockMaster, w.StockOwnership, w.AllocationPolicy,
		w.IsConsignation, w.CountryID, w.StateID, w.ZipCode, w.ID)
	return err
}

// ShiftWarehousePriorities makes room at priority from by moving it and
// every later warehouse one step down.
func ShiftWarehousePriorities(ctx context.Context, q db.Q, from int) error {
	_, err := q.ExecContext(ctx, `UPDATE warehouse SET priority = priority + 1 WHERE priority >= $1`, from)
	return err
}

// NextWarehousePriority returns the priority after the last warehouse.
func NextWarehousePriority(ctx context.Context, q db.Q) (int, error) {
	var n sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(priority) FROM warehouse`).Scan(&n); err != nil {
		return 0, err
	}
	return int(n.Int64) + 1, nil
}

// GetWarehouse loads one warehouse.
func GetWarehouse(ctx context.Context, q db.Q, id int64) (Warehouse, error) {
	return one(ctx, q, scanWarehouse, warehouseSelect+` WHERE id = $1`, id)
}

// WarehousesByIDs loads warehouses by id.
func WarehousesByIDs(ctx context.Context, q db.Q, ids []int64) ([]Warehouse, error) {
	return byIDs(ctx, q, scanWarehouse, warehouseSelect, "id", ids, "")
}

// WarehouseFilter narrows a warehouse list.
type WarehouseFilter struct {
	IDs  []int64
	Name *StringMatch
}

// ListWarehouses lists warehouses.
func ListWarehouses(ctx context.Context, q db.Q, f WarehouseFilter, sorts []Sort, p Page) ([]Warehouse, error) {
	var w where
	in(&w, "id", f.IDs)
	f.Name.apply(&w, "name")
	return list(ctx, q, scanWarehouse, warehouseSelect, &w, orderBy(sorts, map[string]string{"id": "id", "name": "name", "priority": "priority"}, "id"), p)
}
