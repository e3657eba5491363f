package checkout

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/media"
	"seam/internal/money"
	"seam/internal/store"
)

// Product is what a storefront shows as one product: a display item, the
// display's texts, the variant, its price in the pricelist and its sizes.
type Product struct {
	ID         int64
	Display    store.Display
	Product    store.Product
	Variant    store.Variant
	Brand      *store.Brand
	Categories []ProductCategory
	URI        string
	// HasPrice is false when the pricelist has no price for the variant.
	HasPrice bool
	// Price is what it sells at; PriceBefore what it sold at before a
	// discount (equal to Price without one).
	Price       money.Amount
	PriceBefore money.Amount
	Items       []Item
	// Media are the product's pictures: for each size name, one URL per
	// picture in order; empty without pictures.
	Media map[string][]string
}

// ProductCategory is a category a product is in, with its path from the
// top of the tree.
type ProductCategory struct {
	Category store.Category
	// Path is the URIs from the top, "women/tops"; PathIDs and PathNames
	// the ids and names along it, the category's own last.
	Path      string
	PathIDs   []int64
	PathNames []string
}

// Canonical is the product's main category: the display's canonical one,
// else its first; nil when it has none.
func (p Product) Canonical() *ProductCategory {
	for i, c := range p.Categories {
		if p.Display.CanonicalCategoryID != nil && c.Category.ID == *p.Display.CanonicalCategoryID {
			return &p.Categories[i]
		}
	}
	if len(p.Categories) > 0 {
		return &p.Categories[0]
	}
	return nil
}

// Available reports whether any size can be bought now.
func (p Product) Available() bool {
	for _, it := range p.Items {
		if it.Free > 0 {
			return true
		}
	}
	return false
}

// Item is one size of a product: what goes into a selection.
type Item struct {
	ID   string
	Size store.ProductSize
	// Free is the stock free to allocate over all warehouses.
	Free int64
}

// ItemID names an item: "<display item>-<product size>".
func ItemID(displayItemID, productSizeID int64) string {
	return strconv.FormatInt(displayItemID, 10) + "-" + strconv.FormatInt(productSizeID, 10)
}

// ParseItem reads an item id.
func ParseItem(item string) (displayItemID, productSizeID int64, ok bool) {
	a, b, found := strings.Cut(item, "-")
	if !found {
		return 0, 0, false
	}
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	return x, y, err1 == nil && err2 == nil && x > 0 && y > 0
}

// prices is a pricelist's prices of some products, with the store's active
// price alteration applied.
type prices struct {
	pl      store.Pricelist
	rows    map[[2]int64]store.Price
	altered map[[2]int64]int64
}

func loadPrices(ctx context.Context, q db.Q, pl store.Pricelist, productIDs []int64, now time.Time) (prices, error) {
	p := prices{pl: pl, rows: map[[2]int64]store.Price{}, altered: map[[2]int64]int64{}}
	rows, err := store.ListPrices(ctx, q, store.PriceFilter{PricelistIDs: []int64{pl.ID}, ProductIDs: productIDs}, store.Page{})
	if err != nil {
		return p, err
	}
	for _, r := range rows {
		p.rows[[2]int64{r.ProductID, r.VariantID}] = r
	}
	alts, err := store.ListPriceAlterations(ctx, q, nil, []int64{pl.StoreID}, []string{"ACTIVE"}, store.Page{})
	if err != nil {
		return p, err
	}
	for _, a := range alts {
		if a.StartDate.After(now) || (a.EndDate != nil && a.EndDate.AddDate(0, 0, 1).Before(now)) {
			continue
		}
		ap, err := store.ListAlteredPrices(ctx, q, store.AlteredPriceFilter{PriceAlterationIDs: []int64{a.ID}, PricelistIDs: []int64{pl.ID}, ProductIDs: productIDs}, store.Page{})
		if err != nil {
			return p, err
		}
		for _, r := range ap {
			p.altered[[2]int64{r.ProductID, r.VariantID}] = r.Price.Price
		}
	}
	return p, nil
}

// of returns the price of a variant: its own or its product's, altered
// when an active price alteration says so; ok is false without one.
func (p prices) of(productID, variantID int64) (price, before money.Amount, ok bool) {
	cur := p.pl.CurrencyCode
	r, found := p.rows[[2]int64{productID, variantID}]
	if !found {
		r, found = p.rows[[2]int64{productID, 0}]
	}
	if !found {
		return money.Amount{}, money.Amount{}, false
	}
	base := r.Price
	if a, ok := p.altered[[2]int64{productID, variantID}]; ok {
		base = a
	} else if a, ok := p.altered[[2]int64{productID, 0}]; ok {
		base = a
	}
	if r.Discount != nil && *r.Discount < base {
		return money.New(*r.Discount, cur), money.New(base, cur), true
	}
	return money.New(base, cur), money.New(base, cur), true
}

// loadProducts builds the storefront's products for display items, in the
// order given, with a handful of batched queries.
func loadProducts(ctx context.Context, q db.Q, pl store.Pricelist, items []store.DisplayItem, now time.Time) ([]Product, error) {
	if len(items) == 0 {
		return nil, nil
	}
	var displayIDs, variantIDs []int64
	for _, it := range items {
		displayIDs = append(displayIDs, it.DisplayID)
		variantIDs = append(variantIDs, it.VariantID)
	}
	displays, err := store.DisplaysByIDs(ctx, q, displayIDs)
	if err != nil {
		return nil, err
	}
	variants, err := store.VariantsByIDs(ctx, q, variantIDs)
	if err != nil {
		return nil, err
	}
	var productIDs, brandIDs []int64
	for _, v := range variants {
		productIDs = append(productIDs, v.ProductID)
	}
	products, err := store.ProductsByIDs(ctx, q, productIDs)
	if err != nil {
		return nil, err
	}
	for _, p := range products {
		if p.BrandID != nil {
			brandIDs = append(brandIDs, *p.BrandID)
		}
	}
	brands, err := store.BrandsByIDs(ctx, q, brandIDs)
	if err != nil {
		return nil, err
	}
	sizes, err := store.ProductSizesByVariantIDs(ctx, q, variantIDs)
	if err != nil {
		return nil, err
	}
	sizeIDs := make([]int64, len(sizes))
	for i, s := range sizes {
		sizeIDs[i] = s.ID
	}
	levels, err := store.StockByProductSizeIDs(ctx, q, sizeIDs)
	if err != nil {
		return nil, err
	}
	siblings, err := store.DisplayItemsByDisplayIDs(ctx, q, displayIDs)
	if err != nil {
		return nil, err
	}
	catPairs, err := store.DisplayLinks(ctx, q, store.DisplayCategory, displayIDs)
	if err != nil {
		return nil, err
	}
	// Paths need the ancestors too: the store's whole tree.
	cats, err := store.ListCategories(ctx, q, nil, []int64{pl.StoreID}, store.Page{})
	if err != nil {
		return nil, err
	}
	pr, err := loadPrices(ctx, q, pl, productIDs, now)
	if err != nil {
		return nil, err
	}
	pictures, err := store.MediaOfProducts(ctx, q, productIDs)
	if err != nil {
		return nil, err
	}
	picturesOf := map[int64][]store.ProductMedia{}
	for _, m := range pictures {
		picturesOf[m.ProductID] = append(picturesOf[m.ProductID], m)
	}

	displayBy := index(displays, func(d store.Display) int64 { return d.ID })
	variantBy := index(variants, func(v store.Variant) int64 { return v.ID })
	productBy := index(products, func(p store.Product) int64 { return p.ID })
	brandBy := index(brands, func(b store.Brand) int64 { return b.ID })
	catBy := index(cats, func(c store.Category) int64 { return c.ID })
	free := map[int64]int64{}
	for _, l := range levels {
		free[l.ProductSizeID] += l.FreeToAllocate()
	}
	sizesOf := map[int64][]store.ProductSize{}
	for _, s := range sizes {
		sizesOf[s.ProductVariantID] = append(sizesOf[s.ProductVariantID], s)
	}
	itemCount := map[int64]int{}
	for _, s := range siblings {
		itemCount[s.DisplayID]++
	}
	catsOf := map[int64][]ProductCategory{}
	for _, p := range catPairs {
		if c, ok := catBy[p.B]; ok && c.Status == "ACTIVE" {
			catsOf[p.A] = append(catsOf[p.A], categoryPath(c, catBy))
		}
	}

	out := make([]Product, 0, len(items))
	for _, it := range items {
		d, v := displayBy[it.DisplayID], variantBy[it.VariantID]
		p := productBy[v.ProductID]
		prod := Product{ID: it.ID, Display: d, Product: p, Variant: v, Categories: catsOf[d.ID], URI: d.URI}
		if itemCount[d.ID] > 1 {
			prod.URI = d.URI + "-" + catalog.Slug(v.Name)
		}
		if p.BrandID != nil {
			if b, ok := brandBy[*p.BrandID]; ok {
				prod.Brand = &b
			}
		}
		prod.Media = media.URLs(picturesOf[p.ID], media.BaseURL(ctx))
		prod.Price, prod.PriceBefore, prod.HasPrice = pr.of(p.ID, v.ID)
		for _, s := range sizesOf[v.ID] {
			if !s.IsActive {
				continue
			}
			prod.Items = append(prod.Items, Item{ID: ItemID(it.ID, s.ID), Size: s, Free: max(0, free[s.ID])})
		}
		out = append(out, prod)
	}
	return out, nil
}

// categoryPath walks a category up to the top of its tree.
func categoryPath(c store.Category, by map[int64]store.Category) ProductCategory {
	pc := ProductCategory{Category: c}
	chain := []store.Category{c}
	for p, n := c.ParentID, 0; p != nil && n < 100; n++ {
		parent, ok := by[*p]
		if !ok {
			break
		}
		chain = append(chain, parent)
		p = parent.ParentID
	}
	uris := make([]string, 0, len(chain))
	for i := len(chain) - 1; i >= 0; i-- {
		uris = append(uris, chain[i].URI)
		pc.PathIDs = append(pc.PathIDs, chain[i].ID)
		pc.PathNames = append(pc.PathNames, chain[i].Name)
	}
	pc.Path = strings.Join(uris, "/")
	return pc
}

func index[T any](rows []T, key func(T) int64) map[int64]T {
	m := make(map[int64]T, len(rows))
	for _, r := range rows {
		m[key(r)] = r
	}
	return m
}

// ProductQuery filters the storefront's product list.
type ProductQuery struct {
	Categories    []int64
	Brands        []int64
	Search        string
	OnlyAvailable bool
	SkipFirst     int
	Limit         int
}

// ProductList is one page of products and how many match in all.
type ProductList struct {
	Products []Product
	Count    int64
}

// MaxSearch is the longest search text, in characters.
const MaxSearch = 200

// Products lists what the selection's market and pricelist sell.
func (s *Service) Products(ctx context.Context, selectionID string, pq ProductQuery) (ProductList, error) {
	q := s.DB.Read()
	sel, err := shopSelection(ctx, q, selectionID)
	if err != nil {
		return ProductList{}, err
	}
	return s.ProductsIn(ctx, sel.StoreID, sel.MarketID, sel.PricelistID, pq)
}

// ProductsIn lists what a store sells in a market and pricelist, as
// Products does for a selection (the back office searches with it before
// a selection exists).
func (s *Service) ProductsIn(ctx context.Context, storeID, marketID, pricelistID int64, pq ProductQuery) (ProductList, error) {
	q := s.DB.Read()
	pl, err := store.GetPricelist(ctx, q, pricelistID)
	if err != nil {
		return ProductList{}, err
	}
	if pq.Limit <= 0 {
		pq.Limit = 40
	}
	if pq.Limit > 100 {
		return ProductList{}, invalid("limit", "limit must be 1 to 100, got %d.", pq.Limit)
	}
	if pq.SkipFirst < 0 {
		return ProductList{}, invalid("skipFirst", "skipFirst must be 0 or more, got %d.", pq.SkipFirst)
	}
	if n := utf8.RuneCountInString(pq.Search); n > MaxSearch {
		return ProductList{}, invalid("search", "search has %d characters; at most %d are allowed.", n, MaxSearch)
	}
	f := store.ShopFilter{StoreID: storeID, MarketID: marketID, PricelistID: pricelistID, CategoryIDs: pq.Categories,
		BrandIDs: pq.Brands, Search: pq.Search, OnlyAvailable: pq.OnlyAvailable}
	items, err := store.ShopItems(ctx, q, f, store.Page{Limit: pq.Limit, Offset: pq.SkipFirst})
	if err != nil {
		return ProductList{}, err
	}
	count, err := store.CountShopItems(ctx, q, f)
	if err != nil {
		return ProductList{}, err
	}
	products, err := loadProducts(ctx, q, pl, items, s.Now())
	return ProductList{Products: products, Count: count}, err
}

// Product returns one product the selection's market and pricelist sell.
func (s *Service) Product(ctx context.Context, selectionID string, id int64) (Product, error) {
	q := s.DB.Read()
	sel, err := shopSelection(ctx, q, selectionID)
	if err != nil {
		return Product{}, err
	}
	pl, err := store.GetPricelist(ctx, q, sel.PricelistID)
	if err != nil {
		return Product{}, err
	}
	items, err := store.ShopItems(ctx, q, store.ShopFilter{StoreID: sel.StoreID, MarketID: sel.MarketID, PricelistID: sel.PricelistID, IDs: []int64{id}}, store.Page{Limit: 1})
	if err != nil {
		return Product{}, err
	}
	if len(items) == 0 {
		return Product{}, notFound("no product %d for sale in this market", id)
	}
	ps, err := loadProducts(ctx, q, pl, items, s.Now())
	if err != nil {
		return Product{}, err
	}
	return ps[0], nil
}

// CategoryNode is a category with its products' count, for the tree.
type CategoryNode struct {
	Category store.Category
	// Path is the URIs from the root: "tops/t-shirts".
	Path string
}

// Categories lists the store's active categories, parents before children.
func (s *Service) Categories(ctx context.Context, selectionID string) ([]CategoryNode, error) {
	q := s.DB.Read()
	sel, err := shopSelection(ctx, q, selectionID)
	if err != nil {
		return nil, err
	}
	cats, err := store.ListCategories(ctx, q, nil, []int64{sel.StoreID}, store.Page{})
	if err != nil {
		return nil, err
	}
	by := index(cats, func(c store.Category) int64 { return c.ID })
	var out []CategoryNode
	for _, c := range cats {
		if c.Status != "ACTIVE" {
			continue
		}
		path := c.URI
		for p := c.ParentID; p != nil; {
			parent, ok := by[*p]
			if !ok {
				break
			}
			path = parent.URI + "/" + path
			p = parent.ParentID
		}
		out = append(out, CategoryNode{Category: c, Path: path})
	}
	return out, nil
}

// Found is what a URI names: a product or a category with its products.
type Found struct {
	Kind     string
	Product  Product
	Category CategoryNode
	Products []Product
}

// LookupURI finds what a URI names, looking at the kinds asked for
// ("product", "category"): a product by its own URI, a category by its
// path ("women/tops") or own URI, or a product reached through a category,
// "<category path>/<product uri>" at any depth.
func (s *Service) LookupURI(ctx context.Context, selectionID, uri string, kinds []string) (Found, error) {
	uri = strings.Trim(strings.ToLower(strings.TrimSpace(uri)), "/")
	want := map[string]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	if len(want) == 0 {
		want = map[string]bool{"product": true, "category": true}
	}
	if want["product"] {
		// The last segment names the product; what comes before it, if
		// anything, must be one of its categories.
		last, within := uri, ""
		if i := strings.LastIndex(uri, "/"); i >= 0 {
			last, within = uri[i+1:], uri[:i]
		}
		for skip := 0; ; skip += 100 {
			list, err := s.Products(ctx, selectionID, ProductQuery{Limit: 100, SkipFirst: skip})
			if err != nil {
				return Found{}, err
			}
			for _, p := range list.Products {
				if p.URI == uri {
					return Found{Kind: "product", Product: p}, nil
				}
				if within != "" && p.URI == last {
					for _, c := range p.Categories {
						if c.Path == within || c.Category.URI == within {
							return Found{Kind: "product", Product: p}, nil
						}
					}
				}
			}
			if len(list.Products) < 100 {
				break
			}
		}
	}
	if want["category"] {
		cats, err := s.Categories(ctx, selectionID)
		if err != nil {
			return Found{}, err
		}
		for _, c := range cats {
			if c.Path == uri || c.Category.URI == uri {
				list, err := s.Products(ctx, selectionID, ProductQuery{Categories: []int64{c.Category.ID}, Limit: 100})
				if err != nil {
					return Found{}, err
				}
				return Found{Kind: "category", Category: c, Products: list.Products}, nil
			}
		}
	}
	return Found{}, notFound("nothing has the URI %q", uri)
}
