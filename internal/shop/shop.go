// Package shop holds the set-up of selling: stores, markets and their
// countries, shipping options, and tax groups with their rules.
package shop

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/govalues/decimal"

	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/idconv"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

// StoreInput creates a store.
type StoreInput struct {
	Name       *string
	Type       *string
	ExternalID *string
}

// StoreTypes are the kinds of store.
var StoreTypes = []string{store.StoreDirectToConsumer, store.StoreWholesale}

func name(p *seam.Problems, path seam.Path, v *string) string {
	if v == nil || strings.TrimSpace(*v) == "" {
		p.Add(path, "name must not be empty.")
		return ""
	}
	return strings.TrimSpace(*v)
}

// CreateStore creates a store.
func CreateStore(ctx context.Context, d *db.DB, actor seam.Actor, in StoreInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		if actor.StoreID != nil {
			return seam.Invalid(path, "This token is limited to store %d and cannot create stores.", *actor.StoreID)
		}
		s := store.Store{Name: name(&p, path.Key("name"), in.Name)}
		if in.Type == nil || !slices.Contains(StoreTypes, *in.Type) {
			p.Add(path.Key("type"), "type must be one of %s.", strings.Join(StoreTypes, ", "))
		} else {
			s.Type = *in.Type
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertStore(ctx, tx, &s); err != nil {
			return err
		}
		id = s.ID
		return idconv.Assign(ctx, tx, actor, "Store", s.ID, in.ExternalID, path.Key("externalId"))
	})
	return id, seam.Wrap(err, "create store")
}

// MarketInput creates a market or changes its countries.
type MarketInput struct {
	Store           *seam.Ref
	Name            *string
	AddCountries    []seam.Ref
	RemoveCountries []seam.Ref
	ExternalID      *string
}

// CreateMarket creates a market of a store.
func CreateMarket(ctx context.Context, d *db.DB, actor seam.Actor, in MarketInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		m := store.Market{Name: name(&p, path.Key("name"), in.Name)}
		if in.Store == nil {
			p.Add(path.Key("store"), "A market needs a store.")
		} else if sid, ok, err := idconv.Collect(ctx, tx, &p, actor, "Store", in.Store, path.Key("store")); err != nil {
			return err
		} else if ok && !actor.MayUseStore(sid) {
			p.Merge(actor.StoreError(path.Key("store"), "it", sid))
		} else if ok {
			m.StoreID = sid
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertMarket(ctx, tx, &m); err != nil {
			return err
		}
		id = m.ID
		if err := marketCountries(ctx, tx, actor, m.ID, in, path); err != nil {
			return err
		}
		return idconv.Assign(ctx, tx, actor, "Market", m.ID, in.ExternalID, path.Key("externalId"))
	})
	return id, seam.Wrap(err, "create market")
}

// UpdateMarket renames a market or changes its countries.
func UpdateMarket(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in MarketInput) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		ms, err := store.MarketsByIDs(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return seam.Invalid(seam.P("id"), "Could not find Market with ID %d.", id)
		}
		if !actor.MayUseStore(ms[0].StoreID) {
			return actor.StoreError(seam.P("id"), fmt.Sprintf("market %d", id), ms[0].StoreID)
		}
		if in.Store != nil {
			return seam.Invalid(path.Key("store"), "A market cannot move to another store.")
		}
		if in.Name != nil {
			var p seam.Problems
			n := name(&p, path.Key("name"), in.Name)
			if err := p.Err(); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE market SET name = $1 WHERE id = $2`, n, id); err != nil {
				return err
			}
		}
		if err := marketCountries(ctx, tx, actor, id, in, path); err != nil {
			return err
		}
		return idconv.Assign(ctx, tx, actor, "Market", id, in.ExternalID, path.Key("externalId"))
	})
	return seam.Wrap(err, fmt.Sprintf("update market %d", id))
}

func marketCountries(ctx context.Context, tx *db.Tx, actor seam.Actor, marketID int64, in MarketInput, path seam.Path) error {
	var p seam.Problems
	for i := range in.AddCountries {
		cid, err := catalog.ResolveCountry(ctx, tx, actor, &in.AddCountries[i], path.Key("addCountries").Index(i))
		if p.Merge(err) {
			continue
		} else if err != nil {
			return err
		}
		if err := store.AddMarketCountry(ctx, tx, marketID, cid); err != nil {
			return err
		}
	}
	for i := range in.RemoveCountries {
		cid, err := catalog.ResolveCountry(ctx, tx, actor, &in.RemoveCountries[i], path.Key("removeCountries").Index(i))
		if p.Merge(err) {
			continue
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM market_country WHERE market_id = $1 AND country_id = $2`, marketID, cid); err != nil {
			return err
		}
	}
	return p.Err()
}

// CreateShippingOption creates a shipping option.
func CreateShippingOption(ctx context.Context, d *db.DB, actor seam.Actor, n *string, externalID *string) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var p seam.Problems
		o := store.ShippingOption{Name: name(&p, seam.P("input", "name"), n)}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertShippingOption(ctx, tx, &o); err != nil {
			return err
		}
		id = o.ID
		return idconv.Assign(ctx, tx, actor, "ShippingOption", o.ID, externalID, seam.P("input", "externalId"))
	})
	return id, seam.Wrap(err, "create shipping option")
}

// TaxRuleInput is the rate of a tax group in a country or one of its states.
type TaxRuleInput struct {
	Country *seam.Ref
	State   *string
	// Rate is a percentage, 0–100 ("25", "8.875").
	Rate string
}

// CreateTaxGroup creates a tax group with its rules.
func CreateTaxGroup(ctx context.Context, d *db.DB, actor seam.Actor, n string, rules []TaxRuleInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		g := store.TaxGroup{Name: name(&p, path.Key("name"), &n)}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertTaxGroup(ctx, tx, &g); err != nil {
			return err
		}
		id = g.ID
		for i, r := range rules {
			rp := path.Key("rules").Index(i)
			rate, err := decimal.Parse(r.Rate)
			if err != nil || rate.IsNeg() || rate.Cmp(decimal.Hundred) > 0 {
				p.Add(rp.Key("rate"), "A tax rate is a percentage from 0 to 100, got %q.", r.Rate)
				continue
			}
			cid, err := catalog.ResolveCountry(ctx, tx, actor, r.Country, rp.Key("country"))
			if p.Merge(err) {
				continue
			} else if err != nil {
				return err
			}
			rule := store.TaxRule{TaxGroupID: g.ID, CountryID: cid, Rate: rate.Trim(0).String()}
			if r.State != nil {
				st, err := store.FindState(ctx, tx, cid, *r.State)
				if errors.Is(err, seam.ErrNotFound) {
					p.Add(rp.Key("state"), "Country %d has no state %q.", cid, *r.State)
					continue
				} else if err != nil {
					return err
				}
				rule.StateID = &st.ID
			}
			if err := store.InsertTaxRule(ctx, tx, &rule); err != nil {
				return err
			}
		}
		return p.Err()
	})
	return id, seam.Wrap(err, "create tax group")
}

// StoreSettings changes a store's name and settings; nil fields stay.
type StoreSettings struct {
	Name              *string
	AutoconfirmOrders *bool
	DefaultCountry    *seam.Ref
	DefaultTaxGroup   *seam.Ref
	// PaymentLinkTemplate: "" clears it.
	PaymentLinkTemplate *string
	// DirectToShipment puts new orders into a good-to-go shipment.
	DirectToShipment *bool
}

// UpdateStore changes a store's settings.
func UpdateStore(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in StoreSettings) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		if _, err := db.Lock(ctx, tx, "store", id); err != nil {
			return err
		}
		st, err := store.GetStore(ctx, tx, id)
		if errors.Is(err, seam.ErrNotFound) {
			return seam.Invalid(seam.P("id"), "Could not find Store with ID %d.", id)
		} else if err != nil {
			return err
		}
		var p seam.Problems
		if !actor.MayUseStore(id) {
			p.Merge(actor.StoreError(seam.P("id"), "it", id))
		}
		if in.Name != nil {
			st.Name = name(&p, path.Key("name"), in.Name)
		}
		if in.AutoconfirmOrders != nil {
			st.AutoconfirmOrders = *in.AutoconfirmOrders
		}
		if in.DirectToShipment != nil {
			st.DirectToShipment = *in.DirectToShipment
		}
		if in.DefaultCountry != nil {
			if in.DefaultCountry.IsZero() {
				st.DefaultCountryID = nil
			} else if cid, err := catalog.ResolveCountry(ctx, tx, actor, in.DefaultCountry, path.Key("defaultCountry")); !p.Merge(err) {
				if err != nil {
					return err
				}
				st.DefaultCountryID = &cid
			}
		}
		if t := in.PaymentLinkTemplate; t != nil {
			if *t == "" {
				st.PaymentLinkTemplate = nil
			} else if err := CheckTemplate(*t); err != nil {
				p.Add(path.Key("paymentLinkTemplate"), "%s.", upperFirst(err.Error()))
			} else {
				st.PaymentLinkTemplate = t
			}
		}
		if in.DefaultTaxGroup != nil {
			if st.DefaultTaxGroupID, err = idconv.Clearable(ctx, tx, &p, actor, "TaxGroup", in.DefaultTaxGroup, path.Key("defaultTaxGroup")); err != nil {
				return err
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		return store.UpdateStore(ctx, tx, &st)
	})
	return seam.Wrap(err, fmt.Sprintf("update store %d", id))
}

// ShippingPriceInput is the price of a shipping option in a pricelist, for
// one country or (no country) for all the pricelist's countries, and the
// order value from which it is free.
type ShippingPriceInput struct {
	ShippingOption *seam.Ref
	Pricelist      *seam.Ref
	Country        *seam.Ref
	Price          *money.Input
	FreeAbove      *money.Input
}

// SetShippingPrices writes shipping prices, all or nothing.
func SetShippingPrices(ctx context.Context, d *db.DB, actor seam.Actor, in []ShippingPriceInput) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var p seam.Problems
		for i, sp := range in {
			path := seam.P("input").Index(i)
			row := store.ShippingPrice{}
			if sp.ShippingOption == nil || sp.Pricelist == nil || sp.Price == nil {
				p.Add(path, "A shipping price needs shippingOption, pricelist and price.")
				continue
			}
			opt, ok1, err := idconv.Collect(ctx, tx, &p, actor, "ShippingOption", sp.ShippingOption, path.Key("shippingOption"))
			if err != nil {
				return err
			}
			plID, ok2, err := idconv.Collect(ctx, tx, &p, actor, "Pricelist", sp.Pricelist, path.Key("pricelist"))
			if err != nil {
				return err
			}
			if !ok1 || !ok2 {
				continue
			}
			pl, err := store.GetPricelist(ctx, tx, plID)
			if err != nil {
				return err
			}
			if !actor.MayUseStore(pl.StoreID) {
				p.Merge(actor.StoreError(path.Key("pricelist"), fmt.Sprintf("pricelist %d", pl.ID), pl.StoreID))
				continue
			}
			row.ShippingOptionID, row.PricelistID = opt, plID
			if sp.Country != nil {
				cid, err := catalog.ResolveCountry(ctx, tx, actor, sp.Country, path.Key("country"))
				if p.Merge(err) {
					continue
				} else if err != nil {
					return err
				}
				row.CountryID = &cid
			}
			for field, in := range map[string]*money.Input{"price": sp.Price, "freeAbove": sp.FreeAbove} {
				if in == nil {
					continue
				}
				a, err := catalog.Amount(path.Key(field), *in)
				if p.Merge(err) {
					continue
				}
				if a.Currency != pl.CurrencyCode {
					p.Add(path.Key(field, "currencyIsoCode"), "Pricelist %d is in %s; this amount is in %s.", pl.ID, pl.CurrencyCode, a.Currency)
					continue
				}
				if field == "price" {
					row.PriceMinor = a.Minor
				} else {
					row.FreeAboveMinor = &a.Minor
				}
			}
			if len(p.Errors) > 0 {
				continue
			}
			if err := store.SetShippingPrice(ctx, tx, &row); err != nil {
				return err
			}
		}
		return p.Err()
	})
	return seam.Wrap(err, "set shipping prices")
}

// Providers are the payment providers a payment method may use.
var Providers = []string{"test", "stripe"}

// CreatePaymentMethod adds a way a store takes payment.
func CreatePaymentMethod(ctx context.Context, d *db.DB, actor seam.Actor, storeRef *seam.Ref, methodName, provider string) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		m := store.PaymentMethod{Name: name(&p, path.Key("name"), &methodName), Provider: provider, Active: true}
		if !slices.Contains(Providers, provider) {
			p.Add(path.Key("provider"), "provider must be one of %s, got %q.", strings.Join(Providers, ", "), provider)
		}
		if storeRef == nil {
			p.Add(path.Key("store"), "A payment method needs a store.")
		} else if sid, ok, err := idconv.Collect(ctx, tx, &p, actor, "Store", storeRef, path.Key("store")); err != nil {
			return err
		} else if ok && !actor.MayUseStore(sid) {
			p.Merge(actor.StoreError(path.Key("store"), "it", sid))
		} else if ok {
			m.StoreID = sid
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertPaymentMethod(ctx, tx, &m); err != nil {
			return err
		}
		id = m.ID
		return nil
	})
	return id, seam.Wrap(err, "create payment method")
}

// AddLanguage adds a language texts may come in.
func AddLanguage(ctx context.Context, d *db.DB, code, languageName string) error {
	if len(code) < 2 || len(code) > 8 || strings.TrimSpace(languageName) == "" {
		return seam.Invalid(seam.P("input"), "A language has a code of 2 to 8 letters and a name.")
	}
	return d.Tx(ctx, func(tx *db.Tx) error {
		return store.InsertLanguage(ctx, tx, store.Language{Code: strings.ToLower(code), Name: languageName})
	})
}

// CheckTemplate checks a store's paymentLinkTemplate: an absolute http(s)
// URL holding %basket% and %hash%.
func CheckTemplate(t string) error {
	u, err := url.Parse(strings.NewReplacer("%basket%", "b", "%hash%", "h").Replace(t))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("paymentLinkTemplate must be an absolute http or https URL such as https://your.store/selection/%%basket%%/%%hash%%, got %q", t)
	case !strings.Contains(t, "%basket%") || !strings.Contains(t, "%hash%"):
		return fmt.Errorf("paymentLinkTemplate must hold %%basket%% (the selection) and %%hash%% (the link's secret), got %q", t)
	}
	return nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
