package gql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/govalues/decimal"

	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
	"seam/internal/money"
	"seam/internal/pricing"
	"seam/internal/seam"
	"seam/internal/shop"
	"seam/internal/stock"
)

const productsQuery = `{ products(limit: 200) { id name productNumber status brand { name }
	variants { id name variantNumber
		productSizes { id EAN SKU size { name } stock { physicalQuantity freeToAllocateQuantity availableNowQuantity } }
		prices { pricelist { id name } price { value currency { code } } } } } }`

// BenchmarkProductsQuery measures the products query answering 200 products
// with 2 variants of 5 sizes each, their prices in 4 pricelists and their
// stock, over HTTP, on each engine.
func BenchmarkProductsQuery(b *testing.B) {
	dbtest.EachBench(b, func(b *testing.B, d *db.DB) {
		catalogOf(b, d, 200)
		c := gqltest.New(b, d, "bench")
		if r := c.MustOK(productsQuery, nil); len(r.Data["products"].([]any)) != 200 {
			b.Fatalf("got %d products", len(r.Data["products"].([]any)))
		}
		body, _ := json.Marshal(map[string]string{"query": productsQuery})
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			// The client only checks the status and reads the body, so that
			// the figures are the server's.
			req, _ := http.NewRequest(http.MethodPost, c.URL+"/graphql", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+c.Token)
			resp, err := c.HTTP.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
			b.SetBytes(n)
		}
	})
}

// catalogOf creates n products with 2 variants of 5 sizes, prices in 4
// pricelists and stock, through the domain functions.
func catalogOf(tb testing.TB, d *db.DB, n int) {
	tb.Helper()
	ctx := context.Background()
	a := seam.Actor{Name: "bench"}
	str := func(s string) *string { return &s }
	must := func(id int64, err error) int64 {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return id
	}
	storeID := must(shop.CreateStore(ctx, d, a, shop.StoreInput{Name: str("Retail"), Type: str("DIRECT_TO_CONSUMER")}))
	brand := must(catalog.CreateBrand(ctx, d, a, catalog.NamedInput{Name: str("Brand")}))
	chart, _, err := catalog.CreateSizeChart(ctx, d, a, catalog.SizeChartInput{Name: str("XS-XL"), HorizontalLabels: []string{"XS", "S", "M", "L", "XL"}})
	must(chart, err)
	warehouse := must(stock.CreateWarehouse(ctx, d, a, stock.WarehouseInput{Name: str("Main")}))
	var pricelists []int64
	for _, cur := range []string{"SEK", "EUR", "USD", "JPY"} {
		res, err := pricing.CreatePricelist(ctx, d, a, pricing.PricelistInput{Name: str(cur), Status: str("ACTIVE"), CurrencyIsoCode: str(cur), Store: seam.ByID(storeID)})
		pricelists = append(pricelists, must(res.ID, err))
	}
	for i := range n {
		var variants []catalog.VariantInput
		for _, color := range []string{"Black", "White"} {
			v := catalog.VariantInput{Name: str(color), Status: str("ACTIVE"), VariantNumber: str(color[:2]), SizeChart: seam.ByID(chart)}
			for _, s := range []string{"XS", "S", "M", "L", "XL"} {
				v.ProductSizes = append(v.ProductSizes, catalog.ProductSizeInput{Size: &seam.Ref{Name: str(s)}, EAN: str(fmt.Sprintf("%d%s%s", i, color, s)), SizeNumber: str(s)})
			}
			variants = append(variants, v)
		}
		pid := must(catalog.CreateProduct(ctx, d, a, catalog.ProductInput{Name: str(fmt.Sprintf("Product %d", i)), Status: str("ACTIVE"),
			ProductNumber: str(fmt.Sprintf("P%d", i)), Brand: seam.ByID(brand), AddProductVariants: variants}))
		var prices []pricing.PricesInput
		for j, pl := range pricelists {
			prices = append(prices, pricing.PricesInput{Pricelist: seam.ByID(pl), ProductPrices: []pricing.ProductPriceInput{{Product: seam.ByID(pid),
				Price: &money.Input{Value: money.NumberOf(decimal.MustNew(int64(100+i+j), 0)), CurrencyIsoCode: []string{"SEK", "EUR", "USD", "JPY"}[j]}}}})
		}
		if _, err := pricing.SetPrices(ctx, d, a, prices, false, true); err != nil {
			tb.Fatal(err)
		}
		var levels []stock.VariantLevels
		for _, vid := range variantIDs(tb, d, pid) {
			vl := stock.VariantLevels{ProductVariant: seam.ByID(vid)}
			for _, s := range []string{"XS", "S", "M", "L", "XL"} {
				vl.SizeStockLevels = append(vl.SizeStockLevels, stock.SizeLevel{Size: &seam.Ref{Name: str(s)}, Quantity: 10 + i%7})
			}
			levels = append(levels, vl)
		}
		if _, err := stock.Set(ctx, d, a, stock.SetInput{Warehouse: seam.ByID(warehouse), Description: str("bench"), StockQuantityType: str("PHYSICAL"), ProductVariants: levels}); err != nil {
			tb.Fatal(err)
		}
	}
}

func variantIDs(tb testing.TB, d *db.DB, productID int64) []int64 {
	tb.Helper()
	rows, err := d.Read().QueryContext(context.Background(), `SELECT id FROM product_variant WHERE product_id = $1 ORDER BY id`, productID)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}
