package productlink

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

// OfferInput asks what a product page offers: a product, optionally a
// link's uuid, and the currency the buyer chose ("" for the default).
type OfferInput struct {
	ProductID int64
	UUID      string
	Currency  string
}

// Offer is what a product page sells: the product at a price in one of
// the currencies it is offered in, the items (sizes) to choose from, the
// countries the currency's pricelist ships to and the payment methods.
type Offer struct {
	Product     store.Product
	Title       string
	Description *string
	Store       store.Store
	// Link is the payment link the page sells through; nil without uuid,
	// when the product sells at its pricelist price.
	Link *store.ProductLink
	// Problem says why nothing can be bought here ("" when it can);
	// Gone is set when the reason is the link's (deleted, used, expired).
	Problem string
	Gone    bool
	// Currencies are the currencies offered, in order; Currency the one
	// shown.
	Currencies []string
	Currency   string
	// Notice says that the currency asked for is not offered.
	Notice         string
	Price          Price
	Pricelist      store.Pricelist
	Countries      []store.Country
	Items          []Item
	PaymentMethods []store.PaymentMethod
	// DefaultCountry is the country to preselect.
	DefaultCountry string
	// States are the states of the countries whose tax depends on the
	// state, by country code: the buyer must choose one there.
	States map[string][]store.State
}

// Price is what the product costs in a currency: Amount, and the
// crossed-out Before when it is discounted.
type Price struct {
	Amount money.Amount
	Before *money.Amount
	// Rate is the exchange rate a derived price was made with.
	Rate *string
}

// Item is a size of the product a buyer can choose.
type Item struct {
	// ID is the checkout's item id: "<display item>-<product size>".
	ID            string
	DisplayItemID int64
	ProductSizeID int64
	Label         string
	// Free is the stock free to sell.
	Free int64
	// Price is the item's pricelist price, for pages without a link.
	Price Price
}

// choice is a currency the page can sell in: its pricelist and where it
// ships.
type choice struct {
	pricelist store.Pricelist
	countries []store.Country
	price     Price
}

// MakeOffer works out what a product page offers. A malformed uuid is an
// input error on uuid; an unknown product or link seam.ErrNotFound. A link
// that cannot sell, or a product not for sale, gives an Offer with
// Problem set.
func MakeOffer(ctx context.Context, svc *checkout.Service, in OfferInput) (Offer, error) {
	q := svc.DB.Read()
	var o Offer
	var err error
	if o.Product, err = store.GetProduct(ctx, q, in.ProductID); errors.Is(err, seam.ErrNotFound) {
		return o, unknownProduct{in.ProductID}
	} else if err != nil {
		return o, err
	}
	var linkPrices []store.ProductLinkPrice
	if in.UUID != "" {
		l, err := Find(ctx, q, in.ProductID, in.UUID)
		if err != nil {
			return o, err
		}
		o.Link = &l
		if o.Problem = Problem(l, svc.Now()); o.Problem != "" {
			o.Gone = true
			o.Title = o.Product.Name
			return o, nil
		}
		if o.Store, err = store.GetStore(ctx, q, l.StoreID); err != nil {
			return o, err
		}
		if linkPrices, err = store.ProductLinkPrices(ctx, q, l.ID); err != nil {
			return o, err
		}
	} else if o.Store, err = storeFor(ctx, q, seam.Actor{}); err != nil {
		return o, err
	}
	disp, err := activeDisplay(ctx, q, o.Store.ID, o.Product.ID)
	if err != nil {
		return o, err
	}
	o.Title = o.Product.Name
	if disp == nil || o.Product.Status != "ACTIVE" {
		o.Problem = "This product is not for sale at the moment."
		return o, nil
	}
	o.Title, o.Description = disp.Name, disp.Description
	choices, order, err := currencies(ctx, q, o.Store.ID, o.Product.ID, linkPrices)
	o.Currencies = order
	if err != nil {
		return o, err
	}
	if len(o.Currencies) == 0 {
		o.Problem = "This product cannot be bought here at the moment: the shop sells it in none of its currencies."
		return o, nil
	}
	o.Currency = o.Currencies[0]
	if len(linkPrices) == 0 {
		o.Currency = defaultCurrency(ctx, q, o.Store, choices, o.Currencies)
	}
	if want := strings.ToUpper(strings.TrimSpace(in.Currency)); want != "" {
		if _, ok := choices[want]; ok {
			o.Currency = want
		} else {
			o.Notice = "This product is not sold in " + want + " here; prices are shown in " + o.Currency + "."
		}
	}
	c := choices[o.Currency]
	o.Pricelist, o.Countries, o.Price = c.pricelist, c.countries, c.price
	o.DefaultCountry = o.Countries[0].Code
	for _, ct := range o.Countries {
		if o.Store.DefaultCountryID != nil && ct.ID == *o.Store.DefaultCountryID {
			o.DefaultCountry = ct.Code
		}
	}
	if o.States, err = taxStates(ctx, q, o.Countries); err != nil {
		return o, err
	}
	if o.Items, err = items(ctx, q, disp.ID, o.Product.ID, c.pricelist, o.Link != nil); err != nil {
		return o, err
	}
	if o.Link == nil && len(o.Items) > 0 {
		o.Price = o.Items[0].Price
	}
	if !slices.ContainsFunc(o.Items, func(it Item) bool { return it.Free > 0 }) {
		o.Problem = "This product is sold out."
	}
	methods, err := store.PaymentMethods(ctx, q, o.Store.ID)
	if err != nil {
		return o, err
	}
	for _, m := range methods {
		if _, ok := svc.Payments[m.Provider]; ok {
			o.PaymentMethods = append(o.PaymentMethods, m)
		}
	}
	if len(o.PaymentMethods) == 0 && o.Problem == "" {
		o.Problem = "The shop takes no payments at the moment."
	}
	return o, nil
}

// activeDisplay is the product's ACTIVE display in a store, or nil.
func activeDisplay(ctx context.Context, q db.Q, storeID, productID int64) (*store.Display, error) {
	ds, err := store.ListDisplays(ctx, q, store.DisplayFilter{StoreIDs: []int64{storeID}, ProductIDs: []int64{productID}, Statuses: []string{"ACTIVE"}},
		nil, store.Page{Limit: 1})
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	return &ds[0], nil
}

// currencies finds the currencies the page can sell in, and their order:
// the link's (in the order given) or, without a link, those of the store's
// pricelists that price the product.
func currencies(ctx context.Context, q db.Q, storeID, productID int64, linkPrices []store.ProductLinkPrice) (map[string]choice, []string, error) {
	out := map[string]choice{}
	var order []string
	if len(linkPrices) > 0 {
		for _, lp := range linkPrices {
			c, ok, err := sellingIn(ctx, q, storeID, lp.Currency)
			if err != nil {
				return nil, nil, err
			}
			if !ok {
				continue
			}
			c.price = Price{Amount: money.New(lp.Price, lp.Currency), Rate: lp.Rate}
			if lp.Discount != nil {
				before := c.price.Amount
				c.price.Amount, c.price.Before = money.New(*lp.Discount, lp.Currency), &before
			}
			out[lp.Currency] = c
			order = append(order, lp.Currency)
		}
	} else {
		rows, err := store.ListPrices(ctx, q, store.PriceFilter{ProductIDs: []int64{productID}}, store.Page{})
		if err != nil {
			return nil, nil, err
		}
		var curs []string
		for _, r := range rows {
			if !slices.Contains(curs, r.Currency) {
				curs = append(curs, r.Currency)
			}
		}
		for _, cur := range curs {
			c, ok, err := sellingIn(ctx, q, storeID, cur)
			if err != nil {
				return nil, nil, err
			}
			if !ok {
				continue
			}
			out[cur] = c
			order = append(order, cur)
		}
	}
	return out, order, nil
}

// sellingIn finds the store's first active pricelist in a currency that
// ships somewhere, and the countries it ships to.
func sellingIn(ctx context.Context, q db.Q, storeID int64, cur string) (choice, bool, error) {
	pls, err := store.ActivePricelistsIn(ctx, q, storeID, cur)
	if err != nil {
		return choice{}, false, err
	}
	for _, pl := range pls {
		pairs, err := store.PricelistCountries(ctx, q, []int64{pl.ID})
		if err != nil {
			return choice{}, false, err
		}
		var ids []int64
		for _, p := range pairs {
			ids = append(ids, p.B)
		}
		countries, err := store.CountriesByIDs(ctx, q, ids)
		if err != nil {
			return choice{}, false, err
		}
		var ships []store.Country
		for _, c := range countries {
			prices, err := store.ShippingPricesFor(ctx, q, pl.ID, c.ID)
			if err != nil {
				return choice{}, false, err
			}
			if len(prices) > 0 {
				ships = append(ships, c)
			}
		}
		if len(ships) > 0 {
			slices.SortFunc(ships, func(a, b store.Country) int { return cmp.Compare(a.Name, b.Name) })
			return choice{pricelist: pl, countries: ships}, true, nil
		}
	}
	return choice{}, false, nil
}

// defaultCurrency is, without a link, the currency of the store's default
// country when it is offered, else the first offered.
func defaultCurrency(ctx context.Context, q db.Q, st store.Store, choices map[string]choice, order []string) string {
	if st.DefaultCountryID != nil {
		if pl, err := store.PricelistForCountry(ctx, q, st.ID, *st.DefaultCountryID); err == nil {
			if _, ok := choices[pl.CurrencyCode]; ok {
				return pl.CurrencyCode
			}
		}
	}
	return order[0]
}

// items lists the display's active sizes with their free stock and, for
// a page without a link, their pricelist price (sizes without one are
// left out).
func items(ctx context.Context, q db.Q, displayID, productID int64, pl store.Pricelist, linked bool) ([]Item, error) {
	dis, err := store.DisplayItemsByDisplayIDs(ctx, q, []int64{displayID})
	if err != nil || len(dis) == 0 {
		return nil, err
	}
	var variantIDs []int64
	for _, di := range dis {
		variantIDs = append(variantIDs, di.VariantID)
	}
	variants, err := store.VariantsByIDs(ctx, q, variantIDs)
	if err != nil {
		return nil, err
	}
	variantBy := map[int64]store.Variant{}
	for _, v := range variants {
		variantBy[v.ID] = v
	}
	sizes, err := store.ProductSizesByVariantIDs(ctx, q, variantIDs)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(sizes, func(a, b store.ProductSize) int { return cmp.Compare(a.Size.Position, b.Size.Position) })
	sizeIDs := make([]int64, len(sizes))
	for i, s := range sizes {
		sizeIDs[i] = s.ID
	}
	levels, err := store.StockByProductSizeIDs(ctx, q, sizeIDs)
	if err != nil {
		return nil, err
	}
	free := map[int64]int64{}
	for _, lv := range levels {
		free[lv.ProductSizeID] += max(0, lv.FreeToAllocate())
	}
	var prices map[int64]store.Price
	if !linked {
		rows, err := store.ListPrices(ctx, q, store.PriceFilter{PricelistIDs: []int64{pl.ID}, ProductIDs: []int64{productID}}, store.Page{})
		if err != nil {
			return nil, err
		}
		prices = map[int64]store.Price{}
		for _, r := range rows {
			prices[r.VariantID] = r
		}
	}
	var out []Item
	for _, di := range dis {
		v, ok := variantBy[di.VariantID]
		if !ok || v.Status != "ACTIVE" {
			continue
		}
		var price Price
		if !linked {
			r, ok := prices[v.ID]
			if !ok {
				r, ok = prices[0]
			}
			if !ok {
				continue
			}
			price.Amount = money.New(r.Price, pl.CurrencyCode)
			if r.Discount != nil && *r.Discount < r.Price {
				before := price.Amount
				price.Amount, price.Before = money.New(*r.Discount, pl.CurrencyCode), &before
			}
		}
		for _, s := range sizes {
			if s.ProductVariantID != v.ID || !s.IsActive {
				continue
			}
			out = append(out, Item{ID: checkout.ItemID(di.ID, s.ID), DisplayItemID: di.ID, ProductSizeID: s.ID,
				Label: v.Name + " / " + s.Size.Name, Free: free[s.ID], Price: price})
		}
	}
	return out, nil
}
