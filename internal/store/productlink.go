package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"seam/internal/db"
	"seam/internal/mutant"
	"seam/internal/seam"
)

// ProductLink sells one product at special prices (seed 002). UUIDHash is
// the SHA-256 of the uuid in its URL, UUIDHint the uuid's last four
// characters; Metadata is the seller's JSON object, nil for none.
type ProductLink struct {
	ID        int64
	UUIDHash  string
	UUIDHint  string
	ProductID int64
	StoreID   int64
	UseOnce   bool
	Metadata  *string
	ExpiresAt *time.Time
	CreatedBy string
	CreatedAt time.Time
	// Sales counts the orders made through the link.
	Sales int64
	// UsedAt and OrderID are set by a use-once link's one order.
	UsedAt    *time.Time
	OrderID   *int64
	DeletedAt *time.Time
	DeletedBy *string
}

// ProductLinkPrice is a link's price in one currency, in minor units.
// DerivedFrom and Rate name where a derived price (EUR) came from.
type ProductLinkPrice struct {
	LinkID      int64
	Position    int
	Currency    string
	Price       int64
	Discount    *int64
	DerivedFrom *string
	Rate        *string
}

const productLinkSelect = `SELECT id, uuid_hash, uuid_hint, product_id, store_id, use_once, metadata, expires_at, created_by, created_at,
	sales, used_at, order_id, deleted_at, deleted_by FROM product_link`

func scanProductLink(s scanner) (ProductLink, error) {
	var l ProductLink
	var meta, deletedBy sql.NullString
	var expires, used, deleted sql.NullTime
	var order sql.NullInt64
	err := s.Scan(&l.ID, &l.UUIDHash, &l.UUIDHint, &l.ProductID, &l.StoreID, &l.UseOnce, &meta, &expires, &l.CreatedBy, &l.CreatedAt,
		&l.Sales, &used, &order, &deleted, &deletedBy)
	l.Metadata, l.DeletedBy, l.OrderID = nullString(meta), nullString(deletedBy), nullInt(order)
	l.ExpiresAt, l.UsedAt, l.DeletedAt = nullTime(expires), nullTime(used), nullTime(deleted)
	return l, err
}

// InsertProductLink stores a link and sets its ID.
func InsertProductLink(ctx context.Context, q db.Q, l *ProductLink) error {
	var expires *time.Time
	if l.ExpiresAt != nil {
		t := db.Time(*l.ExpiresAt)
		expires = &t
	}
	id, err := insertID(ctx, q, `INSERT INTO product_link (uuid_hash, uuid_hint, product_id, store_id, use_once, metadata, expires_at, created_by,
		created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		l.UUIDHash, l.UUIDHint, l.ProductID, l.StoreID, l.UseOnce, l.Metadata, expires, l.CreatedBy, db.Time(l.CreatedAt))
	l.ID = id
	return err
}

// InsertProductLinkPrice stores one price of a link.
func InsertProductLinkPrice(ctx context.Context, q db.Q, p ProductLinkPrice) error {
	_, err := q.ExecContext(ctx, `INSERT INTO product_link_price (product_link_id, position, currency, price_minor, discount_minor, derived_from,
		exchange_rate) VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.LinkID, p.Position, p.Currency, p.Price, p.Discount, p.DerivedFrom, p.Rate)
	return err
}

// GetProductLink loads one link, deleted or not.
func GetProductLink(ctx context.Context, q db.Q, id int64) (ProductLink, error) {
	return one(ctx, q, scanProductLink, productLinkSelect+` WHERE id = $1`, id)
}

// ProductLinkByHash finds a product's link, deleted or not, by the hash of
// its uuid.
func ProductLinkByHash(ctx context.Context, q db.Q, productID int64, hash string) (ProductLink, error) {
	return one(ctx, q, scanProductLink, productLinkSelect+` WHERE uuid_hash = $1 AND product_id = $2`, hash, productID)
}

// ProductLinkPrices lists a link's prices in the order they were given.
func ProductLinkPrices(ctx context.Context, q db.Q, linkID int64) ([]ProductLinkPrice, error) {
	return all(ctx, q, func(s scanner) (ProductLinkPrice, error) {
		var p ProductLinkPrice
		var discount sql.NullInt64
		var from, rate sql.NullString
		err := s.Scan(&p.LinkID, &p.Position, &p.Currency, &p.Price, &discount, &from, &rate)
		p.Discount, p.DerivedFrom, p.Rate = nullInt(discount), nullString(from), nullString(rate)
		return p, err
	}, `SELECT product_link_id, position, currency, price_minor, discount_minor, derived_from, exchange_rate FROM product_link_price
		WHERE product_link_id = $1 ORDER BY position`, linkID)
}

// DeleteProductLink marks a link deleted, only while it is not; it reports
// whether it did.
func DeleteProductLink(ctx context.Context, q db.Q, id int64, by string, now time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE product_link SET deleted_at = $2, deleted_by = $3 WHERE id = $1 AND deleted_at IS NULL`,
		id, db.Time(now), by)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SellProductLink counts a sale of a link by an order, in one conditional
// statement: only while the link is not deleted, not expired at now and
// not used; a use-once link is used by this order. It reports whether it
// did, so that of two buyers of a use-once link only one order can count.
func SellProductLink(ctx context.Context, q db.Q, id, orderID int64, now time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, mutant.Drop("product-link-reuse", `UPDATE product_link SET sales = sales + 1,
			used_at = CASE WHEN use_once THEN $2 ELSE NULL END,
			order_id = CASE WHEN use_once THEN $3 ELSE order_id END
		WHERE id = $1 AND used_at IS NULL AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`, " AND used_at IS NULL"),
		id, db.Time(now), orderID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ProductLinkCheckout is what a buyer gave on a product page that the
// order does not keep; AdditionalFields is a JSON object or nil.
type ProductLinkCheckout struct {
	SelectionID      string
	ProductID        int64
	LinkID           *int64
	CustomerName     string
	CustomerPhone    string
	AdditionalFields *string
	CreatedAt        time.Time
}

// InsertProductLinkCheckout stores what a buyer gave for a selection.
func InsertProductLinkCheckout(ctx context.Context, q db.Q, c ProductLinkCheckout) error {
	_, err := q.ExecContext(ctx, `INSERT INTO product_link_checkout (selection_id, product_id, product_link_id, customer_name, customer_phone,
		additional_fields, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.SelectionID, c.ProductID, c.LinkID, c.CustomerName, c.CustomerPhone, c.AdditionalFields, db.Time(c.CreatedAt))
	return err
}

// ProductLinkCheckoutOf loads what the buyer of a selection gave.
func ProductLinkCheckoutOf(ctx context.Context, q db.Q, selectionID string) (ProductLinkCheckout, error) {
	return one(ctx, q, func(s scanner) (ProductLinkCheckout, error) {
		var c ProductLinkCheckout
		var link sql.NullInt64
		var fields sql.NullString
		err := s.Scan(&c.SelectionID, &c.ProductID, &link, &c.CustomerName, &c.CustomerPhone, &fields, &c.CreatedAt)
		c.LinkID, c.AdditionalFields = nullInt(link), nullString(fields)
		return c, err
	}, `SELECT selection_id, product_id, product_link_id, customer_name, customer_phone, additional_fields, created_at
		FROM product_link_checkout WHERE selection_id = $1`, selectionID)
}

// ProductLinkSale is a completed sale through a link, in minor units of
// Currency. UUID is its transaction id.
type ProductLinkSale struct {
	ID          int64
	UUID        string
	LinkID      int64
	OrderID     int64
	SelectionID string
	Currency    string
	Amount      int64
	Total       int64
	VAT         int64
	Rate        *string
	CreatedAt   time.Time
}

// InsertProductLinkSale stores a sale and sets its ID.
func InsertProductLinkSale(ctx context.Context, q db.Q, s *ProductLinkSale) error {
	id, err := insertID(ctx, q, `INSERT INTO product_link_sale (uuid, product_link_id, order_id, selection_id, currency, amount_minor,
		total_minor, vat_minor, exchange_rate, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		s.UUID, s.LinkID, s.OrderID, s.SelectionID, s.Currency, s.Amount, s.Total, s.VAT, s.Rate, db.Time(s.CreatedAt))
	s.ID = id
	return err
}

// ProductLinkSales lists a link's sales, first first.
func ProductLinkSales(ctx context.Context, q db.Q, linkID int64) ([]ProductLinkSale, error) {
	return all(ctx, q, func(sc scanner) (ProductLinkSale, error) {
		var s ProductLinkSale
		var rate sql.NullString
		err := sc.Scan(&s.ID, &s.UUID, &s.LinkID, &s.OrderID, &s.SelectionID, &s.Currency, &s.Amount, &s.Total, &s.VAT, &rate, &s.CreatedAt)
		s.Rate = nullString(rate)
		return s, err
	}, `SELECT id, uuid, product_link_id, order_id, selection_id, currency, amount_minor, total_minor, vat_minor, exchange_rate, created_at
		FROM product_link_sale WHERE product_link_id = $1 ORDER BY id`, linkID)
}

// Currency is a currency as the mel-store API numbers it.
type Currency struct {
	ID   int64
	Code string
}

func scanCurrency(s scanner) (Currency, error) {
	var c Currency
	return c, s.Scan(&c.ID, &c.Code)
}

// Currencies lists the numbered currencies by id.
func Currencies(ctx context.Context, q db.Q) ([]Currency, error) {
	return all(ctx, q, scanCurrency, `SELECT id, code FROM currency ORDER BY id`)
}

// CurrencyByID loads one numbered currency.
func CurrencyByID(ctx context.Context, q db.Q, id int64) (Currency, error) {
	return one(ctx, q, scanCurrency, `SELECT id, code FROM currency WHERE id = $1`, id)
}

// ExchangeRate says that 1 Base is Rate (exact decimal text) Quote.
type ExchangeRate struct {
	Base      string
	Quote     string
	Rate      string
	UpdatedBy string
	UpdatedAt time.Time
}

func scanExchangeRate(s scanner) (ExchangeRate, error) {
	var r ExchangeRate
	return r, s.Scan(&r.Base, &r.Quote, &r.Rate, &r.UpdatedBy, &r.UpdatedAt)
}

// SetExchangeRate writes a rate, replacing the pair's rate.
func SetExchangeRate(ctx context.Context, q db.Q, r ExchangeRate) error {
	_, err := q.ExecContext(ctx, `INSERT INTO exchange_rate (base, quote, rate, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (base, quote) DO UPDATE SET rate = excluded.rate, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		r.Base, r.Quote, r.Rate, r.UpdatedBy, db.Time(r.UpdatedAt))
	return err
}

// GetExchangeRate loads the rate of a pair.
func GetExchangeRate(ctx context.Context, q db.Q, base, quote string) (ExchangeRate, error) {
	return one(ctx, q, scanExchangeRate, `SELECT base, quote, rate, updated_by, updated_at FROM exchange_rate WHERE base = $1 AND quote = $2`,
		base, quote)
}

// ExchangeRates lists every rate by pair.
func ExchangeRates(ctx context.Context, q db.Q) ([]ExchangeRate, error) {
	return all(ctx, q, scanExchangeRate, `SELECT base, quote, rate, updated_by, updated_at FROM exchange_rate ORDER BY base, quote`)
}

// AfterSale is where a store's after-sale webhook goes and the secret that
// signs it (stored sealed, see hookseal.go); URL is empty when none is set.
type AfterSale struct {
	URL    string
	Secret string
}

// StoreAfterSale loads a store's after-sale webhook setting.
func StoreAfterSale(ctx context.Context, q db.Q, storeID int64) (AfterSale, error) {
	var url, sec sql.NullString
	err := q.QueryRowContext(ctx, `SELECT after_sale_url, after_sale_secret FROM store WHERE id = $1`, storeID).Scan(&url, &sec)
	if errors.Is(err, sql.ErrNoRows) {
		return AfterSale{}, seam.ErrNotFound
	}
	a := AfterSale{URL: url.String, Secret: sec.String}
	if err != nil {
		return a, err
	}
	return a, openHookSecrets(ctx, q, db.HookStore, 1, func(int) int64 { return storeID }, func(int) *string { return &a.Secret })
}

// SetStoreAfterSale writes a store's after-sale webhook setting; an empty
// URL clears it. It reports whether the store exists.
func SetStoreAfterSale(ctx context.Context, q db.Q, storeID int64, a AfterSale) (bool, error) {
	var url, sec *string
	if a.URL != "" {
		url, sec = &a.URL, &a.Secret
		if a.Secret != "" {
			s, err := hookSealer(ctx, q)
			if err != nil {
				return false, err
			}
			sealed := s.Seal(a.Secret, db.HookSecretContext(db.HookStore, storeID))
			sec = &sealed
		}
	}
	res, err := q.ExecContext(ctx, `UPDATE store SET after_sale_url = $2, after_sale_secret = $3 WHERE id = $1`, storeID, url, sec)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// PublishProduct makes a product ACTIVE and, when none of its variants is
// ACTIVE, all of them; it reports the variants' ids.
func PublishProduct(ctx context.Context, q db.Q, productID int64, now time.Time) ([]int64, error) {
	if _, err := q.ExecContext(ctx, `UPDATE product SET status = 'ACTIVE', updated_at = $2 WHERE id = $1 AND status <> 'ACTIVE'`,
		productID, db.Time(now)); err != nil {
		return nil, err
	}
	if _, err := q.ExecContext(ctx, `UPDATE product_variant SET status = 'ACTIVE', updated_at = $2
		WHERE product_id = $1 AND NOT EXISTS (SELECT 1 FROM product_variant v WHERE v.product_id = $1 AND v.status = 'ACTIVE')`,
		productID, db.Time(now)); err != nil {
		return nil, err
	}
	return all(ctx, q, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	}, `SELECT id FROM product_variant WHERE product_id = $1 AND status = 'ACTIVE' ORDER BY id`, productID)
}

// ActivateDisplay makes a display ACTIVE.
func ActivateDisplay(ctx context.Context, q db.Q, id int64, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE display SET status = 'ACTIVE', updated_at = $2 WHERE id = $1 AND status <> 'ACTIVE'`, id, db.Time(now))
	return err
}

// ActivePricelistsIn lists a store's ACTIVE pricelists in a currency, by id.
func ActivePricelistsIn(ctx context.Context, q db.Q, storeID int64, currency string) ([]Pricelist, error) {
	return all(ctx, q, scanPricelist, pricelistSelect+` WHERE store_id = $1 AND currency = $2 AND status = 'ACTIVE' ORDER BY id`,
		storeID, currency)
}

// ProductLinksOf lists a product's links, newest first, at most limit.
func ProductLinksOf(ctx context.Context, q db.Q, productID int64, limit int) ([]ProductLink, error) {
	return all(ctx, q, scanProductLink, productLinkSelect+` WHERE product_id = $1 ORDER BY id DESC LIMIT $2`, productID, limit)
}
