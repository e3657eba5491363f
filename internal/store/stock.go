package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"seam/internal/db"
	"seam/internal/money"
	"seam/internal/mutant"
	"seam/internal/seam"
)

// StockLevel is the stock of one product size in one warehouse. Free to
// allocate is Physical − Allocated.
type StockLevel struct {
	WarehouseID   int64
	ProductSizeID int64
	Physical      int64
	Allocated     int64
}

// FreeToAllocate is the stock that orders may still take.
func (s StockLevel) FreeToAllocate() int64 { return s.Physical - s.Allocated }

const stockSelect = `SELECT warehouse_id, product_size_id, physical, allocated FROM stock`

func scanStock(s scanner) (StockLevel, error) {
	var l StockLevel
	err := s.Scan(&l.WarehouseID, &l.ProductSizeID, &l.Physical, &l.Allocated)
	return l, err
}

// IncreaseStock adds n ≥ 0 to the physical stock of a size in a warehouse in
// one statement, creating the row when missing.
func IncreaseStock(ctx context.Context, q db.Q, warehouseID, productSizeID, n int64) error {
	if mutant.On("stock-change-lost-update") {
		return increaseStockReadThenWrite(ctx, q, warehouseID, productSizeID, n)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO stock (warehouse_id, product_size_id, physical, allocated) VALUES ($1, $2, $3, 0)
		ON CONFLICT (warehouse_id, product_size_id) DO UPDATE SET physical = stock.physical + excluded.physical`,
		warehouseID, productSizeID, n)
	return err
}

// DecreaseStock takes n ≥ 0 from the physical stock of a size in a
// warehouse, only if that much is free to allocate, in one conditional
// statement. It reports whether the stock was taken.
func DecreaseStock(ctx context.Context, q db.Q, warehouseID, productSizeID, n int64) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE stock SET physical = physical - $3
		WHERE warehouse_id = $1 AND product_size_id = $2 AND physical - allocated >= $3`,
		warehouseID, productSizeID, n)
	if err != nil {
		return false, err
	}
	rows, err := res.RowsAffected()
	return rows == 1, err
}

// SetStockLevel sets the physical stock of a size in a warehouse to n, or,
// with free, to n plus what is allocated (so that n is free to allocate),
// and returns the new level and the change from the old one. The row is
// created first and locked, so that a concurrent change cannot slip in
// between the read and the write.
func SetStockLevel(ctx context.Context, q db.Q, warehouseID, productSizeID, n int64, free bool) (StockLevel, int64, error) {
	if _, err := q.ExecContext(ctx, `INSERT INTO stock (warehouse_id, product_size_id, physical, allocated) VALUES ($1, $2, 0, 0)
		ON CONFLICT (warehouse_id, product_size_id) DO NOTHING`, warehouseID, productSizeID); err != nil {
		return StockLevel{}, 0, err
	}
	old, err := one(ctx, q, scanStock, stockSelect+` WHERE warehouse_id = $1 AND product_size_id = $2`+db.ForUpdate(q), warehouseID, productSizeID)
	if err != nil {
		return StockLevel{}, 0, err
	}
	now := old
	now.Physical = n
	if free {
		now.Physical += old.Allocated
	}
	if _, err := q.ExecContext(ctx, `UPDATE stock SET physical = $3 WHERE warehouse_id = $1 AND product_size_id = $2`,
		warehouseID, productSizeID, now.Physical); err != nil {
		return StockLevel{}, 0, err
	}
	return now, now.Physical - old.Physical, nil
}

// GetStock loads the stock of a size in a warehouse; a size never stocked
// there has a zero level.
func GetStock(ctx context.Context, q db.Q, warehouseID, productSizeID int64) (StockLevel, error) {
	l, err := one(ctx, q, scanStock, stockSelect+` WHERE warehouse_id = $1 AND product_size_id = $2`, warehouseID, productSizeID)
	if errors.Is(err, seam.ErrNotFound) {
		return StockLevel{WarehouseID: warehouseID, ProductSizeID: productSizeID}, nil
	}
	return l, err
}

// StockByProductSizeIDs loads the stock rows of product sizes in every
// warehouse.
func StockByProductSizeIDs(ctx context.Context, q db.Q, ids []int64) ([]StockLevel, error) {
	return byIDs(ctx, q, scanStock, stockSelect, "product_size_id", ids, " ORDER BY product_size_id, warehouse_id")
}

// ListWarehouseStock lists the stock rows of a warehouse, optionally only
// for some product sizes or variants, one page of them.
func ListWarehouseStock(ctx context.Context, q db.Q, warehouseID int64, productSizeIDs, variantIDs []int64, p Page) ([]StockLevel, error) {
	var w where
	w.add("warehouse_id = ?", warehouseID)
	in(&w, "product_size_id", productSizeIDs)
	if variantIDs != nil {
		if len(variantIDs) == 0 {
			w.conds = append(w.conds, "1 = 0")
		} else {
			args := make([]any, len(variantIDs))
			for i, id := range variantIDs {
				args[i] = id
			}
			w.add("product_size_id IN (SELECT id FROM product_size WHERE product_variant_id IN ("+marks(len(args))+"))", args...)
		}
	}
	return list(ctx, q, scanStock, stockSelect, &w, " ORDER BY product_size_id", p)
}

// StockChange records one changeStock or setStock call.
type StockChange struct {
	ID              int64
	Kind            string
	Description     string
	IntoWarehouseID *int64
	OutWarehouseID  *int64
	CreatedBy       string
	CreatedAt       time.Time
}

// Stock change kinds.
const (
	StockChangeDelta    = "CHANGE"
	StockChangeAbsolute = "SET"
)

// StockChangeLine is the change of one size in one warehouse.
type StockChangeLine struct {
	ID            int64
	StockChangeID int64
	WarehouseID   int64
	ProductSizeID int64
	Quantity      int64
	UnitCost      *money.Amount
}

const stockChangeSelect = `SELECT id, kind, description, into_warehouse_id, out_warehouse_id, created_by, created_at FROM stock_change`

func scanStockChange(s scanner) (StockChange, error) {
	var c StockChange
	var into, out sql.NullInt64
	err := s.Scan(&c.ID, &c.Kind, &c.Description, &into, &out, &c.CreatedBy, &c.CreatedAt)
	c.IntoWarehouseID, c.OutWarehouseID = nullInt(into), nullInt(out)
	return c, err
}

// InsertStockChange records a stock change (lines are added separately).
func InsertStockChange(ctx context.Context, q db.Q, c *StockChange) error {
	id, err := insertID(ctx, q, `INSERT INTO stock_change (kind, description, into_warehouse_id, out_warehouse_id, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.Kind, c.Description, c.IntoWarehouseID, c.OutWarehouseID, c.CreatedBy, c.CreatedAt)
	c.ID = id
	return err
}

// InsertStockChangeLine records the change of one size.
func InsertStockChangeLine(ctx context.Context, q db.Q, l *StockChangeLine) error {
	cost, cur := amountCols(l.UnitCost)
	id, err := insertID(ctx, q, `INSERT INTO stock_change_line (stock_change_id, warehouse_id, product_size_id, quantity, unit_cost_minor, unit_cost_currency)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, l.StockChangeID, l.WarehouseID, l.ProductSizeID, l.Quantity, cost, cur)
	l.ID = id
	return err
}

// StockChangesByIDs loads stock changes by id.
func StockChangesByIDs(ctx context.Context, q db.Q, ids []int64) ([]StockChange, error) {
	return byIDs(ctx, q, scanStockChange, stockChangeSelect, "id", ids, "")
}

// StockChangeFilter narrows a stock change list.
type StockChangeFilter struct {
	IDs          []int64
	WarehouseIDs []int64
	AfterID      *int64
	BeforeID     *int64
	CreatedFrom  *time.Time
	CreatedTo    *time.Time
}

func (f StockChangeFilter) where() *where {
	var w where
	in(&w, "id", f.IDs)
	if f.WarehouseIDs != nil {
		if len(f.WarehouseIDs) == 0 {
			w.conds = append(w.conds, "1 = 0")
		} else {
			args := make([]any, len(f.WarehouseIDs))
			for i, id := range f.WarehouseIDs {
				args[i] = id
			}
			w.add("id IN (SELECT stock_change_id FROM stock_change_line WHERE warehouse_id IN ("+marks(len(args))+"))", args...)
		}
	}
	if f.AfterID != nil {
		w.add("id > ?", *f.AfterID)
	}
	if f.BeforeID != nil {
		w.add("id < ?", *f.BeforeID)
	}
	if f.CreatedFrom != nil {
		w.add("created_at >= ?", db.Time(*f.CreatedFrom))
	}
	if f.CreatedTo != nil {
		w.add("created_at <= ?", db.Time(*f.CreatedTo))
	}
	return &w
}

// ListStockChanges lists stock changes in id order (newest first when
// desc), one page of them.
func ListStockChanges(ctx context.Context, q db.Q, f StockChangeFilter, desc bool, p Page) ([]StockChange, error) {
	order := " ORDER BY id ASC"
	if desc {
		order = " ORDER BY id DESC"
	}
	return list(ctx, q, scanStockChange, stockChangeSelect, f.where(), order, p)
}

// CountStockChanges counts the stock changes a filter matches, ignoring its
// cursor bounds.
func CountStockChanges(ctx context.Context, q db.Q, f StockChangeFilter) (int64, error) {
	f.AfterID, f.BeforeID = nil, nil
	w := f.where()
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM stock_change`+w.sql(), w.args...).Scan(&n)
	return n, err
}

// StockChangeLinesByChangeIDs loads the lines of stock changes.
func StockChangeLinesByChangeIDs(ctx context.Context, q db.Q, ids []int64) ([]StockChangeLine, error) {
	return byIDs(ctx, q, func(s scanner) (StockChangeLine, error) {
		var l StockChangeLine
		var cost sql.NullInt64
		var cur sql.NullString
		err := s.Scan(&l.ID, &l.StockChangeID, &l.WarehouseID, &l.ProductSizeID, &l.Quantity, &cost, &cur)
		if cost.Valid && cur.Valid {
			l.UnitCost = &money.Amount{Minor: cost.Int64, Currency: cur.String}
		}
		return l, err
	}, `SELECT id, stock_change_id, warehouse_id, product_size_id, quantity, unit_cost_minor, unit_cost_currency FROM stock_change_line`,
		"stock_change_id", ids, " ORDER BY stock_change_id, id")
}

// StockKey names one stock row: a product size in a warehouse.
type StockKey struct {
	ProductSizeID int64
	WarehouseID   int64
}

// SortStockKeys sorts keys in the one order every path that moves stock
// takes its rows in (size, then warehouse) and drops duplicates.
func SortStockKeys(keys []StockKey) []StockKey {
	keys = slices.Clone(keys)
	slices.SortFunc(keys, func(a, b StockKey) int {
		return cmp.Or(cmp.Compare(a.ProductSizeID, b.ProductSizeID), cmp.Compare(a.WarehouseID, b.WarehouseID))
	})
	return slices.Compact(keys)
}

// LockStock locks the stock rows of keys for the rest of a write
// transaction, in the canonical order (size, then warehouse), before the
// caller changes any of them. Two transactions that each take rows one by
// one in their own order (carts {A, B} and {B, A}) deadlock on PostgreSQL;
// taken in one order they queue instead. With create, missing rows are
// made (empty) and locked too, each key in turn, so that a path that adds
// stock to a new warehouse keeps the order as well. SQLite's write
// transaction already excludes other writers; there it only reads. It
// returns the rows that exist, in canonical order.
func LockStock(ctx context.Context, q db.Q, keys []StockKey, create bool) ([]StockLevel, error) {
	keys = SortStockKeys(keys)
	if len(keys) == 0 {
		return nil, nil
	}
	if create {
		for _, k := range keys {
			if _, err := q.ExecContext(ctx, `INSERT INTO stock (warehouse_id, product_size_id, physical, allocated) VALUES ($1, $2, 0, 0)
				ON CONFLICT (warehouse_id, product_size_id) DO NOTHING`, k.WarehouseID, k.ProductSizeID); err != nil {
				return nil, err
			}
			if _, err := q.ExecContext(ctx, `SELECT 1 FROM stock WHERE product_size_id = $1 AND warehouse_id = $2`+stockLock(q),
				k.ProductSizeID, k.WarehouseID); err != nil {
				return nil, err
			}
		}
	}
	var b strings.Builder
	args := make([]any, 0, 2*len(keys))
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" OR ")
		}
		fmt.Fprintf(&b, "(product_size_id = $%d AND warehouse_id = $%d)", 2*i+1, 2*i+2)
		args = append(args, k.ProductSizeID, k.WarehouseID)
	}
	// PostgreSQL locks the rows as the sorted result is read, so ORDER BY
	// is the locking order.
	return all(ctx, q, scanStock, stockSelect+" WHERE "+b.String()+" ORDER BY product_size_id, warehouse_id"+stockLock(q), args...)
}

// LockStockOfSizes locks every stock row of the product sizes, in every
// warehouse, in the canonical order (see LockStock), and returns them in
// that order. Paths that choose warehouses as they go (reservations,
// allocations) lock all of a size's rows first.
func LockStockOfSizes(ctx context.Context, q db.Q, productSizeIDs []int64) ([]StockLevel, error) {
	ids := slices.Clone(productSizeIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return byIDs(ctx, q, scanStock, stockSelect, "product_size_id", ids, " ORDER BY product_size_id, warehouse_id"+stockLock(q))
}

// stockLock is the row lock LockStock takes (FOR UPDATE on PostgreSQL).
// The mutant "stock-rows-unlocked" drops it, so that the mutation check
// proves each conditional stock update holds without the lock.
func stockLock(q db.Q) string {
	if mutant.On("stock-rows-unlocked") {
		return ""
	}
	return db.ForUpdate(q)
}
