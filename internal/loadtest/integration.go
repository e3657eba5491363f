package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// demoStore is the store the Checkout API sells for in the demo shop.
const demoStore = 1

// integration is an Integration API client, for the setup a mode needs
// and for reading results back.
type integration struct {
	http  *http.Client
	url   string
	token string
}

func newIntegration(c *http.Client, base, token string) *integration {
	return &integration{http: c, url: base + "/graphql", token: token}
}

// do runs a GraphQL document and decodes its data into out; GraphQL errors
// are errors.
func (c *integration) do(ctx context.Context, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("Integration API: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("Integration API: reading the answer: %w", err)
	}
	var ans struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return fmt.Errorf("Integration API answered HTTP %d and not GraphQL JSON: %s", resp.StatusCode, brief(raw))
	}
	if len(ans.Errors) > 0 {
		msgs := make([]string, len(ans.Errors))
		for i, e := range ans.Errors {
			msgs[i] = e.Message
		}
		return fmt.Errorf("Integration API (HTTP %d): %s", resp.StatusCode, strings.Join(msgs, "; "))
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("Integration API answered HTTP %d: %s", resp.StatusCode, brief(raw))
	}
	return json.Unmarshal(ans.Data, out)
}

// userErrors is the userErrors list every mutation payload has.
type userErrors []struct {
	Message string   `json:"message"`
	Path    []string `json:"path"`
}

func (ue userErrors) err(mutation string) error {
	if len(ue) == 0 {
		return nil
	}
	msgs := make([]string, len(ue))
	for i, e := range ue {
		msgs[i] = strings.Join(e.Path, ".") + ": " + e.Message
	}
	return fmt.Errorf("%s: %s", mutation, strings.Join(msgs, "; "))
}

// loadProduct is a product a run made to sell: one variant, one size.
type loadProduct struct {
	Name          string
	ProductID     int64
	VariantID     int64
	ProductSizeID int64
}

const (
	mCreateSizeChart = `mutation($input: SizeChartCreateInput!) { createSizeChart(input: $input) { sizeChart { id } userErrors { message path } } }`
	mCreateProduct   = `mutation($input: ProductCreateInput!) { createProduct(input: $input) {
		product { id variants { id productSizes { id } } } userErrors { message path } } }`
	mCreateDisplay = `mutation($input: DisplayCreateInput!) { createDisplay(input: $input) { display { id } userErrors { message path } } }`
	mSetPrices     = `mutation($input: ProductPricesSetInput!) { setPrices(input: $input) { userErrors { message path } } }`
	mSetStock      = `mutation($input: StockSetInput!) { setStock(input: $input) { userErrors { message path } } }`
	qShop          = `query($store: [Int!]) { pricelists(where: {storeId: $store}, limit: 200) { id currency { code } } warehouses(limit: 1) { id } }`
	qStock         = `query($ids: [Int!]) { productVariants(where: {id: $ids}) { stock { physicalQuantity allocatedQuantity freeToAllocateQuantity } } }`
)

// oneSize is the size label of the charts runs create.
const oneSize = "One Size"

// createProduct makes a one-size product named uniquely for this run, with
// exactly units in the first warehouse, displayed in the demo store and
// priced in each of its pricelists, so that the Checkout API sells it.
func (c *integration) createProduct(ctx context.Context, kind string, units int) (loadProduct, error) {
	var shop struct {
		Pricelists []struct {
			ID       int64 `json:"id"`
			Currency struct {
				Code string `json:"code"`
			} `json:"currency"`
		} `json:"pricelists"`
		Warehouses []struct {
			ID int64 `json:"id"`
		} `json:"warehouses"`
	}
	if err := c.do(ctx, qShop, map[string]any{"store": []int{demoStore}}, &shop); err != nil {
		return loadProduct{}, err
	}
	if len(shop.Pricelists) == 0 || len(shop.Warehouses) == 0 {
		return loadProduct{}, fmt.Errorf("store %d has %d pricelists and the shop %d warehouses; the load test needs the demo shop (seam serve on an empty database)",
			demoStore, len(shop.Pricelists), len(shop.Warehouses))
	}

	suffix := runSuffix()
	p := loadProduct{Name: "Load test " + kind + " " + suffix}
	var chart struct {
		Create struct {
			SizeChart  *struct{ ID int64 } `json:"sizeChart"`
			UserErrors userErrors          `json:"userErrors"`
		} `json:"createSizeChart"`
	}
	if err := c.do(ctx, mCreateSizeChart, input(map[string]any{"name": p.Name, "horizontalLabels": []string{oneSize}}), &chart); err != nil {
		return p, err
	}
	if err := chart.Create.UserErrors.err("createSizeChart"); err != nil || chart.Create.SizeChart == nil {
		return p, orMissing(err, "createSizeChart", "sizeChart")
	}

	var prod struct {
		Create struct {
			Product *struct {
				ID       int64 `json:"id"`
				Variants []struct {
					ID           int64 `json:"id"`
					ProductSizes []struct {
						ID int64 `json:"id"`
					} `json:"productSizes"`
				} `json:"variants"`
			} `json:"product"`
			UserErrors userErrors `json:"userErrors"`
		} `json:"createProduct"`
	}
	err := c.do(ctx, mCreateProduct, input(map[string]any{"name": p.Name, "status": "ACTIVE", "productNumber": "LT-" + suffix,
		"addProductVariants": []any{map[string]any{"name": kind, "status": "ACTIVE", "sizeChart": map[string]any{"id": chart.Create.SizeChart.ID},
			"productSizes": []any{map[string]any{"size": map[string]any{"name": oneSize}}}}}}), &prod)
	if err != nil {
		return p, err
	}
	if err := prod.Create.UserErrors.err("createProduct"); err != nil || prod.Create.Product == nil {
		return p, orMissing(err, "createProduct", "product")
	}
	if vs := prod.Create.Product.Variants; len(vs) != 1 || len(vs[0].ProductSizes) != 1 {
		return p, fmt.Errorf("createProduct answered %d variants; want one with one size", len(vs))
	}
	p.ProductID = prod.Create.Product.ID
	p.VariantID = prod.Create.Product.Variants[0].ID
	p.ProductSizeID = prod.Create.Product.Variants[0].ProductSizes[0].ID

	var disp struct {
		Create struct {
			UserErrors userErrors `json:"userErrors"`
		} `json:"createDisplay"`
	}
	err = c.do(ctx, mCreateDisplay, input(map[string]any{"store": map[string]any{"id": demoStore}, "product": map[string]any{"id": p.ProductID},
		"name": p.Name, "status": "ACTIVE", "addProductVariants": []any{map[string]any{"productVariant": map[string]any{"id": p.VariantID}}}}), &disp)
	if err == nil {
		err = disp.Create.UserErrors.err("createDisplay")
	}
	if err != nil {
		return p, err
	}

	for _, pl := range shop.Pricelists {
		var set struct {
			Set struct {
				UserErrors userErrors `json:"userErrors"`
			} `json:"setPrices"`
		}
		// 100 in any currency: a round amount, which the test payment
		// provider approves (amounts ending in 22 or 66 minor units are
		// its 3-D Secure and decline cases).
		err := c.do(ctx, mSetPrices, input(map[string]any{"pricelist": map[string]any{"id": pl.ID}, "productPrices": []any{map[string]any{
			"product": map[string]any{"id": p.ProductID}, "price": map[string]any{"value": 100, "currencyIsoCode": pl.Currency.Code}}}}), &set)
		if err == nil {
			err = set.Set.UserErrors.err("setPrices")
		}
		if err != nil {
			return p, err
		}
	}

	var stock struct {
		Set struct {
			UserErrors userErrors `json:"userErrors"`
		} `json:"setStock"`
	}
	err = c.do(ctx, mSetStock, input(map[string]any{"warehouse": map[string]any{"id": shop.Warehouses[0].ID}, "description": p.Name,
		"stockQuantityType": "PHYSICAL", "productVariants": []any{map[string]any{"productVariant": map[string]any{"id": p.VariantID},
			"sizeStockLevels": []any{map[string]any{"size": map[string]any{"name": oneSize}, "quantity": units}}}}}), &stock)
	if err == nil {
		err = stock.Set.UserErrors.err("setStock")
	}
	return p, err
}

// StockLevels are a size's stock summed over warehouses.
type StockLevels struct {
	Physical       int64 `json:"physicalQuantity"`
	Allocated      int64 `json:"allocatedQuantity"`
	FreeToAllocate int64 `json:"freeToAllocateQuantity"`
}

// stock reads the stock of a one-size variant back.
func (c *integration) stock(ctx context.Context, variantID int64) (StockLevels, error) {
	var out struct {
		Variants []struct {
			Stock []StockLevels `json:"stock"`
		} `json:"productVariants"`
	}
	if err := c.do(ctx, qStock, map[string]any{"ids": []int64{variantID}}, &out); err != nil {
		return StockLevels{}, err
	}
	if len(out.Variants) != 1 || len(out.Variants[0].Stock) != 1 {
		return StockLevels{}, fmt.Errorf("productVariants answered no stock for variant %d", variantID)
	}
	return out.Variants[0].Stock[0], nil
}

func input(v map[string]any) map[string]any { return map[string]any{"input": v} }

func orMissing(err error, mutation, field string) error {
	if err != nil {
		return err
	}
	return errors.New(mutation + " answered no " + field + " and no userErrors")
}

// runSuffix names a run's objects uniquely: its start time and a random
// part, so that runs started in the same second differ.
func runSuffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}
