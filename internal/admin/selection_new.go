package admin

import (
	"net/http"
	"strconv"

	"seam/internal/admin/form"
	"seam/internal/checkout"
	"seam/internal/money"
	"seam/internal/store"
)

// selectionOptions are the choices of the selection form.
type selectionOptions struct {
	Stores     []store.Store
	Markets    []store.Market
	Pricelists []store.Pricelist
	Countries  []store.Country
}

// searchRow is one size of a product found by the search.
type searchRow struct {
	Item, Label string
	Price       money.Amount
	Free        int64
}

type selectionView struct {
	Form     form.Selection
	Options  selectionOptions
	Results  []searchRow
	Searched bool
	// Currency is the chosen pricelist's, for the price column.
	Currency string
}

// selectionNew is step 1 of seed 000: "Create selection", from the Orders
// page or (with ?customer=) from a customer card. The form picks store,
// market, pricelist and country, searches products and adds sizes.
func (h *Handler) selectionNew(w http.ResponseWriter, r *http.Request) {
	f := form.Selection{Errors: form.Errors{}}
	if id, err := strconv.ParseInt(r.URL.Query().Get("customer"), 10, 64); err == nil && id > 0 {
		cs, err := store.CustomersByIDs(r.Context(), h.cfg.DB.Read(), []int64{id})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if len(cs) == 1 {
			c := cs[0]
			f.CustomerID, f.StoreID, f.Email, f.FirstName, f.LastName = c.ID, c.StoreID, c.Email, c.FirstName, c.LastName
		}
	}
	h.selectionForm(w, r, http.StatusOK, f)
}

// selectionForm renders the form with its options, defaults (the only
// store, market or pricelist is chosen) and, when asked, search results.
func (h *Handler) selectionForm(w http.ResponseWriter, r *http.Request, status int, f form.Selection) {
	ctx, q := r.Context(), h.cfg.DB.Read()
	var v selectionView
	var err error
	if v.Options.Stores, err = store.ListStores(ctx, q, store.StoreFilter{Types: []string{store.StoreDirectToConsumer}}, nil, store.Page{Limit: 100}); err != nil {
		h.fail(w, r, err)
		return
	}
	if f.StoreID == 0 && len(v.Options.Stores) == 1 {
		f.StoreID = v.Options.Stores[0].ID
	}
	if f.StoreID != 0 {
		if v.Options.Markets, err = store.ListMarkets(ctx, q, store.MarketFilter{StoreIDs: []int64{f.StoreID}}, nil, store.Page{Limit: 200}); err != nil {
			h.fail(w, r, err)
			return
		}
		if v.Options.Pricelists, err = store.ListPricelists(ctx, q, store.PricelistFilter{StoreIDs: []int64{f.StoreID}}, nil, store.Page{Limit: 200}); err != nil {
			h.fail(w, r, err)
			return
		}
		var ids []int64
		for _, m := range v.Options.Markets {
			ids = append(ids, m.ID)
		}
		pairs, err := store.MarketCountries(ctx, q, ids)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		var cids []int64
		for _, p := range pairs {
			cids = append(cids, p.B)
			// The market's country is the likely one: preselect it.
			if f.CountryID == 0 && p.A == f.MarketID && f.Action != "save" {
				f.CountryID = p.B
			}
		}
		if v.Options.Countries, err = store.CountriesByIDs(ctx, q, cids); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if f.MarketID == 0 && len(v.Options.Markets) == 1 {
		f.MarketID = v.Options.Markets[0].ID
	}
	for _, pl := range v.Options.Pricelists {
		if pl.ID == f.PricelistID {
			v.Currency = pl.CurrencyCode
		}
	}
	if f.Action == "search" || f.Query != "" {
		if f.MarketID == 0 || f.PricelistID == 0 {
			f.Errors.Add("q", "Choose the market and pricelist first: they decide what is sold and at which price.")
		} else {
			list, err := h.cfg.Checkout.ProductsIn(ctx, f.StoreID, f.MarketID, f.PricelistID, checkout.ProductQuery{Search: f.Query, Limit: 20})
			if err != nil {
				h.fail(w, r, err)
				return
			}
			v.Searched = true
			for _, p := range list.Products {
				for _, it := range p.Items {
					v.Results = append(v.Results, searchRow{Item: it.ID, Label: p.Display.Name + " · " + p.Variant.Name + " · " + it.Size.Size.Name,
						Price: p.Price, Free: it.Free})
				}
			}
		}
	}
	v.Form = f
	h.render(w, r, status, "selection_new", "Create selection", "orders", v)
}
