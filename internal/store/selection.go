package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
	"seam/internal/mutant"
)

// Selection origins.
const (
	// OriginSession is a shopper's own selection.
	OriginSession = "SESSION"
	// OriginOperator is built through the Integration API and sold only
	// through payment links.
	OriginOperator = "OPERATOR"
	// OriginLink is a copy claimed from a payment link.
	OriginLink = "LINK"
	// OriginProductLink is bought on a product payment link's page.
	OriginProductLink = "PRODUCT_LINK"
)

// Selection states.
const (
	SelectionOpen   = "OPEN"
	SelectionPaying = "PAYING"
	SelectionPaid   = "PAID"
)

// Selection is a shopper's cart: what is in it, where it ships and how it
// is paid. Address fields hold JSON.
type Selection struct {
	ID                 string
	StoreID            int64
	MarketID           int64
	PricelistID        int64
	CountryID          *int64
	StateID            *int64
	Language           string
	ShippingOptionID   *int64
	PaymentMethodID    *int64
	Address            string
	ShippingAddress    string
	Comment            *string
	Status             string
	PaymentRef         *string
	PaymentAmountMinor *int64
	// PaymentProvider and PaymentExternal name the provider's side of the
	// attempt in progress (a Stripe PaymentIntent), once it started.
	PaymentProvider *string
	PaymentExternal *string
	ReservedUntil   *time.Time
	OrderID         *int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// Origin says who made the selection (OriginSession, …).
	Origin string
	// Locked keeps market and pricelist: PUT /countries changes only the
	// country shipped to.
	Locked bool
	// LockQuantities refuses every change of the items.
	LockQuantities bool
	IgnoreShipping bool
	IgnoreTax      bool
	PaymentLinkID  *int64
	ProductLinkID  *int64
	CustomerID     *int64
	CreatedBy      *string
	DeletedAt      *time.Time
	// GiftMessage is POST /payment's giftMessage, for the order.
	GiftMessage *string
}

const selectionSelect = `SELECT id, store_id, market_id, pricelist_id, country_id, state_id, language, shipping_option_id, payment_method_id,
	COALESCE(address, ''), COALESCE(shipping_address, ''), comment, status, payment_ref, payment_amount_minor, reserved_until, order_id,
	created_at, updated_at, payment_provider, payment_external, origin, locked, lock_quantities, ignore_shipping, ignore_tax, payment_link_id,
	product_link_id, customer_id, created_by, deleted_at, gift_message FROM selection`

func scanSelection(s scanner) (Selection, error) {
	var x Selection
	var country, state, ship, pay, amount, order sql.NullInt64
	var comment, ref, provider, external, createdBy, gift sql.NullString
	var reserved, deleted sql.NullTime
	var link, productLink, customer sql.NullInt64
	err := s.Scan(&x.ID, &x.StoreID, &x.MarketID, &x.PricelistID, &country, &state, &x.Language, &ship, &pay, &x.Address, &x.ShippingAddress,
		&comment, &x.Status, &ref, &amount, &reserved, &order, &x.CreatedAt, &x.UpdatedAt, &provider, &external, &x.Origin, &x.Locked,
		&x.LockQuantities, &x.IgnoreShipping, &x.IgnoreTax, &link, &productLink, &customer, &createdBy, &deleted, &gift)
	x.GiftMessage = nullString(gift)
	x.PaymentProvider, x.PaymentExternal, x.CreatedBy = nullString(provider), nullString(external), nullString(createdBy)
	x.PaymentLinkID, x.ProductLinkID, x.CustomerID = nullInt(link), nullInt(productLink), nullInt(customer)
	if deleted.Valid {
		x.DeletedAt = &deleted.Time
	}
	x.CountryID, x.StateID, x.ShippingOptionID, x.PaymentMethodID = nullInt(country), nullInt(state), nullInt(ship), nullInt(pay)
	x.Comment, x.PaymentRef, x.PaymentAmountMinor, x.OrderID = nullString(comment), nullString(ref), nullInt(amount), nullInt(order)
	if reserved.Valid {
		x.ReservedUntil = &reserved.Time
	}
	return x, err
}

// InsertSelection creates a selection.
func InsertSelection(ctx context.Context, q db.Q, x *Selection) error {
	if x.Origin == "" {
		x.Origin = OriginSession
	}
	_, err := q.ExecContext(ctx, `INSERT INTO selection (id, store_id, market_id, pricelist_id, country_id, state_id, language, shipping_option_id,
		payment_method_id, address, shipping_address, comment, status, created_at, updated_at, origin, locked, lock_quantities, ignore_shipping,
		ignore_tax, payment_link_id, product_link_id, customer_id, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
		x.ID, x.StoreID, x.MarketID, x.PricelistID, x.CountryID, x.StateID, x.Language, x.ShippingOptionID, x.PaymentMethodID,
		nullIfEmpty(x.Address), nullIfEmpty(x.ShippingAddress), x.Comment, x.Status, x.CreatedAt, x.UpdatedAt, x.Origin, x.Locked, x.LockQuantities,
		x.IgnoreShipping, x.IgnoreTax, x.PaymentLinkID, x.ProductLinkID, x.CustomerID, x.CreatedBy)
	return err
}

// UpdateSelection writes the editable fields of a selection.
func UpdateSelection(ctx context.Context, q db.Q, x *Selection) error {
	_, err := q.ExecContext(ctx, `UPDATE selection SET market_id = $1, pricelist_id = $2, country_id = $3, state_id = $4, language = $5,
		shipping_option_id = $6, payment_method_id = $7, address = $8, shipping_address = $9, comment = $10, updated_at = $11, customer_id = $13,
		gift_message = $14 WHERE id = $12`,
		x.MarketID, x.PricelistID, x.CountryID, x.StateID, x.Language, x.ShippingOptionID, x.PaymentMethodID,
		nullIfEmpty(x.Address), nullIfEmpty(x.ShippingAddress), x.Comment, x.UpdatedAt, x.ID, x.CustomerID, x.GiftMessage)
	return err
}

// GetSelection loads one selection; with lock it also locks it for the
// rest of a PostgreSQL write transaction.
func GetSelection(ctx context.Context, q db.Q, id string, lock bool) (Selection, error) {
	suffix := ""
	if lock {
		suffix = db.ForUpdate(q)
	}
	return one(ctx, q, scanSelection, selectionSelect+` WHERE id = $1`+suffix, id)
}

// StartPayment moves an open selection to PAYING with its payment reference
// and amount, in one conditional statement; it reports whether it did.
func StartPayment(ctx context.Context, q db.Q, id, ref string, amount int64, until time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE selection SET status = 'PAYING', payment_ref = $2, payment_amount_minor = $3, reserved_until = $4, updated_at = $5
		WHERE id = $1 AND status = 'OPEN'`, id, ref, amount, until, db.Now())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetPaymentExternal records the provider's reference of a payment
// attempt, only while that attempt (ref) is the selection's.
func SetPaymentExternal(ctx context.Context, q db.Q, id, ref, provider, external string) error {
	_, err := q.ExecContext(ctx, `UPDATE selection SET payment_provider = $3, payment_external = $4 WHERE id = $1 AND payment_ref = $2`,
		id, ref, provider, external)
	return err
}

// ReopenSelection moves a PAYING selection back to OPEN (payment failed,
// abandoned or expired); it reports whether it did.
func ReopenSelection(ctx context.Context, q db.Q, id string) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE selection SET status = 'OPEN', payment_ref = NULL, payment_amount_minor = NULL, reserved_until = NULL,
		payment_provider = NULL, payment_external = NULL, updated_at = $2 WHERE id = $1 AND status = 'PAYING'`, id, db.Now())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkPaid moves a PAYING selection to PAID with its order, in one
// conditional statement: only one caller can make the order of a selection.
func MarkPaid(ctx context.Context, q db.Q, id string, orderID int64) (bool, error) {
	res, err := q.ExecContext(ctx, mutant.Drop("selection-paid-twice", `UPDATE selection SET status = 'PAID', order_id = $2, reserved_until = NULL, updated_at = $3
		WHERE id = $1 AND status = 'PAYING'`, " AND status = 'PAYING'"), id, orderID, db.Now())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ExpiredPayments lists selections whose stock reservation ran out.
func ExpiredPayments(ctx context.Context, q db.Q, now time.Time, limit int) ([]string, error) {
	return all(ctx, q, func(s scanner) (string, error) {
		var id string
		return id, s.Scan(&id)
	}, `SELECT id FROM selection WHERE status = 'PAYING' AND reserved_until < $1 ORDER BY reserved_until LIMIT `+itoa(limit), db.Time(now))
}

// SelectionLine is one line of a selection: an item (a display item's
// size) and a quantity, optionally at a special unit price.
type SelectionLine struct {
	ID               int64
	Line             string
	SelectionID      string
	DisplayVariantID int64
	ProductSizeID    int64
	Quantity         int64
	UnitPriceMinor   *int64
	Position         int
}

const lineSelect = `SELECT id, line, selection_id, display_variant_id, product_size_id, quantity, unit_price_minor, position FROM selection_line`

func scanLine(s scanner) (SelectionLine, error) {
	var l SelectionLine
	var price sql.NullInt64
	err := s.Scan(&l.ID, &l.Line, &l.SelectionID, &l.DisplayVariantID, &l.ProductSizeID, &l.Quantity, &price, &l.Position)
	l.UnitPriceMinor = nullInt(price)
	return l, err
}

// InsertLine adds a line.
func InsertLine(ctx context.Context, q db.Q, l *SelectionLine) error {
	id, err := insertID(ctx, q, `INSERT INTO selection_line (line, selection_id, display_variant_id, product_size_id, quantity, unit_price_minor, position)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, l.Line, l.SelectionID, l.DisplayVariantID, l.ProductSizeID, l.Quantity, l.UnitPriceMinor, l.Position)
	l.ID = id
	return err
}

// SetLineQuantity sets a line's quantity.
func SetLineQuantity(ctx context.Context, q db.Q, id, quantity int64) error {
	_, err := q.ExecContext(ctx, `UPDATE selection_line SET quantity = $1 WHERE id = $2`, quantity, id)
	return err
}

// DeleteLine removes a line.
func DeleteLine(ctx context.Context, q db.Q, id int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM selection_line WHERE id = $1`, id)
	return err
}

// DeleteLines empties a selection.
func DeleteLines(ctx context.Context, q db.Q, selectionID string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM selection_line WHERE selection_id = $1`, selectionID)
	return err
}

// Lines lists the lines of a selection in the order they were added.
func Lines(ctx context.Context, q db.Q, selectionID string) ([]SelectionLine, error) {
	return all(ctx, q, scanLine, lineSelect+` WHERE selection_id = $1 ORDER BY position, id`, selectionID)
}

// SelectionVoucher is a voucher added to a selection; only the last
// characters of the code the shopper typed are kept.
type SelectionVoucher struct {
	VoucherID int64
	CodeHint  string
	// CodeSealed is the code as typed, sealed for the session that typed
	// it (checkout.SealCode); "" when added otherwise.
	CodeSealed string
	AddedAt    time.Time
}

// AddSelectionVoucher adds a voucher to a selection (idempotent).
func AddSelectionVoucher(ctx context.Context, q db.Q, selectionID string, v SelectionVoucher) error {
	_, err := q.ExecContext(ctx, `INSERT INTO selection_voucher (selection_id, voucher_id, code_hint, code_sealed, added_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (selection_id, voucher_id) DO NOTHING`, selectionID, v.VoucherID, v.CodeHint, nullIfEmpty(v.CodeSealed), v.AddedAt)
	return err
}

// DeleteSelectionVouchers takes every voucher off a selection.
func DeleteSelectionVouchers(ctx context.Context, q db.Q, selectionID string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM selection_voucher WHERE selection_id = $1`, selectionID)
	return err
}

// RemoveSelectionVoucher removes a voucher; it reports whether it was there.
func RemoveSelectionVoucher(ctx context.Context, q db.Q, selectionID string, voucherID int64) (bool, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM selection_voucher WHERE selection_id = $1 AND voucher_id = $2`, selectionID, voucherID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SelectionVouchers lists a selection's vouchers in the order added.
func SelectionVouchers(ctx context.Context, q db.Q, selectionID string) ([]SelectionVoucher, error) {
	return all(ctx, q, func(s scanner) (SelectionVoucher, error) {
		var v SelectionVoucher
		var sealed sql.NullString
		err := s.Scan(&v.VoucherID, &v.CodeHint, &sealed, &v.AddedAt)
		v.CodeSealed = sealed.String
		return v, err
	}, `SELECT voucher_id, code_hint, code_sealed, added_at FROM selection_voucher WHERE selection_id = $1 ORDER BY added_at, voucher_id`, selectionID)
}

// LinesOfSelections loads the lines of selections in order.
func LinesOfSelections(ctx context.Context, q db.Q, ids []string) ([]SelectionLine, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, args := db.In(1, ids)
	return all(ctx, q, scanLine, lineSelect+` WHERE selection_id IN (`+marks+`) ORDER BY selection_id, position, id`, args...)
}

// SelectionsByIDs loads selections by id.
func SelectionsByIDs(ctx context.Context, q db.Q, ids []string) ([]Selection, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, args := db.In(1, ids)
	return all(ctx, q, scanSelection, selectionSelect+` WHERE id IN (`+marks+`)`, args...)
}

// SelectionFilter narrows a list of selections.
type SelectionFilter struct {
	IDs      []string
	StoreIDs []int64
	Origins  []string
}

// ListSelections lists selections, newest first.
func ListSelections(ctx context.Context, q db.Q, f SelectionFilter, p Page) ([]Selection, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "store_id", f.StoreIDs)
	in(&w, "origin", f.Origins)
	return list(ctx, q, scanSelection, selectionSelect, &w, " ORDER BY created_at DESC, id", p)
}
