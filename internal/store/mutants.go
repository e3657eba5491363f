package store

import (
	"context"
	"database/sql"
	"errors"

	"seam/internal/db"
)

// The deliberate bugs of the mutation check (package mutant) that take more
// than a changed statement: each is reached only through mutant.On, which
// is the constant false in every real build. They are what the race proofs
// must notice: a claim written as a read and then a write.

// useVoucherReadThenWrite is UseVoucher as a read of the count and then a
// write of it: two concurrent uses both read the last free use.
func useVoucherReadThenWrite(ctx context.Context, q db.Q, id int64) (bool, error) {
	var usages, max int64
	if err := q.QueryRowContext(ctx, `SELECT usages, max_usages FROM voucher WHERE id = $1`, id).Scan(&usages, &max); err != nil {
		return false, err
	}
	if max != 0 && usages >= max {
		return false, nil
	}
	_, err := q.ExecContext(ctx, `UPDATE voucher SET usages = $2 WHERE id = $1`, id, usages+1)
	return err == nil, err
}

// debitCreditReadThenWrite is DebitCredit as a read of the balance and then
// a write of it: two concurrent debits both spend the same balance.
func debitCreditReadThenWrite(ctx context.Context, q db.Q, id, amount int64) (bool, int64, error) {
	var balance int64
	err := q.QueryRowContext(ctx, `SELECT balance_minor FROM voucher WHERE id = $1`, id).Scan(&balance)
	if errors.Is(err, sql.ErrNoRows) {
		return false, 0, nil
	}
	if err != nil || balance < amount {
		return false, 0, err
	}
	_, err = q.ExecContext(ctx, `UPDATE voucher SET balance_minor = $2 WHERE id = $1`, id, balance-amount)
	return err == nil, balance - amount, err
}

// allocateReadThenWrite is Allocate as a read of the free stock and then
// a write of the allocation: two concurrent buyers both take the last unit.
func allocateReadThenWrite(ctx context.Context, q db.Q, warehouseID, productSizeID, n int64) (bool, error) {
	var physical, allocated int64
	err := q.QueryRowContext(ctx, `SELECT physical, allocated FROM stock WHERE warehouse_id = $1 AND product_size_id = $2`,
		warehouseID, productSizeID).Scan(&physical, &allocated)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil || physical-allocated < n {
		return false, err
	}
	_, err = q.ExecContext(ctx, `UPDATE stock SET allocated = $3 WHERE warehouse_id = $1 AND product_size_id = $2`,
		warehouseID, productSizeID, allocated+n)
	return err == nil, err
}

// increaseStockReadThenWrite is IncreaseStock as a read of the level and
// then a write of it: of two concurrent deliveries one is lost.
func increaseStockReadThenWrite(ctx context.Context, q db.Q, warehouseID, productSizeID, n int64) error {
	var physical int64
	err := q.QueryRowContext(ctx, `SELECT physical FROM stock WHERE warehouse_id = $1 AND product_size_id = $2`,
		warehouseID, productSizeID).Scan(&physical)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = q.ExecContext(ctx, `INSERT INTO stock (warehouse_id, product_size_id, physical, allocated) VALUES ($1, $2, $3, 0)`,
			warehouseID, productSizeID, n)
		return err
	}
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE stock SET physical = $3 WHERE warehouse_id = $1 AND product_size_id = $2`,
		warehouseID, productSizeID, physical+n)
	return err
}
