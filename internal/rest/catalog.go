package rest

import (
	"seam/internal/checkout"
	"seam/internal/money"
	"seam/internal/store"
)

// productsBody is POST /products.
type productsBody struct {
	Categories    []flexID `json:"categories"`
	Brands        []flexID `json:"brands"`
	Search        string   `json:"search"`
	OnlyAvailable flexBool `json:"onlyAvailable"`
	SkipFirst     flexInt  `json:"skipFirst"`
	Limit         flexInt  `json:"limit"`
}

func ids(field string, in []flexID) ([]int64, error) {
	if in == nil {
		return nil, nil
	}
	out := make([]int64, 0, len(in))
	for i := range in {
		n, err := optID(field, &in[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *n)
	}
	return out, nil
}

func products(c *call) (any, error) {
	var b productsBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	cats, err := ids("categories", b.Categories)
	if err != nil {
		return nil, err
	}
	brands, err := ids("brands", b.Brands)
	if err != nil {
		return nil, err
	}
	list, err := c.h.svc.Products(c.ctx, c.selection, checkout.ProductQuery{Categories: cats, Brands: brands, Search: b.Search,
		OnlyAvailable: bool(b.OnlyAvailable), SkipFirst: clampInt(b.SkipFirst), Limit: clampInt(b.Limit)})
	if err != nil {
		return nil, err
	}
	out := make([]productJSON, len(list.Products))
	for i, p := range list.Products {
		out[i] = productOf(p)
	}
	return map[string]any{"token": c.token(), "products": out, "productCount": list.Count}, nil
}

func product(c *call) (any, error) {
	n, err := c.pathInt("product")
	if err != nil {
		return nil, err
	}
	p, err := c.h.svc.Product(c.ctx, c.selection, n)
	if err != nil {
		return nil, err
	}
	return map[string]any{"token": c.token(), "product": productOf(p)}, nil
}

type categoryJSON struct {
	Category   string  `json:"category"`
	Name       string  `json:"name"`
	URI        string  `json:"uri"`
	InCategory *string `json:"inCategory"`
	SortOrder  int     `json:"sortOrder"`
}

func categories(c *call) (any, error) {
	var b struct {
		Market    *flexID `json:"market"`
		Pricelist *flexID `json:"pricelist"`
		Language  *string `json:"language"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	nodes, err := c.h.svc.Categories(c.ctx, c.selection)
	if err != nil {
		return nil, err
	}
	out := make([]categoryJSON, len(nodes))
	for i, n := range nodes {
		out[i] = categoryOf(n)
	}
	return map[string]any{"token": c.token(), "categories": out}, nil
}

func lookupURI(c *call) (any, error) {
	var b struct {
		URI string   `json:"uri"`
		For []string `json:"for"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if b.URI == "" {
		return nil, &badRequest{field: "uri", msg: "Give the uri to look up."}
	}
	found, err := c.h.svc.LookupURI(c.ctx, c.selection, b.URI, b.For)
	if err != nil {
		return nil, err
	}
	if found.Kind == "product" {
		return map[string]any{"token": c.token(), "found": "product", "product": productOf(found.Product)}, nil
	}
	ps := make([]productJSON, len(found.Products))
	for i, p := range found.Products {
		ps[i] = productOf(p)
	}
	return map[string]any{"token": c.token(), "found": "category", "category": categoryOf(found.Category), "products": ps}, nil
}

// categoryOf is a category as the Checkout API shows it: its uri is the
// path from the top category.
func categoryOf(n checkout.CategoryNode) categoryJSON {
	out := categoryJSON{Category: id(n.Category.ID), Name: n.Category.Name, URI: n.Path, SortOrder: n.Category.SortOrder}
	if n.Category.ParentID != nil {
		out.InCategory = ptr(id(*n.Category.ParentID))
	}
	return out
}

type countryJSON struct {
	Country   string      `json:"country"`
	Name      string      `json:"name"`
	EU        bool        `json:"eu"`
	Language  string      `json:"language"`
	Currency  string      `json:"currency"`
	Market    string      `json:"market"`
	Pricelist string      `json:"pricelist"`
	States    []stateJSON `json:"states"`
}

type stateJSON struct {
	State string `json:"state"`
	Name  string `json:"name"`
}

// shop is the store the Checkout API sells for.
func (c *call) shop() (store.Store, error) {
	stores, err := store.ListStores(c.ctx, c.h.db.Read(), store.StoreFilter{Types: []string{store.StoreDirectToConsumer}}, nil, store.Page{Limit: 1})
	if err != nil || len(stores) == 0 {
		return store.Store{}, err
	}
	return stores[0], nil
}

func countries(c *call) (any, error) {
	out, err := c.countryList()
	if err != nil {
		return nil, err
	}
	return map[string]any{"token": c.token(), "countries": out}, nil
}

// countryList is the countries the shop sells to, with their states, the
// currency of their pricelist and the shop's language.
func (c *call) countryList() ([]countryJSON, error) {
	st, err := c.shop()
	if err != nil {
		return nil, err
	}
	q := c.h.db.Read()
	pairs, err := store.SellingCountries(c.ctx, q, st.ID)
	if err != nil {
		return nil, err
	}
	var cids []int64
	for _, p := range pairs {
		cids = append(cids, p.A)
	}
	cs, err := store.CountriesByIDs(c.ctx, q, cids)
	if err != nil {
		return nil, err
	}
	states, err := store.StatesByCountryIDs(c.ctx, q, cids)
	if err != nil {
		return nil, err
	}
	pls, err := store.ListPricelists(c.ctx, q, store.PricelistFilter{StoreIDs: []int64{st.ID}}, nil, store.Page{})
	if err != nil {
		return nil, err
	}
	currency := map[int64]string{}
	for _, p := range pls {
		currency[p.ID] = p.CurrencyCode
	}
	lang := "en"
	if langs, err := store.Languages(c.ctx, q); err != nil {
		return nil, err
	} else if len(langs) > 0 {
		lang = langs[0].Code
	}
	out := []countryJSON{}
	for _, p := range pairs {
		for _, co := range cs {
			if co.ID != p.A {
				continue
			}
			m, err := store.MarketForCountry(c.ctx, q, st.ID, co.ID)
			if err != nil {
				return nil, err
			}
			cj := countryJSON{Country: co.Code, Name: co.Name, EU: co.IsEU, Language: lang, Currency: currency[p.B], Market: id(m.ID),
				Pricelist: id(p.B), States: []stateJSON{}}
			for _, s := range states {
				if s.CountryID == co.ID {
					cj.States = append(cj.States, stateJSON{State: s.Code, Name: s.Name})
				}
			}
			out = append(out, cj)
		}
	}
	return out, nil
}

func markets(c *call) (any, error) {
	st, err := c.shop()
	if err != nil {
		return nil, err
	}
	ms, err := store.ListMarkets(c.ctx, c.h.db.Read(), store.MarketFilter{StoreIDs: []int64{st.ID}}, nil, store.Page{})
	if err != nil {
		return nil, err
	}
	out := []map[string]string{}
	for _, m := range ms {
		out = append(out, map[string]string{"market": id(m.ID), "name": m.Name})
	}
	return map[string]any{"token": c.token(), "markets": out}, nil
}

func pricelists(c *call) (any, error) {
	st, err := c.shop()
	if err != nil {
		return nil, err
	}
	pls, err := store.ListPricelists(c.ctx, c.h.db.Read(), store.PricelistFilter{StoreIDs: []int64{st.ID}, Statuses: []string{"ACTIVE"}}, nil, store.Page{})
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, p := range pls {
		digits, _ := money.Digits(p.CurrencyCode)
		out = append(out, map[string]any{"pricelist": id(p.ID), "name": p.Name, "currency": p.CurrencyCode, "decimals": digits, "pricesIncludeTax": p.PricesIncludeTax})
	}
	return map[string]any{"token": c.token(), "pricelists": out}, nil
}

func languages(c *call) (any, error) {
	out, err := c.languageList()
	if err != nil {
		return nil, err
	}
	return map[string]any{"token": c.token(), "languages": out}, nil
}

type languageJSON struct {
	Language string `json:"language"`
	Name     string `json:"name"`
	Default  bool   `json:"default"`
}

// languageList is the shop's languages.
func (c *call) languageList() ([]languageJSON, error) {
	langs, err := store.Languages(c.ctx, c.h.db.Read())
	if err != nil {
		return nil, err
	}
	out := []languageJSON{}
	for _, l := range langs {
		out = append(out, languageJSON{Language: l.Code, Name: l.Name, Default: l.IsDefault})
	}
	return out, nil
}

// clampInt narrows a client's number to an int, keeping it out of range
// (for the domain to refuse) rather than letting it wrap.
func clampInt(n flexInt) int {
	const most = 1 << 30
	return int(max(-most, min(most, int64(n))))
}
