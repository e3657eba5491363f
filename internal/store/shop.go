package store

import (
	"context"
	"database/sql"
	"errors"

	"seam/internal/db"
	"seam/internal/seam"
)

// Store is a shop front: direct to consumer or wholesale.
type Store struct {
	ID   int64
	Name string
	Type string
	// AutoconfirmOrders makes new orders CONFIRMED instead of PENDING.
	AutoconfirmOrders bool
	// DefaultCountryID is where a new checkout session starts.
	DefaultCountryID *int64
	// DefaultTaxGroupID taxes displays without a tax group, and shipping.
	DefaultTaxGroupID *int64
	// PaymentLinkTemplate is the storefront URL of a selection payment
	// link, with %basket% (the selection) and %hash% (the secret).
	PaymentLinkTemplate *string
	// DirectToShipment puts every new order into a good-to-go shipment.
	DirectToShipment bool
}

// Store types.
const (
	StoreDirectToConsumer = "DIRECT_TO_CONSUMER"
	StoreWholesale        = "WHOLESALE"
)

const storeSelect = `SELECT id, name, type, autoconfirm_orders, default_country_id, default_tax_group_id, payment_link_template, direct_to_shipment FROM store`

func scanStore(s scanner) (Store, error) {
	var st Store
	var country, tax sql.NullInt64
	var template sql.NullString
	err := s.Scan(&st.ID, &st.Name, &st.Type, &st.AutoconfirmOrders, &country, &tax, &template, &st.DirectToShipment)
	st.DefaultCountryID, st.DefaultTaxGroupID, st.PaymentLinkTemplate = nullInt(country), nullInt(tax), nullString(template)
	return st, err
}

// UpdateStore writes a store's name and settings.
func UpdateStore(ctx context.Context, q db.Q, s *Store) error {
	_, err := q.ExecContext(ctx, `UPDATE store SET name = $1, autoconfirm_orders = $2, default_country_id = $3, default_tax_group_id = $4,
		payment_link_template = $5, direct_to_shipment = $7 WHERE id = $6`, s.Name, s.AutoconfirmOrders, s.DefaultCountryID, s.DefaultTaxGroupID,
		s.PaymentLinkTemplate, s.ID, s.DirectToShipment)
	return err
}

// InsertStore creates a store.
func InsertStore(ctx context.Context, q db.Q, s *Store) error {
	id, err := insertID(ctx, q, `INSERT INTO store (name, type) VALUES ($1, $2) RETURNING id`, s.Name, s.Type)
	s.ID = id
	return err
}

// StoreFilter narrows a store list.
type StoreFilter struct {
	IDs   []int64
	Types []string
	Name  *StringMatch
}

// ListStores lists stores.
func ListStores(ctx context.Context, q db.Q, f StoreFilter, sorts []Sort, p Page) ([]Store, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "type", f.Types)
	f.Name.apply(&w, "name")
	return list(ctx, q, scanStore, storeSelect, &w, orderBy(sorts, map[string]string{"id": "id", "name": "name"}, "id"), p)
}

// StoresByIDs loads stores by id.
func StoresByIDs(ctx context.Context, q db.Q, ids []int64) ([]Store, error) {
	return byIDs(ctx, q, scanStore, storeSelect, "id", ids, "")
}

// GetStore loads one store.
func GetStore(ctx context.Context, q db.Q, id int64) (Store, error) {
	return one(ctx, q, scanStore, storeSelect+` WHERE id = $1`, id)
}

// Market groups the countries of a store that share assortment and prices.
type Market struct {
	ID      int64
	StoreID int64
	Name    string
}

const marketSelect = `SELECT id, store_id, name FROM market`

func scanMarket(s scanner) (Market, error) {
	var m Market
	err := s.Scan(&m.ID, &m.StoreID, &m.Name)
	return m, err
}

// InsertMarket creates a market.
func InsertMarket(ctx context.Context, q db.Q, m *Market) error {
	id, err := insertID(ctx, q, `INSERT INTO market (store_id, name) VALUES ($1, $2) RETURNING id`, m.StoreID, m.Name)
	m.ID = id
	return err
}

// AddMarketCountry assigns a country to a market (idempotent).
func AddMarketCountry(ctx context.Context, q db.Q, marketID, countryID int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO market_country (market_id, country_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, marketID, countryID)
	return err
}

// MarketFilter narrows a market list.
type MarketFilter struct {
	IDs      []int64
	StoreIDs []int64
	Name     *StringMatch
}

// ListMarkets lists markets.
func ListMarkets(ctx context.Context, q db.Q, f MarketFilter, sorts []Sort, p Page) ([]Market, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "store_id", f.StoreIDs)
	f.Name.apply(&w, "name")
	return list(ctx, q, scanMarket, marketSelect, &w, orderBy(sorts, map[string]string{"id": "id", "name": "name"}, "id"), p)
}

// MarketsByIDs loads markets by id.
func MarketsByIDs(ctx context.Context, q db.Q, ids []int64) ([]Market, error) {
	return byIDs(ctx, q, scanMarket, marketSelect, "id", ids, "")
}

// IDPair is a row of a many-to-many table.
type IDPair struct{ A, B int64 }

func scanPair(s scanner) (IDPair, error) {
	var p IDPair
	err := s.Scan(&p.A, &p.B)
	return p, err
}

// MarketCountries returns (market id, country id) pairs of markets.
func MarketCountries(ctx context.Context, q db.Q, marketIDs []int64) ([]IDPair, error) {
	return byIDs(ctx, q, scanPair, `SELECT market_id, country_id FROM market_country`, "market_id", marketIDs, " ORDER BY country_id")
}

// ShippingOption is a way of delivering an order.
type ShippingOption struct {
	ID   int64
	Name string
}

const shippingOptionSelect = `SELECT id, name FROM shipping_option`

func scanShippingOption(s scanner) (ShippingOption, error) {
	var o ShippingOption
	err := s.Scan(&o.ID, &o.Name)
	return o, err
}

// InsertShippingOption creates a shipping option.
func InsertShippingOption(ctx context.Context, q db.Q, o *ShippingOption) error {
	id, err := insertID(ctx, q, `INSERT INTO shipping_option (name) VALUES ($1) RETURNING id`, o.Name)
	o.ID = id
	return err
}

// ShippingOptionsByIDs loads shipping options by id.
func ShippingOptionsByIDs(ctx context.Context, q db.Q, ids []int64) ([]ShippingOption, error) {
	return byIDs(ctx, q, scanShippingOption, shippingOptionSelect, "id", ids, "")
}

// ListShippingOptions lists shipping options.
func ListShippingOptions(ctx context.Context, q db.Q, ids []int64, p Page) ([]ShippingOption, error) {
	var w where
	in(&w, "id", ids)
	return list(ctx, q, scanShippingOption, shippingOptionSelect, &w, " ORDER BY id", p)
}

// MarketForCountry finds the market of a store that a country belongs to;
// a country in no market of the store gets the store's first market.
func MarketForCountry(ctx context.Context, q db.Q, storeID, countryID int64) (Market, error) {
	m, err := one(ctx, q, scanMarket, marketSelect+` WHERE store_id = $1 AND id IN (SELECT market_id FROM market_country WHERE country_id = $2) ORDER BY id LIMIT 1`,
		storeID, countryID)
	if err == nil || !errors.Is(err, seam.ErrNotFound) {
		return m, err
	}
	return one(ctx, q, scanMarket, marketSelect+` WHERE store_id = $1 ORDER BY id LIMIT 1`, storeID)
}
