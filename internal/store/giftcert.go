package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
)

// Gift certificate types, as seed 004 names them.
const (
	GiftPredetermined = "predeterminedAmount"
	GiftAnyAmount     = "anyAmount"
)

// GiftCertificate is a gift certificate a store sells: a predetermined
// amount per currency, or any amount within bounds.
type GiftCertificate struct {
	ID                 int64
	StoreID            int64
	Code               string
	Name               string
	Type               string
	CurrencyOfSaleOnly bool
	ShowGiftAmount     bool
	// ValidityDays is how long an issued code can be spent.
	ValidityDays int
	Status       string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// GiftAmount is a certificate's amount (predetermined) or bounds (any
// amount) in one currency.
type GiftAmount struct {
	GiftCertificateID int64
	Currency          string
	AmountMinor       *int64
	MinMinor          *int64
	MaxMinor          *int64
}

const giftSelect = `SELECT id, store_id, code, name, type, currency_of_sale_only, show_gift_amount, validity_days, status, created_at, updated_at
	FROM gift_certificate`

func scanGift(s scanner) (GiftCertificate, error) {
	var g GiftCertificate
	err := s.Scan(&g.ID, &g.StoreID, &g.Code, &g.Name, &g.Type, &g.CurrencyOfSaleOnly, &g.ShowGiftAmount, &g.ValidityDays, &g.Status,
		&g.CreatedAt, &g.UpdatedAt)
	return g, err
}

// InsertGiftCertificate creates a gift certificate (not its amounts).
func InsertGiftCertificate(ctx context.Context, q db.Q, g *GiftCertificate) error {
	id, err := insertID(ctx, q, `INSERT INTO gift_certificate (store_id, code, name, type, currency_of_sale_only, show_gift_amount, validity_days,
		status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		g.StoreID, g.Code, g.Name, g.Type, g.CurrencyOfSaleOnly, g.ShowGiftAmount, g.ValidityDays, g.Status, db.Time(g.CreatedAt), db.Time(g.UpdatedAt))
	g.ID = id
	return err
}

// UpdateGiftCertificate writes a gift certificate's fields.
func UpdateGiftCertificate(ctx context.Context, q db.Q, g *GiftCertificate) error {
	_, err := q.ExecContext(ctx, `UPDATE gift_certificate SET code = $2, name = $3, currency_of_sale_only = $4, show_gift_amount = $5,
		validity_days = $6, status = $7, updated_at = $8 WHERE id = $1`, g.ID, g.Code, g.Name, g.CurrencyOfSaleOnly, g.ShowGiftAmount, g.ValidityDays,
		g.Status, db.Time(g.UpdatedAt))
	return err
}

// GiftCertificatesByIDs loads gift certificates by id.
func GiftCertificatesByIDs(ctx context.Context, q db.Q, ids []int64) ([]GiftCertificate, error) {
	return byIDs(ctx, q, scanGift, giftSelect, "id", ids, "")
}

// GiftCertificateByCode finds a store's gift certificate by its code.
func GiftCertificateByCode(ctx context.Context, q db.Q, storeID int64, code string) (GiftCertificate, error) {
	return one(ctx, q, scanGift, giftSelect+` WHERE store_id = $1 AND code = $2`, storeID, code)
}

// GiftFilter narrows a list of gift certificates.
type GiftFilter struct {
	IDs      []int64
	StoreIDs []int64
	Statuses []string
}

// ListGiftCertificates lists gift certificates by code.
func ListGiftCertificates(ctx context.Context, q db.Q, f GiftFilter, p Page) ([]GiftCertificate, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "store_id", f.StoreIDs)
	in(&w, "status", f.Statuses)
	return list(ctx, q, scanGift, giftSelect, &w, ` ORDER BY code COLLATE "C", id`, p)
}

// SetGiftAmounts replaces a gift certificate's amounts.
func SetGiftAmounts(ctx context.Context, q db.Q, giftID int64, amounts []GiftAmount) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM gift_certificate_amount WHERE gift_certificate_id = $1`, giftID); err != nil {
		return err
	}
	for _, a := range amounts {
		if _, err := q.ExecContext(ctx, `INSERT INTO gift_certificate_amount (gift_certificate_id, currency, amount_minor, min_minor, max_minor)
			VALUES ($1, $2, $3, $4, $5)`, giftID, a.Currency, a.AmountMinor, a.MinMinor, a.MaxMinor); err != nil {
			return err
		}
	}
	return nil
}

// GiftAmounts loads the amounts of gift certificates, by currency.
func GiftAmounts(ctx context.Context, q db.Q, ids []int64) ([]GiftAmount, error) {
	return byIDs(ctx, q, func(s scanner) (GiftAmount, error) {
		var a GiftAmount
		var amount, lo, hi sql.NullInt64
		err := s.Scan(&a.GiftCertificateID, &a.Currency, &amount, &lo, &hi)
		a.AmountMinor, a.MinMinor, a.MaxMinor = nullInt(amount), nullInt(lo), nullInt(hi)
		return a, err
	}, `SELECT gift_certificate_id, currency, amount_minor, min_minor, max_minor FROM gift_certificate_amount`, "gift_certificate_id", ids,
		` ORDER BY gift_certificate_id, currency COLLATE "C"`)
}

// SelectionGift is the gift certificate a selection buys.
type SelectionGift struct {
	SelectionID       string
	GiftCertificateID int64
	AmountMinor       int64
	Currency          string
}

// SetSelectionGift puts a gift certificate in a selection, replacing one
// that was there.
func SetSelectionGift(ctx context.Context, q db.Q, g SelectionGift) error {
	if err := DeleteSelectionGift(ctx, q, g.SelectionID); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `INSERT INTO selection_gift_certificate (selection_id, gift_certificate_id, amount_minor, currency)
		VALUES ($1, $2, $3, $4)`, g.SelectionID, g.GiftCertificateID, g.AmountMinor, g.Currency)
	return err
}

// DeleteSelectionGift takes the gift certificate out of a selection.
func DeleteSelectionGift(ctx context.Context, q db.Q, selectionID string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM selection_gift_certificate WHERE selection_id = $1`, selectionID)
	return err
}

// SelectionGiftOf returns the gift certificate a selection buys;
// seam.ErrNotFound when none.
func SelectionGiftOf(ctx context.Context, q db.Q, selectionID string) (SelectionGift, error) {
	return one(ctx, q, func(s scanner) (SelectionGift, error) {
		var g SelectionGift
		err := s.Scan(&g.SelectionID, &g.GiftCertificateID, &g.AmountMinor, &g.Currency)
		return g, err
	}, `SELECT selection_id, gift_certificate_id, amount_minor, currency FROM selection_gift_certificate WHERE selection_id = $1`, selectionID)
}

// OrderGift is what a gift certificate order bought and the voucher it
// issued.
type OrderGift struct {
	OrderID           int64
	GiftCertificateID int64
	AmountMinor       int64
	Currency          string
	VoucherID         *int64
}

// InsertOrderGift records what a gift certificate order bought.
func InsertOrderGift(ctx context.Context, q db.Q, g OrderGift) error {
	_, err := q.ExecContext(ctx, `INSERT INTO order_gift_certificate (order_id, gift_certificate_id, amount_minor, currency, voucher_id)
		VALUES ($1, $2, $3, $4, $5)`, g.OrderID, g.GiftCertificateID, g.AmountMinor, g.Currency, g.VoucherID)
	return err
}

// OrderGiftOf returns what a gift certificate order bought;
// seam.ErrNotFound for other orders.
func OrderGiftOf(ctx context.Context, q db.Q, orderID int64) (OrderGift, error) {
	return one(ctx, q, func(s scanner) (OrderGift, error) {
		var g OrderGift
		var v sql.NullInt64
		err := s.Scan(&g.OrderID, &g.GiftCertificateID, &g.AmountMinor, &g.Currency, &v)
		g.VoucherID = nullInt(v)
		return g, err
	}, `SELECT order_id, gift_certificate_id, amount_minor, currency, voucher_id FROM order_gift_certificate WHERE order_id = $1`, orderID)
}

// SetOrderStatus moves an order from one of the statuses in from to to,
// in one conditional statement; it reports whether it did.
func SetOrderStatus(ctx context.Context, q db.Q, id int64, from []string, to string, now time.Time) (bool, error) {
	marks, args := db.In(4, from)
	res, err := q.ExecContext(ctx, `UPDATE orders SET status = $2, updated_at = $3 WHERE id = $1 AND status IN (`+marks+`)`,
		append([]any{id, to, db.Time(now)}, args...)...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ClaimOrderGiftVoucher records the voucher a gift certificate order
// issued, only if it has none yet, in one conditional statement; it
// reports whether it did, so that a code is issued once.
func ClaimOrderGiftVoucher(ctx context.Context, q db.Q, orderID, voucherID int64) (bool, error) {
	return affected(q.ExecContext(ctx, `UPDATE order_gift_certificate SET voucher_id = $2 WHERE order_id = $1 AND voucher_id IS NULL`,
		orderID, voucherID))
}
