package checkout

import (
	"context"
	"strings"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/store"
)

// location is where a selection sells: the market and pricelist that a
// country gets in the store.
type location struct {
	Country   store.Country
	Market    store.Market
	Pricelist store.Pricelist
}

// locate finds the market and pricelist of a country; a country without an
// active pricelist in the store cannot be sold to.
func locate(ctx context.Context, q db.Q, storeID int64, code string) (location, error) {
	var loc location
	c, err := store.CountryByCode(ctx, q, code)
	if isNotFound(err) {
		return loc, notFound("no country %q; use an ISO 3166 code such as SE", code)
	} else if err != nil {
		return loc, err
	}
	loc.Country = c
	loc.Pricelist, err = store.PricelistForCountry(ctx, q, storeID, c.ID)
	if isNotFound(err) {
		return loc, invalid("country", "This shop does not sell to %s (%s).", c.Name, c.Code)
	} else if err != nil {
		return loc, err
	}
	loc.Market, err = store.MarketForCountry(ctx, q, storeID, c.ID)
	if isNotFound(err) {
		return loc, conflict("store %d has no market", storeID)
	}
	return loc, err
}

// newSelection starts an empty selection in the store's default country.
func (s *Service) newSelection(ctx context.Context, tx *db.Tx) (store.Selection, error) {
	sel, err := draftSelection(ctx, tx)
	if err != nil {
		return sel, err
	}
	if err := store.InsertSelection(ctx, tx, &sel); err != nil {
		return store.Selection{}, err
	}
	return sel, selectionEvent(ctx, tx, sel, event.Created)
}

// shopSelection is the selection a catalog read prices for: the named one,
// or without one (a caller that has not written yet) an unsaved empty
// selection in the store's default country.
func shopSelection(ctx context.Context, q db.Q, id string) (store.Selection, error) {
	if id == "" {
		return draftSelection(ctx, q)
	}
	return store.GetSelection(ctx, q, id, false)
}

// draftSelection is an empty selection in the store's default country,
// not stored.
func draftSelection(ctx context.Context, tx db.Q) (store.Selection, error) {
	st, err := shopStore(ctx, tx)
	if err != nil {
		return store.Selection{}, err
	}
	code, err := defaultCountry(ctx, tx, st)
	if err != nil {
		return store.Selection{}, err
	}
	loc, err := locate(ctx, tx, st.ID, code)
	if err != nil {
		return store.Selection{}, err
	}
	lang, err := defaultLanguage(ctx, tx)
	if err != nil {
		return store.Selection{}, err
	}
	now := db.Now()
	return store.Selection{ID: newID(16), StoreID: st.ID, MarketID: loc.Market.ID, PricelistID: loc.Pricelist.ID, CountryID: &loc.Country.ID,
		Language: lang, Status: store.SelectionOpen, CreatedAt: now, UpdatedAt: now}, nil
}

// defaultCountry is the store's default country, or the first it sells to.
func defaultCountry(ctx context.Context, q db.Q, st store.Store) (string, error) {
	if st.DefaultCountryID != nil {
		cs, err := store.CountriesByIDs(ctx, q, []int64{*st.DefaultCountryID})
		if err != nil || len(cs) == 1 {
			if len(cs) == 1 {
				return cs[0].Code, nil
			}
			return "", err
		}
	}
	pairs, err := store.SellingCountries(ctx, q, st.ID)
	if err != nil {
		return "", err
	}
	if len(pairs) == 0 {
		return "", conflict("store %q sells to no country yet: assign countries to an active pricelist", st.Name)
	}
	cs, err := store.CountriesByIDs(ctx, q, []int64{pairs[0].A})
	if err != nil || len(cs) == 0 {
		return "", err
	}
	return cs[0].Code, nil
}

func defaultLanguage(ctx context.Context, q db.Q) (string, error) {
	langs, err := store.Languages(ctx, q)
	if err != nil || len(langs) == 0 {
		return "en", err
	}
	return langs[0].Code, nil
}

// normCode upper-cases an ISO code from a path.
func normCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
