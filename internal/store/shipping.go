package store

import (
	"context"
	"database/sql"

	"seam/internal/db"
)

// ShippingPrice is what a shipping option costs in a pricelist, for one
// country or (CountryID nil) for every country of the pricelist, and the
// order value from which it is free.
type ShippingPrice struct {
	ID               int64
	ShippingOptionID int64
	PricelistID      int64
	CountryID        *int64
	PriceMinor       int64
	FreeAboveMinor   *int64
}

// SetShippingPrice writes the price of a shipping option in a pricelist
// for a country (or all), replacing an earlier one.
func SetShippingPrice(ctx context.Context, q db.Q, p *ShippingPrice) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM shipping_price WHERE shipping_option_id = $1 AND pricelist_id = $2
		AND (country_id = $3 OR (country_id IS NULL AND $3 IS NULL))`, p.ShippingOptionID, p.PricelistID, p.CountryID); err != nil {
		return err
	}
	id, err := insertID(ctx, q, `INSERT INTO shipping_price (shipping_option_id, pricelist_id, country_id, price_minor, free_above_minor)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, p.ShippingOptionID, p.PricelistID, p.CountryID, p.PriceMinor, p.FreeAboveMinor)
	p.ID = id
	return err
}

// ShippingPricesFor lists the shipping prices of a pricelist that apply to
// a country: a country's own price wins over the pricelist's price for
// all its countries, which does not reach countries outside the pricelist.
func ShippingPricesFor(ctx context.Context, q db.Q, pricelistID, countryID int64) ([]ShippingPrice, error) {
	rows, err := all(ctx, q, func(s scanner) (ShippingPrice, error) {
		var p ShippingPrice
		var country, free sql.NullInt64
		err := s.Scan(&p.ID, &p.ShippingOptionID, &p.PricelistID, &country, &p.PriceMinor, &free)
		p.CountryID, p.FreeAboveMinor = nullInt(country), nullInt(free)
		return p, err
	}, `SELECT id, shipping_option_id, pricelist_id, country_id, price_minor, free_above_minor FROM shipping_price
		WHERE pricelist_id = $1 AND (country_id = $2 OR (country_id IS NULL AND EXISTS (SELECT 1 FROM pricelist_country pc
			WHERE pc.pricelist_id = $1 AND pc.country_id = $2)))
		ORDER BY shipping_option_id, country_id NULLS LAST`, pricelistID, countryID)
	if err != nil {
		return nil, err
	}
	var out []ShippingPrice
	seen := map[int64]bool{}
	for _, r := range rows {
		if !seen[r.ShippingOptionID] {
			seen[r.ShippingOptionID] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// PaymentMethod is a way a store takes payment, served by a provider.
type PaymentMethod struct {
	ID       int64
	StoreID  int64
	Name     string
	Provider string
	Active   bool
	Position int
}

// InsertPaymentMethod adds a payment method.
func InsertPaymentMethod(ctx context.Context, q db.Q, m *PaymentMethod) error {
	id, err := insertID(ctx, q, `INSERT INTO payment_method (store_id, name, provider, active, position) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		m.StoreID, m.Name, m.Provider, m.Active, m.Position)
	m.ID = id
	return err
}

// PaymentMethodsOfStores lists every payment method of stores, active or not.
func PaymentMethodsOfStores(ctx context.Context, q db.Q, storeIDs []int64) ([]PaymentMethod, error) {
	return byIDs(ctx, q, scanPaymentMethod, `SELECT id, store_id, name, provider, active, position FROM payment_method`, "store_id", storeIDs,
		" ORDER BY store_id, position, id")
}

// PaymentMethodsByIDs loads payment methods by id.
func PaymentMethodsByIDs(ctx context.Context, q db.Q, ids []int64) ([]PaymentMethod, error) {
	return byIDs(ctx, q, scanPaymentMethod, `SELECT id, store_id, name, provider, active, position FROM payment_method`, "id", ids, "")
}

// ActivePaymentMethodsOf lists the active payment methods of every store
// that use a provider.
func ActivePaymentMethodsOf(ctx context.Context, q db.Q, provider string) ([]PaymentMethod, error) {
	return all(ctx, q, scanPaymentMethod, `SELECT id, store_id, name, provider, active, position FROM payment_method
		WHERE provider = $1 AND active ORDER BY store_id, position, id`, provider)
}

func scanPaymentMethod(s scanner) (PaymentMethod, error) {
	var m PaymentMethod
	err := s.Scan(&m.ID, &m.StoreID, &m.Name, &m.Provider, &m.Active, &m.Position)
	return m, err
}

// PaymentMethods lists the active payment methods of a store.
func PaymentMethods(ctx context.Context, q db.Q, storeID int64) ([]PaymentMethod, error) {
	return all(ctx, q, scanPaymentMethod, `SELECT id, store_id, name, provider, active, position FROM payment_method WHERE store_id = $1 AND active
		ORDER BY position, id`, storeID)
}
