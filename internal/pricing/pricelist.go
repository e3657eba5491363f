// Package pricing holds pricelists, the prices of products and variants in
// them, and wholesale price alterations.
package pricing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

// Statuses of pricelists and price alterations.
var Statuses = []string{"ACTIVE", "INACTIVE"}

// PricelistInput creates or changes a pricelist. On update, nil fields stay
// as they are; the store and currency never change.
type PricelistInput struct {
	Name                  *string
	Status                *string
	Comment               *string
	CurrencyIsoCode       *string
	Store                 *seam.Ref
	DefaultShippingOption *seam.Ref
	AddCountries          []seam.Ref
	RemoveCountries       []seam.Ref
	PricesIncludeTax      *bool
	ExternalID            *string
}

// PricelistResult is what a pricelist change did.
type PricelistResult struct {
	ID       int64
	Warnings []seam.UserError
}

// CreatePricelist creates a pricelist of a store in one currency.
func CreatePricelist(ctx context.Context, d *db.DB, actor seam.Actor, in PricelistInput) (PricelistResult, error) {
	var res PricelistResult
	err := d.Tx(ctx, func(tx *db.Tx) error {
		res = PricelistResult{}
		path := seam.P("input")
		var p seam.Problems
		pl := store.Pricelist{PricesIncludeTax: true}
		if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
			p.Add(path.Key("name"), "name must not be empty.")
		} else {
			pl.Name = strings.TrimSpace(*in.Name)
		}
		pl.Status = status(&p, path.Key("status"), in.Status, true)
		switch {
		case in.CurrencyIsoCode == nil:
			p.Add(path.Key("currencyIsoCode"), "A pricelist needs a currency (currencyIsoCode, e.g. SEK).")
		case !money.Valid(*in.CurrencyIsoCode):
			p.Add(path.Key("currencyIsoCode"), "Unknown currency %q; use an ISO 4217 code such as SEK.", *in.CurrencyIsoCode)
		default:
			pl.CurrencyCode = *in.CurrencyIsoCode
		}
		if in.Store == nil {
			p.Add(path.Key("store"), "A pricelist needs a store.")
		} else if sid, ok, err := idconv.Collect(ctx, tx, &p, actor, "Store", in.Store, path.Key("store")); err != nil {
			return err
		} else if ok && !actor.MayUseStore(sid) {
			p.Merge(actor.StoreError(path.Key("store"), "it", sid))
		} else if ok {
			pl.StoreID = sid
		}
		if err := pricelistFields(ctx, tx, &p, actor, in, path, &pl); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertPricelist(ctx, tx, &pl); err != nil {
			return err
		}
		res.ID = pl.ID
		warnings, err := pricelistCountries(ctx, tx, actor, pl, in, path)
		if err != nil {
			return err
		}
		res.Warnings = warnings
		if err := idconv.Assign(ctx, tx, actor, "Pricelist", pl.ID, in.ExternalID, path.Key("externalId")); err != nil {
			return err
		}
		return event.Change(ctx, tx, actor, &pl.StoreID, event.TypePricelist, pl.ID, event.Created)
	})
	return res, seam.Wrap(err, "create pricelist")
}

// UpdatePricelist changes a pricelist.
func UpdatePricelist(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in PricelistInput) (PricelistResult, error) {
	var res PricelistResult
	err := d.Tx(ctx, func(tx *db.Tx) error {
		res = PricelistResult{ID: id}
		path := seam.P("input")
		// Lock the row: the update reads it, changes some fields and writes
		// them all back.
		if _, err := db.Lock(ctx, tx, "pricelist", id); err != nil {
			return err
		}
		pl, err := store.GetPricelist(ctx, tx, id)
		if errors.Is(err, seam.ErrNotFound) {
			return seam.Invalid(seam.P("id"), "Could not find Pricelist with ID %d.", id)
		} else if err != nil {
			return err
		}
		var p seam.Problems
		if !actor.MayUseStore(pl.StoreID) {
			p.Merge(actor.StoreError(seam.P("id"), fmt.Sprintf("pricelist %d", pl.ID), pl.StoreID))
		}
		if in.Store != nil {
			p.Add(path.Key("store"), "A pricelist cannot move to another store.")
		}
		if in.CurrencyIsoCode != nil && *in.CurrencyIsoCode != pl.CurrencyCode {
			p.Add(path.Key("currencyIsoCode"), "A pricelist's currency cannot change (it is %s); create a new pricelist instead.", pl.CurrencyCode)
		}
		if in.Name != nil {
			if strings.TrimSpace(*in.Name) == "" {
				p.Add(path.Key("name"), "name must not be empty.")
			}
			pl.Name = strings.TrimSpace(*in.Name)
		}
		if in.Status != nil {
			pl.Status = status(&p, path.Key("status"), in.Status, true)
		}
		if err := pricelistFields(ctx, tx, &p, actor, in, path, &pl); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.UpdatePricelist(ctx, tx, &pl); err != nil {
			return err
		}
		res.Warnings, err = pricelistCountries(ctx, tx, actor, pl, in, path)
		if err != nil {
			return err
		}
		if err := idconv.Assign(ctx, tx, actor, "Pricelist", pl.ID, in.ExternalID, path.Key("externalId")); err != nil {
			return err
		}
		return event.Change(ctx, tx, actor, &pl.StoreID, event.TypePricelist, pl.ID, event.Updated)
	})
	return res, seam.Wrap(err, fmt.Sprintf("update pricelist %d", id))
}

func status(p *seam.Problems, path seam.Path, v *string, required bool) string {
	if v == nil {
		if required {
			p.Add(path, "status is required.")
		}
		return ""
	}
	if !slices.Contains(Statuses, *v) {
		p.Add(path, "status must be one of %s, got %q.", strings.Join(Statuses, ", "), *v)
	}
	return *v
}

func pricelistFields(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, in PricelistInput, path seam.Path, pl *store.Pricelist) error {
	if in.Comment != nil {
		c := strings.TrimSpace(*in.Comment)
		pl.Comment = &c
		if c == "" {
			pl.Comment = nil
		}
	}
	if in.PricesIncludeTax != nil {
		pl.PricesIncludeTax = *in.PricesIncludeTax
	}
	if in.DefaultShippingOption != nil {
		var err error
		pl.DefaultShippingOptionID, err = idconv.Clearable(ctx, tx, p, actor, "ShippingOption", in.DefaultShippingOption, path.Key("defaultShippingOption"))
		return err
	}
	return nil
}

// pricelistCountries applies addCountries and removeCountries. Countries
// belong to direct-to-consumer pricelists only, and to one pricelist per
// store: adding a country that another pricelist of the store has moves it
// here, with a warning.
func pricelistCountries(ctx context.Context, tx *db.Tx, actor seam.Actor, pl store.Pricelist, in PricelistInput, path seam.Path) ([]seam.UserError, error) {
	var p seam.Problems
	if len(in.AddCountries) > 0 {
		st, err := store.GetStore(ctx, tx, pl.StoreID)
		if err != nil {
			return nil, err
		}
		if st.Type != store.StoreDirectToConsumer {
			return nil, seam.Invalid(path.Key("addCountries"), "Countries can only be added to pricelists of direct-to-consumer stores; store %d is %s.", st.ID, st.Type)
		}
	}
	for i := range in.AddCountries {
		cp := path.Key("addCountries").Index(i)
		cid, err := catalog.ResolveCountry(ctx, tx, actor, &in.AddCountries[i], cp)
		if p.Merge(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		others, err := store.CountryPricelistsInStore(ctx, tx, pl.StoreID, cid, pl.ID)
		if err != nil {
			return nil, err
		}
		for _, o := range others {
			if err := store.RemovePricelistCountry(ctx, tx, o, cid); err != nil {
				return nil, err
			}
			p.Warn(cp, "Country %d moved here from pricelist %d: a country uses one pricelist per store.", cid, o)
		}
		if err := store.AddPricelistCountry(ctx, tx, pl.ID, cid); err != nil {
			return nil, err
		}
	}
	for i := range in.RemoveCountries {
		cid, err := catalog.ResolveCountry(ctx, tx, actor, &in.RemoveCountries[i], path.Key("removeCountries").Index(i))
		if p.Merge(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		if err := store.RemovePricelistCountry(ctx, tx, pl.ID, cid); err != nil {
			return nil, err
		}
	}
	return p.Warnings, p.Err()
}
