package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
)

// Pricelist is a set of prices in one currency for a store.
type Pricelist struct {
	ID                      int64
	StoreID                 int64
	Name                    string
	Status                  string
	CurrencyCode            string
	Comment                 *string
	DefaultShippingOptionID *int64
	PricesIncludeTax        bool
}

const pricelistSelect = `SELECT id, store_id, name, status, currency, comment, default_shipping_option_id, prices_include_tax FROM pricelist`

func scanPricelist(s scanner) (Pricelist, error) {
	var p Pricelist
	var comment sql.NullString
	var ship sql.NullInt64
	err := s.Scan(&p.ID, &p.StoreID, &p.Name, &p.Status, &p.CurrencyCode, &comment, &ship, &p.PricesIncludeTax)
	p.Comment, p.DefaultShippingOptionID = nullString(comment), nullInt(ship)
	return p, err
}

// InsertPricelist creates a pricelist.
func InsertPricelist(ctx context.Context, q db.Q, p *Pricelist) error {
	id, err := insertID(ctx, q, `INSERT INTO pricelist (store_id, name, status, currency, comment, default_shipping_option_id, prices_include_tax)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		p.StoreID, p.Name, p.Status, p.CurrencyCode, p.Comment, p.DefaultShippingOptionID, p.PricesIncludeTax)
	p.ID = id
	return err
}

// UpdatePricelist writes the editable fields of a pricelist (its store and
// currency never change).
func UpdatePricelist(ctx context.Context, q db.Q, p *Pricelist) error {
	_, err := q.ExecContext(ctx, `UPDATE pricelist SET name = $1, status = $2, comment = $3, default_shipping_option_id = $4, prices_include_tax = $5 WHERE id = $6`,
		p.Name, p.Status, p.Comment, p.DefaultShippingOptionID, p.PricesIncludeTax, p.ID)
	return err
}

// GetPricelist loads one pricelist.
func GetPricelist(ctx context.Context, q db.Q, id int64) (Pricelist, error) {
	return one(ctx, q, scanPricelist, pricelistSelect+` WHERE id = $1`, id)
}

// PricelistsByIDs loads pricelists by id.
func PricelistsByIDs(ctx context.Context, q db.Q, ids []int64) ([]Pricelist, error) {
	return byIDs(ctx, q, scanPricelist, pricelistSelect, "id", ids, "")
}

// PricelistFilter narrows a pricelist list.
type PricelistFilter struct {
	IDs        []int64
	StoreIDs   []int64
	Statuses   []string
	Currencies []string
	Name       *StringMatch
}

// ListPricelists lists pricelists.
func ListPricelists(ctx context.Context, q db.Q, f PricelistFilter, sorts []Sort, p Page) ([]Pricelist, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "store_id", f.StoreIDs)
	in(&w, "status", f.Statuses)
	in(&w, "currency", f.Currencies)
	f.Name.apply(&w, "name")
	return list(ctx, q, scanPricelist, pricelistSelect, &w, orderBy(sorts, map[string]string{"id": "id", "name": "name"}, "id"), p)
}

// AddPricelistCountry assigns a country to a pricelist (idempotent).
func AddPricelistCountry(ctx context.Context, q db.Q, pricelistID, countryID int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO pricelist_country (pricelist_id, country_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, pricelistID, countryID)
	return err
}

// RemovePricelistCountry takes a country off a pricelist.
func RemovePricelistCountry(ctx context.Context, q db.Q, pricelistID, countryID int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM pricelist_country WHERE pricelist_id = $1 AND country_id = $2`, pricelistID, countryID)
	return err
}

// PricelistCountries returns (pricelist id, country id) pairs.
func PricelistCountries(ctx context.Context, q db.Q, pricelistIDs []int64) ([]IDPair, error) {
	return byIDs(ctx, q, scanPair, `SELECT pricelist_id, country_id FROM pricelist_country`, "pricelist_id", pricelistIDs, " ORDER BY pricelist_id, country_id")
}

// CountryPricelistsInStore returns the pricelists of a store that a country
// is assigned to, other than exceptID.
func CountryPricelistsInStore(ctx context.Context, q db.Q, storeID, countryID, exceptID int64) ([]int64, error) {
	return all(ctx, q, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	}, `SELECT p.id FROM pricelist p JOIN pricelist_country pc ON pc.pricelist_id = p.id
		WHERE p.store_id = $1 AND pc.country_id = $2 AND p.id <> $3`, storeID, countryID, exceptID)
}

// Price is the price of a product (VariantID 0) or of one of its variants
// in a pricelist, in the pricelist's currency's minor units.
type Price struct {
	PricelistID int64
	ProductID   int64
	VariantID   int64
	Currency    string
	Price       int64
	Discount    *int64
	RRP         *int64
}

func scanPrice(s scanner) (Price, error) {
	var p Price
	var discount, rrp sql.NullInt64
	err := s.Scan(&p.PricelistID, &p.ProductID, &p.VariantID, &p.Currency, &p.Price, &discount, &rrp)
	p.Discount, p.RRP = nullInt(discount), nullInt(rrp)
	return p, err
}

const priceSelect = `SELECT pr.pricelist_id, pr.product_id, pr.product_variant_id, pl.currency, pr.price_minor, pr.discount_minor, pr.rrp_minor
	FROM price pr JOIN pricelist pl ON pl.id = pr.pricelist_id`

// SetPrice writes a product or variant price.
func SetPrice(ctx context.Context, q db.Q, p Price) error {
	_, err := q.ExecContext(ctx, `INSERT INTO price (pricelist_id, product_id, product_variant_id, price_minor, discount_minor, rrp_minor)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (pricelist_id, product_id, product_variant_id)
		DO UPDATE SET price_minor = excluded.price_minor, discount_minor = excluded.discount_minor, rrp_minor = excluded.rrp_minor`,
		p.PricelistID, p.ProductID, p.VariantID, p.Price, p.Discount, p.RRP)
	return err
}

// DeleteVariantPrices removes the individual variant prices of a product in
// a pricelist, so that the product price applies to every variant.
func DeleteVariantPrices(ctx context.Context, q db.Q, pricelistID, productID int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM price WHERE pricelist_id = $1 AND product_id = $2 AND product_variant_id <> 0`, pricelistID, productID)
	return err
}

// PriceFilter narrows a price list; nil lists match everything.
type PriceFilter struct {
	PricelistIDs []int64
	ProductIDs   []int64
}

// ListPrices lists prices by pricelist, product and variant, one page of
// them (a zero Page gives all).
func ListPrices(ctx context.Context, q db.Q, f PriceFilter, p Page) ([]Price, error) {
	var w where
	in(&w, "pr.pricelist_id", f.PricelistIDs)
	in(&w, "pr.product_id", f.ProductIDs)
	return list(ctx, q, scanPrice, priceSelect, &w, " ORDER BY pr.pricelist_id, pr.product_id, pr.product_variant_id", p)
}

// PriceAlteration is a second set of prices for a wholesale store that
// takes effect from StartDate.
type PriceAlteration struct {
	ID        int64
	StoreID   int64
	Name      string
	Status    string
	StartDate time.Time
	EndDate   *time.Time
}

const priceAlterationSelect = `SELECT id, store_id, name, status, start_date, end_date FROM price_alteration`

func scanPriceAlteration(s scanner) (PriceAlteration, error) {
	var a PriceAlteration
	var end sql.NullTime
	err := s.Scan(&a.ID, &a.StoreID, &a.Name, &a.Status, &a.StartDate, &end)
	if end.Valid {
		a.EndDate = &end.Time
	}
	return a, err
}

// InsertPriceAlteration creates a price alteration.
func InsertPriceAlteration(ctx context.Context, q db.Q, a *PriceAlteration) error {
	id, err := insertID(ctx, q, `INSERT INTO price_alteration (store_id, name, status, start_date, end_date) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		a.StoreID, a.Name, a.Status, a.StartDate, a.EndDate)
	a.ID = id
	return err
}

// UpdatePriceAlteration writes every field of a price alteration.
func UpdatePriceAlteration(ctx context.Context, q db.Q, a *PriceAlteration) error {
	_, err := q.ExecContext(ctx, `UPDATE price_alteration SET name = $1, status = $2, start_date = $3, end_date = $4 WHERE id = $5`,
		a.Name, a.Status, a.StartDate, a.EndDate, a.ID)
	return err
}

// PriceAlterationsByIDs loads price alterations by id.
func PriceAlterationsByIDs(ctx context.Context, q db.Q, ids []int64) ([]PriceAlteration, error) {
	return byIDs(ctx, q, scanPriceAlteration, priceAlterationSelect, "id", ids, "")
}

// ListPriceAlterations lists price alterations.
func ListPriceAlterations(ctx context.Context, q db.Q, ids, storeIDs []int64, statuses []string, p Page) ([]PriceAlteration, error) {
	var w where
	in(&w, "id", ids)
	in(&w, "store_id", storeIDs)
	in(&w, "status", statuses)
	return list(ctx, q, scanPriceAlteration, priceAlterationSelect, &w, " ORDER BY id", p)
}

// AlteredPrice is a price of a price alteration.
type AlteredPrice struct {
	PriceAlterationID int64
	Price
}

// SetAlteredPrice writes a price of a price alteration.
func SetAlteredPrice(ctx context.Context, q db.Q, a AlteredPrice) error {
	_, err := q.ExecContext(ctx, `INSERT INTO altered_price (price_alteration_id, pricelist_id, product_id, product_variant_id, price_minor, rrp_minor)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (price_alteration_id, pricelist_id, product_id, product_variant_id)
		DO UPDATE SET price_minor = excluded.price_minor, rrp_minor = excluded.rrp_minor`,
		a.PriceAlterationID, a.PricelistID, a.ProductID, a.VariantID, a.Price.Price, a.RRP)
	return err
}

// DeleteAlteredVariantPrices removes a price alteration's individual variant
// prices of a product in a pricelist.
func DeleteAlteredVariantPrices(ctx context.Context, q db.Q, alterationID, pricelistID, productID int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM altered_price WHERE price_alteration_id = $1 AND pricelist_id = $2 AND product_id = $3 AND product_variant_id <> 0`,
		alterationID, pricelistID, productID)
	return err
}

// AlteredPriceFilter narrows a list of altered prices.
type AlteredPriceFilter struct {
	PriceAlterationIDs []int64
	PricelistIDs       []int64
	ProductIDs         []int64
}

// ListAlteredPrices lists altered prices, one page of them.
func ListAlteredPrices(ctx context.Context, q db.Q, f AlteredPriceFilter, p Page) ([]AlteredPrice, error) {
	var w where
	in(&w, "ap.price_alteration_id", f.PriceAlterationIDs)
	in(&w, "ap.pricelist_id", f.PricelistIDs)
	in(&w, "ap.product_id", f.ProductIDs)
	return list(ctx, q, func(s scanner) (AlteredPrice, error) {
		var a AlteredPrice
		var rrp sql.NullInt64
		err := s.Scan(&a.PriceAlterationID, &a.PricelistID, &a.ProductID, &a.VariantID, &a.Currency, &a.Price.Price, &rrp)
		a.RRP = nullInt(rrp)
		return a, err
	}, `SELECT ap.price_alteration_id, ap.pricelist_id, ap.product_id, ap.product_variant_id, pl.currency, ap.price_minor, ap.rrp_minor
		FROM altered_price ap JOIN pricelist pl ON pl.id = ap.pricelist_id`, &w,
		" ORDER BY ap.price_alteration_id, ap.pricelist_id, ap.product_id, ap.product_variant_id", p)
}

// PricelistForCountry finds the active pricelist of a store that a country
// is assigned to.
func PricelistForCountry(ctx context.Context, q db.Q, storeID, countryID int64) (Pricelist, error) {
	return one(ctx, q, scanPricelist, pricelistSelect+` WHERE store_id = $1 AND status = 'ACTIVE'
		AND id IN (SELECT pricelist_id FROM pricelist_country WHERE country_id = $2) ORDER BY id LIMIT 1`, storeID, countryID)
}

// SellingCountries lists the countries a store sells to (assigned to one
// of its active pricelists) with their pricelist ids, by country id.
func SellingCountries(ctx context.Context, q db.Q, storeID int64) ([]IDPair, error) {
	return all(ctx, q, scanPair, `SELECT pc.country_id, MIN(p.id) FROM pricelist p JOIN pricelist_country pc ON pc.pricelist_id = p.id
		WHERE p.store_id = $1 AND p.status = 'ACTIVE' GROUP BY pc.country_id ORDER BY pc.country_id`, storeID)
}
