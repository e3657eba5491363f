// Package demo loads the demo shop that `seam serve` puts into an empty
// database: one direct-to-consumer store "Retail" selling about twenty
// products in Sweden, Germany, the United States and Japan. It goes through
// the same domain functions as the Integration API, so the demo obeys every
// rule real data does.
package demo

import (
	"context"
	"fmt"
	"strconv"

	"github.com/govalues/decimal"

	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/giftcert"
	"seam/internal/money"
	"seam/internal/pricing"
	"seam/internal/productlink"
	"seam/internal/seam"
	"seam/internal/shop"
	"seam/internal/stock"
	"seam/internal/store"
)

// Actor is who the demo data is created by.
var Actor = seam.Actor{Name: "demo"}

// market is a country the demo sells in, with its pricelist.
type market struct {
	name, country, currency string
	taxIncluded             bool
}

var markets = []market{
	{"Sweden", "SE", "SEK", true},
	{"Germany", "DE", "EUR", true},
	{"United States", "US", "USD", false},
	{"Japan", "JP", "JPY", true},
}

type product struct {
	name, category string
	variants       []string
	oneSize        bool
	// eur is the price in whole euros; the other currencies derive from it.
	eur int64
}

var products = []product{
	{"Organic Cotton Tee", "Tops", []string{"Black", "White", "Sand"}, false, 35},
	{"Merino Crew Sweater", "Tops", []string{"Navy", "Oat"}, false, 119},
	{"Linen Shirt", "Tops", []string{"White", "Sky"}, false, 89},
	{"Heavyweight Hoodie", "Tops", []string{"Charcoal", "Forest"}, false, 99},
	{"Rib Tank Top", "Tops", []string{"Black"}, false, 29},
	{"Oxford Button-Down", "Tops", []string{"Blue"}, false, 79},
	{"Relaxed Chino", "Bottoms", []string{"Khaki", "Olive"}, false, 95},
	{"Selvedge Denim Jeans", "Bottoms", []string{"Indigo"}, false, 149},
	{"Wide Leg Trousers", "Bottoms", []string{"Black"}, false, 110},
	{"Track Pants", "Bottoms", []string{"Grey"}, false, 69},
	{"Waxed Field Jacket", "Outerwear", []string{"Olive"}, false, 289},
	{"Down Puffer", "Outerwear", []string{"Black"}, false, 349},
	{"Rain Shell", "Outerwear", []string{"Yellow"}, false, 199},
	{"Wool Beanie", "Accessories", []string{"Black", "Red"}, true, 29},
	{"Canvas Tote Bag", "Accessories", []string{"Natural"}, true, 25},
	{"Leather Belt", "Accessories", []string{"Brown"}, true, 59},
	{"Silk Scarf", "Accessories", []string{"Print"}, true, 89},
	{"Cotton Socks 3-Pack", "Accessories", []string{"White", "Black"}, true, 19},
	{"Baseball Cap", "Accessories", []string{"Navy"}, true, 32},
	{"Leather Card Holder", "Accessories", []string{"Tan"}, true, 45},
}

// Load creates the demo shop. It expects an empty catalog.
func Load(ctx context.Context, d *db.DB) error {
	l := loader{ctx: ctx, d: d}
	l.run()
	if l.err != nil {
		return fmt.Errorf("load demo shop: %w", l.err)
	}
	return nil
}

// loader keeps the first error, so the steps read as a list.
type loader struct {
	ctx context.Context
	d   *db.DB
	err error
}

func (l *loader) id(id int64, err error) int64 {
	if l.err == nil && err != nil {
		l.err = err
	}
	return id
}

func str(s string) *string { return &s }

func (l *loader) run() {
	ctx, d, a := l.ctx, l.d, Actor
	storeID := l.id(shop.CreateStore(ctx, d, a, shop.StoreInput{Name: str("Retail"), Type: str("DIRECT_TO_CONSUMER")}))
	brand := l.id(catalog.CreateBrand(ctx, d, a, catalog.NamedInput{Name: str("Base Brand")}))
	l.id(catalog.CreateCollection(ctx, d, a, catalog.NamedInput{Name: str("SS21")}))
	collection := l.id(catalog.CreateCollection(ctx, d, a, catalog.NamedInput{Name: str("AW21")}))
	folder := l.id(catalog.CreateFolder(ctx, d, a, catalog.NamedInput{Name: str("Shop")}))
	warehouse := l.id(stock.CreateWarehouse(ctx, d, a, stock.WarehouseInput{Name: str("Default warehouse"),
		WarehouseLocation: &stock.LocationInput{Country: &seam.Ref{Code: str("SE")}}}))
	oneSize, _, err := catalog.CreateSizeChart(ctx, d, a, catalog.SizeChartInput{Name: str("One Size"), HorizontalLabels: []string{"One Size"}})
	l.id(0, err)
	apparel, _, err := catalog.CreateSizeChart(ctx, d, a, catalog.SizeChartInput{Name: str("XS-XL"), HorizontalLabels: []string{"XS", "S", "M", "L", "XL"}})
	l.id(0, err)
	taxGroup := l.id(shop.CreateTaxGroup(ctx, d, a, "Standard", []shop.TaxRuleInput{
		{Country: &seam.Ref{Code: str("SE")}, Rate: "25"},
		{Country: &seam.Ref{Code: str("DE")}, Rate: "19"},
		{Country: &seam.Ref{Code: str("JP")}, Rate: "10"},
		{Country: &seam.Ref{Code: str("US")}, State: str("NY"), Rate: "8.875"},
		{Country: &seam.Ref{Code: str("US")}, State: str("CA"), Rate: "7.25"},
		{Country: &seam.Ref{Code: str("US")}, State: str("WA"), Rate: "6.5"},
	}))
	var marketIDs []seam.Ref
	pricelists := map[string]int64{}
	var shipping []shop.ShippingPriceInput
	for _, m := range markets {
		ship := l.id(shop.CreateShippingOption(ctx, d, a, str(m.currency), nil))
		mid := l.id(shop.CreateMarket(ctx, d, a, shop.MarketInput{Store: seam.ByID(storeID), Name: str(m.name),
			AddCountries: []seam.Ref{{Code: str(m.country)}}}))
		marketIDs = append(marketIDs, *seam.ByID(mid))
		taxIncluded := m.taxIncluded
		res, err := pricing.CreatePricelist(ctx, d, a, pricing.PricelistInput{Name: str(m.currency), Status: str("ACTIVE"),
			CurrencyIsoCode: str(m.currency), Store: seam.ByID(storeID), DefaultShippingOption: seam.ByID(ship),
			AddCountries: []seam.Ref{{Code: str(m.country)}}, PricesIncludeTax: &taxIncluded})
		pricelists[m.currency] = l.id(res.ID, err)
		price, free := shippingIn(m.currency)
		shipping = append(shipping, shop.ShippingPriceInput{ShippingOption: seam.ByID(ship), Pricelist: seam.ByID(pricelists[m.currency]),
			Price: &price, FreeAbove: &free})
	}
	if l.err == nil {
		l.err = shop.SetShippingPrices(ctx, d, a, shipping)
	}
	l.id(shop.CreatePaymentMethod(ctx, d, a, seam.ByID(storeID), "Card", "test"))
	se := "SE"
	l.id(0, shop.UpdateStore(ctx, d, a, storeID, shop.StoreSettings{DefaultCountry: &seam.Ref{Code: &se}, DefaultTaxGroup: seam.ByID(taxGroup)}))
	// Gift certificates as seed 004 lists them.
	l.giftCertificates(ctx, d, a, storeID)
	// Product payment links derive EUR prices from USD ones (seed 002).
	if rates, err := productlink.ParseRates(productlink.DemoRates); err != nil {
		l.err = err
	} else if l.err == nil {
		l.err = productlink.SetRates(ctx, d, a, rates)
	}
	for code, name := range map[string]string{"sv": "Svenska", "de": "Deutsch", "ja": "日本語"} {
		l.id(0, shop.AddLanguage(ctx, d, code, name))
	}
	categories := map[string]int64{}
	for i, c := range []string{"Tops", "Bottoms", "Outerwear", "Accessories"} {
		order := i
		categories[c] = l.id(catalog.CreateCategory(ctx, d, a, catalog.CategoryInput{Store: seam.ByID(storeID), Name: str(c), SortOrder: &order}))
	}
	if l.err != nil {
		return
	}
	for i, p := range products {
		l.product(i, p, productIDs{store: storeID, brand: brand, collection: collection, folder: folder, warehouse: warehouse,
			chart: map[bool]int64{true: oneSize, false: apparel}[p.oneSize], category: categories[p.category]}, marketIDs, pricelists)
		if l.err != nil {
			return
		}
	}
}

type productIDs struct {
	store, brand, collection, folder, warehouse, chart, category int64
}

func (l *loader) product(i int, p product, ids productIDs, marketIDs []seam.Ref, pricelists map[string]int64) {
	ctx, d, a := l.ctx, l.d, Actor
	number := "P" + strconv.Itoa(1001+i)
	sizes := []string{"XS", "S", "M", "L", "XL"}
	if p.oneSize {
		sizes = []string{"One Size"}
	}
	var variants []catalog.VariantInput
	for j, color := range p.variants {
		v := catalog.VariantInput{Name: str(color), Status: str("ACTIVE"), VariantNumber: str(fmt.Sprintf("%02d", j+1)),
			SizeChart: seam.ByID(ids.chart), UnitCost: &money.Input{Value: money.NumberOf(decimal.MustNew(p.eur*30, 2)), CurrencyIsoCode: "EUR"}}
		for k, s := range sizes {
			sizeNumber := strconv.Itoa(k + 1)
			v.ProductSizes = append(v.ProductSizes, catalog.ProductSizeInput{Size: &seam.Ref{Name: str(s)},
				EAN: str(ean(int64(i*100 + j*10 + k))), SizeNumber: &sizeNumber})
		}
		variants = append(variants, v)
	}
	productID := l.id(catalog.CreateProduct(ctx, d, a, catalog.ProductInput{
		Name: str(p.name), Status: str("ACTIVE"), ProductNumber: &number, Brand: seam.ByID(ids.brand),
		Collection: seam.ByID(ids.collection), Folder: seam.ByID(ids.folder), CountryOfOrigin: &seam.Ref{Code: str("PT")},
		HarmonizedCommodityCode: str("6109100010"), AddProductVariants: variants,
	}))
	if l.err != nil {
		return
	}
	created, err := variantsOf(ctx, d, productID)
	if err != nil {
		l.err = err
		return
	}
	var add []catalog.DisplayVariantInput
	for _, v := range created {
		add = append(add, catalog.DisplayVariantInput{ProductVariant: seam.ByID(v)})
	}
	desc := fmt.Sprintf("%s from the demo shop: a product to try Seam with.", p.name)
	l.id(catalog.CreateDisplay(ctx, d, a, catalog.DisplayInput{Store: seam.ByID(ids.store), Product: seam.ByID(productID),
		Name: str(p.name), Status: str("ACTIVE"), Description: &desc, CanonicalCategory: seam.ByID(ids.category),
		AddCategories: []seam.Ref{*seam.ByID(ids.category)}, AddMarkets: marketIDs, AddProductVariants: add}))
	var prices []pricing.PricesInput
	for cur, pl := range pricelists {
		minor := priceIn(p.eur, cur)
		digits, _ := money.Digits(cur)
		prices = append(prices, pricing.PricesInput{Pricelist: seam.ByID(pl), ProductPrices: []pricing.ProductPriceInput{{
			Product: seam.ByID(productID), Price: &money.Input{Value: money.NumberOf(decimal.MustNew(minor, digits)), CurrencyIsoCode: cur},
		}}})
	}
	if _, err := pricing.SetPrices(ctx, d, a, prices, false, true); err != nil {
		l.err = err
		return
	}
	var levels []stock.VariantLevels
	for j, v := range created {
		vl := stock.VariantLevels{ProductVariant: seam.ByID(v)}
		for k, s := range sizes {
			vl.SizeStockLevels = append(vl.SizeStockLevels, stock.SizeLevel{Size: &seam.Ref{Name: str(s)}, Quantity: quantity(i, j, k)})
		}
		levels = append(levels, vl)
	}
	_, err = stock.Set(ctx, d, a, stock.SetInput{Warehouse: seam.ByID(ids.warehouse), Description: str("Demo stock"),
		StockQuantityType: str("PHYSICAL"), ProductVariants: levels})
	if err != nil {
		l.err = err
	}
}

// priceIn converts a whole-euro price to a pricelist currency in minor
// units, with shop-like round numbers.
func priceIn(eur int64, cur string) int64 {
	switch cur {
	case "SEK":
		return ((eur*11)/10*10 + 9) * 100 // 35 € → 389 kr
	case "USD":
		return (eur*11/10)*100 + 99 // 35 € → 38.99 $
	case "JPY":
		return (eur * 160 / 100) * 100 // 35 € → 5600 ¥
	default:
		return eur * 100
	}
}

// shippingIn is the demo's shipping price in a currency and the order value
// from which shipping is free.
func shippingIn(cur string) (price, free money.Input) {
	in := func(v int64, digits int) money.Input {
		return money.Input{Value: money.NumberOf(decimal.MustNew(v, digits)), CurrencyIsoCode: cur}
	}
	switch cur {
	case "SEK":
		return in(4900, 2), in(50000, 2)
	case "USD":
		return in(790, 2), in(7500, 2)
	case "JPY":
		return in(800, 0), in(10000, 0)
	default:
		return in(490, 2), in(5000, 2)
	}
}

// quantity is the demo stock of a size: mostly some, now and then none.
func quantity(i, j, k int) int {
	n := (i*7 + j*13 + k*5) % 41
	if n < 3 {
		return 0
	}
	return n
}

// ean makes a valid EAN-13 in the 735 (Sweden) prefix range.
func ean(n int64) string {
	body := fmt.Sprintf("735%09d", 1000000+n)
	sum := 0
	for i, c := range body {
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return body + strconv.Itoa((10-sum%10)%10)
}

// giftCertificates adds seed 004's two gift certificates: gift-2 at 10 USD,
// 100 SEK or 1 000 JPY, and gift-1 of any amount.
func (l *loader) giftCertificates(ctx context.Context, d *db.DB, a seam.Actor, storeID int64) {
	if l.err != nil {
		return
	}
	amount := func(v int64, cur string) money.Input {
		return money.Input{Value: money.NumberOf(decimal.MustNew(v, 0)), CurrencyIsoCode: cur}
	}
	yes, no := true, false
	typ := store.GiftPredetermined
	l.id(giftcert.Create(ctx, d, a, giftcert.Input{Store: seam.ByID(storeID), Code: str("gift-2"), Name: str("Pre-defined gift certificate"),
		Type: &typ, CurrencyOfSaleOnly: &yes, ShowGiftAmount: &no,
		Amounts: []money.Input{amount(10, "USD"), amount(100, "SEK"), amount(1000, "JPY")}}))
	anyAmount := store.GiftAnyAmount
	l.id(giftcert.Create(ctx, d, a, giftcert.Input{Store: seam.ByID(storeID), Code: str("gift-1"), Name: str("Dynamic gift certificate"),
		Type: &anyAmount, CurrencyOfSaleOnly: &no, ShowGiftAmount: &yes}))
}
