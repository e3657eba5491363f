package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"seam/internal/db"
	"seam/internal/mutant"
)

// Voucher is a promotion: a code (kept only as a hash), its validity and
// the actions it takes on a selection.
type Voucher struct {
	ID                 int64
	StoreID            int64
	Name               string
	Status             string
	StartAt            time.Time
	StopAt             time.Time
	Method             string
	CodeHash           *string
	CodeHint           *string
	URL                *string
	Priority           int
	MaxUsages          int64
	Usages             int64
	Combine            bool
	Reuse              bool
	Type               string
	EntryPointStrategy string
	ConversionHTML     *string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// A CREDIT voucher (an issued gift certificate) holds money: Credit
	// issued, Balance left, in CreditCurrency.
	CreditCurrency     *string
	CreditMinor        *int64
	BalanceMinor       *int64
	CurrencyOfSaleOnly bool
	GiftCertificateID  *int64
	IssuedByOrderID    *int64
}

const voucherSelect = `SELECT id, store_id, name, status, start_at, stop_at, method, code_hash, code_hint, url, priority, max_usages, usages,
	combine, reuse, type, entry_point_strategy, conversion_html, created_at, updated_at, credit_currency, credit_minor, balance_minor,
	currency_of_sale_only, gift_certificate_id, issued_by_order_id FROM voucher`

func scanVoucher(s scanner) (Voucher, error) {
	var v Voucher
	var hash, hint, url, html, cur sql.NullString
	var credit, balance, gc, order sql.NullInt64
	err := s.Scan(&v.ID, &v.StoreID, &v.Name, &v.Status, &v.StartAt, &v.StopAt, &v.Method, &hash, &hint, &url, &v.Priority, &v.MaxUsages,
		&v.Usages, &v.Combine, &v.Reuse, &v.Type, &v.EntryPointStrategy, &html, &v.CreatedAt, &v.UpdatedAt, &cur, &credit, &balance,
		&v.CurrencyOfSaleOnly, &gc, &order)
	v.CodeHash, v.CodeHint, v.URL, v.ConversionHTML = nullString(hash), nullString(hint), nullString(url), nullString(html)
	v.CreditCurrency, v.CreditMinor, v.BalanceMinor = nullString(cur), nullInt(credit), nullInt(balance)
	v.GiftCertificateID, v.IssuedByOrderID = nullInt(gc), nullInt(order)
	return v, err
}

// InsertVoucher creates a voucher (not its actions or markets).
func InsertVoucher(ctx context.Context, q db.Q, v *Voucher) error {
	id, err := insertID(ctx, q, `INSERT INTO voucher (store_id, name, status, start_at, stop_at, method, code_hash, code_hint, url, priority,
		max_usages, combine, reuse, type, entry_point_strategy, conversion_html, created_at, updated_at, credit_currency, credit_minor,
		balance_minor, currency_of_sale_only, gift_certificate_id, issued_by_order_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) RETURNING id`,
		v.StoreID, v.Name, v.Status, v.StartAt, v.StopAt, v.Method, v.CodeHash, v.CodeHint, v.URL, v.Priority, v.MaxUsages, v.Combine, v.Reuse,
		v.Type, v.EntryPointStrategy, v.ConversionHTML, v.CreatedAt, v.UpdatedAt, v.CreditCurrency, v.CreditMinor, v.BalanceMinor,
		v.CurrencyOfSaleOnly, v.GiftCertificateID, v.IssuedByOrderID)
	v.ID = id
	return err
}

// DebitCredit takes amount off a credit voucher's balance, only while the
// balance covers it: one conditional statement. It reports whether it did
// and the balance after.
func DebitCredit(ctx context.Context, q db.Q, id, amount int64) (bool, int64, error) {
	if mutant.On("credit-read-then-write") {
		return debitCreditReadThenWrite(ctx, q, id, amount)
	}
	var after int64
	err := q.QueryRowContext(ctx, mutant.Drop("credit-uncovered", `UPDATE voucher SET balance_minor = balance_minor - $2 WHERE id = $1 AND balance_minor >= $2
		RETURNING balance_minor`, " AND balance_minor >= $2"), id, amount).Scan(&after)
	if errors.Is(err, sql.ErrNoRows) {
		return false, 0, nil
	}
	return err == nil, after, err
}

// CreditBack puts amount back on a credit voucher's balance and returns
// the balance after.
func CreditBack(ctx context.Context, q db.Q, id, amount int64) (int64, error) {
	var after int64
	err := q.QueryRowContext(ctx, `UPDATE voucher SET balance_minor = balance_minor + $2 WHERE id = $1 RETURNING balance_minor`, id, amount).Scan(&after)
	return after, err
}

// CreditEntry is one change of a credit voucher's balance.
type CreditEntry struct {
	ID           int64
	VoucherID    int64
	OrderID      *int64
	Kind         string
	AmountMinor  int64
	Currency     string
	BalanceAfter int64
	CreatedAt    time.Time
}

// Credit ledger entry kinds.
const (
	CreditIssue    = "ISSUE"
	CreditDebit    = "DEBIT"
	CreditBackKind = "CREDIT_BACK"
)

// InsertCreditEntry writes a ledger entry.
func InsertCreditEntry(ctx context.Context, q db.Q, e CreditEntry) error {
	_, err := q.ExecContext(ctx, `INSERT INTO credit_entry (voucher_id, order_id, kind, amount_minor, currency, balance_after, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.VoucherID, e.OrderID, e.Kind, e.AmountMinor, e.Currency, e.BalanceAfter, db.Time(e.CreatedAt))
	return err
}

// CreditEntries lists ledger entries of vouchers (voucherIDs) or of orders
// (orderIDs), in order.
func CreditEntries(ctx context.Context, q db.Q, voucherIDs, orderIDs []int64) ([]CreditEntry, error) {
	var w where
	in(&w, "voucher_id", voucherIDs)
	in(&w, "order_id", orderIDs)
	return all(ctx, q, func(s scanner) (CreditEntry, error) {
		var e CreditEntry
		var order sql.NullInt64
		err := s.Scan(&e.ID, &e.VoucherID, &order, &e.Kind, &e.AmountMinor, &e.Currency, &e.BalanceAfter, &e.CreatedAt)
		e.OrderID = nullInt(order)
		return e, err
	}, `SELECT id, voucher_id, order_id, kind, amount_minor, currency, balance_after, created_at FROM credit_entry`+w.sql()+` ORDER BY id`, w.args...)
}

// UpdateVoucher writes the editable fields of a voucher.
func UpdateVoucher(ctx context.Context, q db.Q, v *Voucher) error {
	_, err := q.ExecContext(ctx, `UPDATE voucher SET name = $1, status = $2, start_at = $3, stop_at = $4, code_hash = $5, code_hint = $6, url = $7,
		priority = $8, max_usages = $9, combine = $10, reuse = $11, entry_point_strategy = $12, conversion_html = $13, updated_at = $14 WHERE id = $15`,
		v.Name, v.Status, v.StartAt, v.StopAt, v.CodeHash, v.CodeHint, v.URL, v.Priority, v.MaxUsages, v.Combine, v.Reuse, v.EntryPointStrategy,
		v.ConversionHTML, v.UpdatedAt, v.ID)
	return err
}

// VouchersByIDs loads vouchers by id.
func VouchersByIDs(ctx context.Context, q db.Q, ids []int64) ([]Voucher, error) {
	return byIDs(ctx, q, scanVoucher, voucherSelect, "id", ids, "")
}

// VoucherByCode finds a store's voucher by the hash of its code.
func VoucherByCode(ctx context.Context, q db.Q, storeID int64, codeHash string) (Voucher, error) {
	return one(ctx, q, scanVoucher, voucherSelect+` WHERE store_id = $1 AND code_hash = $2`, storeID, codeHash)
}

// VoucherFilter narrows a voucher list.
type VoucherFilter struct {
	IDs      []int64
	StoreIDs []int64
	Statuses []string
	Types    []string
	Name     *StringMatch
}

// ListVouchers lists vouchers.
func ListVouchers(ctx context.Context, q db.Q, f VoucherFilter, sorts []Sort, p Page) ([]Voucher, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "store_id", f.StoreIDs)
	in(&w, "status", f.Statuses)
	in(&w, "type", f.Types)
	f.Name.apply(&w, "name")
	return list(ctx, q, scanVoucher, voucherSelect, &w, orderBy(sorts, map[string]string{"id": "id", "name": "name", "priority": "priority"}, "id"), p)
}

// UseVoucher counts one use of a voucher, only while it has uses left, in
// one conditional statement; it reports whether it was counted.
func UseVoucher(ctx context.Context, q db.Q, id int64) (bool, error) {
	if mutant.On("voucher-use-read-then-write") {
		return useVoucherReadThenWrite(ctx, q, id)
	}
	res, err := q.ExecContext(ctx, mutant.Drop("voucher-use-unlimited", `UPDATE voucher SET usages = usages + 1 WHERE id = $1 AND (max_usages = 0 OR usages < max_usages)`,
		" AND (max_usages = 0 OR usages < max_usages)"), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetVoucherMarkets replaces the markets a voucher is valid in.
func SetVoucherMarkets(ctx context.Context, q db.Q, voucherID int64, marketIDs []int64) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM voucher_market WHERE voucher_id = $1`, voucherID); err != nil {
		return err
	}
	for _, m := range marketIDs {
		if _, err := q.ExecContext(ctx, `INSERT INTO voucher_market (voucher_id, market_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, voucherID, m); err != nil {
			return err
		}
	}
	return nil
}

// VoucherMarkets returns (voucher id, market id) pairs.
func VoucherMarkets(ctx context.Context, q db.Q, voucherIDs []int64) ([]IDPair, error) {
	return byIDs(ctx, q, scanPair, `SELECT voucher_id, market_id FROM voucher_market`, "voucher_id", voucherIDs, " ORDER BY voucher_id, market_id")
}

// VoucherAction is one step of a voucher: when its criteria hold, its
// result changes prices or shipping.
type VoucherAction struct {
	ID                int64
	VoucherID         int64
	Position          int
	IsEntryPoint      bool
	Criteria          []string
	ResultType        string
	ApplyOn           *string
	PercentOff        *string
	AmountOffMinor    *int64
	AmountOffCurrency *string
	ProductIDs        []string
	ShippingOptionIDs []string
	ContinueStrategy  string
}

// InsertVoucherAction adds an action to a voucher.
func InsertVoucherAction(ctx context.Context, q db.Q, a *VoucherAction) error {
	id, err := insertID(ctx, q, `INSERT INTO voucher_action (voucher_id, position, is_entry_point, criteria, result_type, apply_on, percent_off,
		amount_off_minor, amount_off_currency, product_ids, shipping_option_ids, continue_strategy)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		a.VoucherID, a.Position, a.IsEntryPoint, jsonList(a.Criteria), a.ResultType, a.ApplyOn, a.PercentOff, a.AmountOffMinor, a.AmountOffCurrency,
		jsonList(a.ProductIDs), jsonList(a.ShippingOptionIDs), a.ContinueStrategy)
	a.ID = id
	return err
}

// DeleteVoucherActions removes a voucher's actions.
func DeleteVoucherActions(ctx context.Context, q db.Q, voucherID int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM voucher_action WHERE voucher_id = $1`, voucherID)
	return err
}

// VoucherActions loads the actions of vouchers in order.
func VoucherActions(ctx context.Context, q db.Q, voucherIDs []int64) ([]VoucherAction, error) {
	return byIDs(ctx, q, func(s scanner) (VoucherAction, error) {
		var a VoucherAction
		var criteria, products, ships sql.NullString
		var applyOn, pct, cur sql.NullString
		var amount sql.NullInt64
		if err := s.Scan(&a.ID, &a.VoucherID, &a.Position, &a.IsEntryPoint, &criteria, &a.ResultType, &applyOn, &pct, &amount, &cur,
			&products, &ships, &a.ContinueStrategy); err != nil {
			return a, err
		}
		a.ApplyOn, a.PercentOff, a.AmountOffMinor, a.AmountOffCurrency = nullString(applyOn), nullString(pct), nullInt(amount), nullString(cur)
		var err error
		if a.Criteria, err = parseList(criteria); err != nil {
			return a, err
		}
		if a.ProductIDs, err = parseList(products); err != nil {
			return a, err
		}
		a.ShippingOptionIDs, err = parseList(ships)
		return a, err
	}, `SELECT id, voucher_id, position, is_entry_point, criteria, result_type, apply_on, percent_off, amount_off_minor, amount_off_currency,
		product_ids, shipping_option_ids, continue_strategy FROM voucher_action`, "voucher_id", voucherIDs, " ORDER BY voucher_id, position")
}

// LockVouchers locks voucher rows for the rest of a write transaction in
// id order, before their usages or balances change: two orders paid (or
// cancelled) at once with the same gift certificates or vouchers, applied
// in another order, then queue instead of deadlocking on PostgreSQL. On
// SQLite it only reads.
func LockVouchers(ctx context.Context, q db.Q, ids []int64) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil
	}
	marks, args := db.In(1, ids)
	_, err := all(ctx, q, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	}, `SELECT id FROM voucher WHERE id IN (`+marks+`) ORDER BY id`+db.ForUpdate(q), args...)
	return err
}
