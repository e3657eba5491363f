package gql_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

func TestIDConversionsMapBothWaysAndReplaceOldEntries(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		c.MustOK(`mutation { setIdConversions(input: [
			{objectType: Product, internalId: 1, externalId: "SKU-1"},
			{objectType: Product, internalId: 2, externalId: "SKU-2"}]) { entries { id } userErrors { message } } }`, nil)
		// SKU-1 moves to product 67: the old mapping of SKU-1 goes.
		c.MustOK(`mutation { setIdConversions(input: [{objectType: Product, internalId: 67, externalId: "SKU-1"}]) { entries { id } userErrors { message } } }`, nil)
		r := c.MustOK(`{ idConversions(where: {objectType: [Product]}) { objectType internalId externalId integrationName } }`, nil)
		want := []any{
			map[string]any{"objectType": "Product", "internalId": 2.0, "externalId": "SKU-2", "integrationName": "erp"},
			map[string]any{"objectType": "Product", "internalId": 67.0, "externalId": "SKU-1", "integrationName": "erp"},
		}
		if diff := cmp.Diff(want, r.Data["idConversions"]); diff != "" {
			t.Errorf("idConversions (-want +got):\n%s", diff)
		}
		r = c.MustOK(`{ a: product(id: 67) { externalId } b: product(id: 1) { externalId } }`, nil)
		if gqltest.Get(r.Data, "a", "externalId") != "SKU-1" || gqltest.Get(r.Data, "b", "externalId") != nil {
			t.Errorf("externalId on products: %s", r.Raw)
		}
		// Another integration does not see erp's ids.
		other := c.With(gqltest.NewToken(t, d, auth.NewToken{Name: "pim", All: true}))
		r = other.Do(`mutation { setPrices(input: {pricelist: {id: 23}, productPrices: [{product: {externalId: "SKU-2"}, price: {value: 1, currencyIsoCode: "EUR"}}]}) { userErrors { message path } } }`, nil)
		if ue := r.UserErrors("setPrices"); len(ue) != 1 || ue[0]["message"] != `Could not find Product with external ID "SKU-2" for integration "pim".` {
			t.Errorf("other integration resolved erp's id: %v", ue)
		}
		r = c.MustOK(`mutation { unsetIdConversions(input: [{objectType: Product, idConversion: {externalId: "SKU-2"}},
			{objectType: Product, idConversion: {externalId: "never"}}]) { userErrors { message } userWarnings { message path } } }`, nil)
		if w := gqltest.Get(r.Data, "unsetIdConversions", "userWarnings").([]any); len(w) != 1 {
			t.Errorf("warnings %v; want one for the entry that matched nothing", w)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM id_conversion WHERE integration = 'erp' AND object_type = 'Product'`); n != 1 {
			t.Errorf("%d Product conversions left; want 1", n)
		}
	})
}

func TestSizeChartsGiveEverySizeAnExternalID(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		c.MustOK(`mutation { createSizeChart(input: {name: "Jeans", horizontalLabels: ["30", "32"], verticalLabels: ["32", "34"], dividerSymbol: "/"}) {
			sizeChart { sizes { name } } userErrors { message } } }`, nil)
		r := c.MustOK(`{ idConversions(where: {objectType: [Size]}) { externalId } sizeCharts(where: {name: {equals: "Jeans"}}) { sizes { name } } }`, nil)
		var got []string
		for _, e := range r.Data["idConversions"].([]any) {
			got = append(got, e.(map[string]any)["externalId"].(string))
		}
		want := []string{"Jeans|30/32", "Jeans|30/34", "Jeans|32/32", "Jeans|32/34"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("size external ids (-want +got):\n%s", diff)
		}
		// A second chart of the same name takes the ids over, and says so.
		r = c.MustOK(`mutation { createSizeChart(input: {name: "Jeans", horizontalLabels: ["30"], verticalLabels: ["32"], dividerSymbol: "/"}) {
			sizeChart { sizes { id } } userErrors { message } userWarnings { message path } } }`, nil)
		ws := gqltest.Get(r.Data, "createSizeChart", "userWarnings").([]any)
		if len(ws) != 1 || !strings.Contains(gqltest.Get(ws, 0, "message").(string), `"Jeans|30/32"`) {
			t.Errorf("warnings %v; want one about Jeans|30/32", ws)
		}
		newSize := gqltest.ID(r.Data, "createSizeChart", "sizeChart", "sizes", 0, "id")
		if got := dbtest.Int(t, d, `SELECT internal_id FROM id_conversion WHERE integration = 'erp' AND external_id = 'Jeans|30/32'`); got != newSize {
			t.Errorf("Jeans|30/32 names size %d; want the new chart's size %d", got, newSize)
		}
	})
}

func TestListsPageFromOneAndEndEmpty(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		count := func(page int) int {
			r := c.MustOK(`query ($p: Int) { countries(limit: 100, page: $p, sort: [code_ASC]) { code } }`, map[string]any{"p": page})
			return len(r.Data["countries"].([]any))
		}
		if a, b, c3, e := count(1), count(2), count(3), count(4); a != 100 || b != 100 || c3 != 49 || e != 0 {
			t.Errorf("pages of 249 countries by 100: %d %d %d %d; want 100 100 49 0", a, b, c3, e)
		}
		r := c.MustOK(`{ countries { code } }`, nil)
		if n := len(r.Data["countries"].([]any)); n != 20 {
			t.Errorf("default page has %d countries; want 20", n)
		}
		r = c.MustOK(`{ countries(sort: [code_DESC], limit: 1) { name } }`, nil)
		if gqltest.Get(r.Data, "countries", 0, "name") != "Zimbabwe" {
			t.Errorf("last country by code: %v", r.Data)
		}
	})
}

func TestStockIsReadPerWarehouseAndPerSize(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		for _, q := range []string{
			`mutation { changeStock(input: {intoWarehouse: {id: 1}, description: "in", productVariants: [{productVariant: {id: 2}, sizeChanges: [{size: {name: "S"}, deliveredQuantity: 7}]}]}) { userErrors { message } } }`,
			`mutation { changeStock(input: {intoWarehouse: {id: 3}, description: "in", productSizes: [{productSize: {id: 100}, deliveredQuantity: 5}]}) { userErrors { message } } }`,
			`mutation { changeStock(input: {outFromWarehouse: {id: 1}, intoWarehouse: {id: 3}, description: "move", productSizes: [{productSize: {id: 100}, deliveredQuantity: 2}]}) { userErrors { message } } }`,
		} {
			c.MustOK(q, nil)
		}
		dbtest.Exec(t, d, `UPDATE stock SET allocated = 1 WHERE warehouse_id = 3 AND product_size_id = 100`)
		r := c.MustOK(`{
			warehouses(where: {id: [1, 3]}, sort: [id_ASC]) { id stock(where: {productVariantId: [2]}) { productSize { id } physicalQuantity allocatedQuantity freeToAllocateQuantity } }
			productVariants(where: {id: [2]}) { stock { productSize { id } physicalQuantity allocatedQuantity availableNowQuantity warehouses { warehouse { id } physicalQuantity } } }
		}`, nil)
		want := map[string]any{
			"warehouses": []any{
				map[string]any{"id": 1.0, "stock": []any{map[string]any{"productSize": map[string]any{"id": 100.0}, "physicalQuantity": 5.0, "allocatedQuantity": 0.0, "freeToAllocateQuantity": 5.0}}},
				map[string]any{"id": 3.0, "stock": []any{map[string]any{"productSize": map[string]any{"id": 100.0}, "physicalQuantity": 7.0, "allocatedQuantity": 1.0, "freeToAllocateQuantity": 6.0}}},
			},
			"productVariants": []any{map[string]any{"stock": []any{map[string]any{
				"productSize": map[string]any{"id": 100.0}, "physicalQuantity": 12.0, "allocatedQuantity": 1.0, "availableNowQuantity": 11.0,
				"warehouses": []any{map[string]any{"warehouse": map[string]any{"id": 1.0}, "physicalQuantity": 5.0}, map[string]any{"warehouse": map[string]any{"id": 3.0}, "physicalQuantity": 7.0}},
			}}}},
		}
		if diff := cmp.Diff(want, r.Data); diff != "" {
			t.Errorf("stock (-want +got):\n%s", diff)
		}
	})
}

func TestStockChangeConnectionPagesWithCursors(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		for range 5 {
			c.MustOK(`mutation { changeStock(input: {intoWarehouse: {id: 1}, description: "in", productSizes: [{productSize: {id: 100}, deliveredQuantity: 1}]}) { userErrors { message } } }`, nil)
		}
		const q = `query ($after: String, $before: String, $first: Int, $last: Int) { stockChangeConnection(first: $first, after: $after, last: $last, before: $before) {
			totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor } edges { cursor node { description lines { quantity } } } } }`
		var seen int
		var after any
		for page := 0; ; page++ {
			r := c.MustOK(q, map[string]any{"first": 2, "after": after})
			conn := r.Data["stockChangeConnection"]
			if gqltest.Get(conn, "totalCount") != 5.0 {
				t.Fatalf("totalCount %v; want 5", gqltest.Get(conn, "totalCount"))
			}
			seen += len(gqltest.Get(conn, "edges").([]any))
			if gqltest.Get(conn, "pageInfo", "hasPreviousPage") != (page > 0) {
				t.Errorf("page %d: hasPreviousPage %v", page, gqltest.Get(conn, "pageInfo", "hasPreviousPage"))
			}
			if gqltest.Get(conn, "pageInfo", "hasNextPage") != true {
				break
			}
			after = gqltest.Get(conn, "pageInfo", "endCursor")
			if page > 5 {
				t.Fatal("the connection never ends")
			}
		}
		if seen != 5 {
			t.Errorf("paged through %d stock changes; want 5", seen)
		}
		r := c.MustOK(q, map[string]any{"last": 2})
		if n := len(gqltest.Get(r.Data, "stockChangeConnection", "edges").([]any)); n != 2 || gqltest.Get(r.Data, "stockChangeConnection", "pageInfo", "hasPreviousPage") != true {
			t.Errorf("last 2: %s", r.Raw)
		}
		r = c.Do(q, map[string]any{"after": "not-a-cursor"})
		if len(r.Errors) != 1 || gqltest.Get(r.Errors, 0, "extensions", "argument") != "after" {
			t.Errorf("a bad cursor: %s", r.Raw)
		}
	})
}

func TestStoreRestrictedTokenSeesOnlyItsStore(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		one := int64(1)
		retail := c.With(gqltest.NewToken(t, d, auth.NewToken{Name: "retail", All: true, StoreID: &one}))
		r := retail.MustOK(`{ stores { id } pricelists(limit: 50) { id } displays { id } }`, nil)
		if n := len(r.Data["stores"].([]any)); n != 1 {
			t.Errorf("%d stores; want only store 1", n)
		}
		for _, p := range r.Data["pricelists"].([]any) {
			if id := p.(map[string]any)["id"].(float64); id == 21 || id == 65 || id == 66 {
				t.Errorf("pricelist %v of store 2 visible", id)
			}
		}
		dbtest.Exec(t, d, `INSERT INTO category (id, store_id, name, uri, status) VALUES (1, 2, 'Wholesale only', 'w', 'ACTIVE')`,
			`INSERT INTO price (pricelist_id, product_id, product_variant_id, price_minor) VALUES (21, 1, 0, 100), (23, 1, 0, 200)`)
		r = retail.MustOK(`{ categories { id } productVariants(where: {id: [2]}) { prices { pricelist { id } } } }`, nil)
		if n := len(r.Data["categories"].([]any)); n != 0 {
			t.Errorf("%d categories of store 2 visible", n)
		}
		if ps := gqltest.Get(r.Data, "productVariants", 0, "prices").([]any); len(ps) != 1 || gqltest.Get(ps, 0, "pricelist", "id") != 23.0 {
			t.Errorf("variant prices %v; want only pricelist 23 of store 1", ps)
		}
		refused := []struct{ mutation, query string }{
			{"createDisplay", `mutation { createDisplay(input: {store: {id: 2}, product: {id: 1}, name: "x", status: ACTIVE}) { userErrors { message path } } }`},
			{"setPrices", `mutation { setPrices(input: {pricelist: {id: 21}, productPrices: [{product: {id: 1}, price: {value: 5, currencyIsoCode: "SEK"}}]}) { userErrors { message path } } }`},
			{"createPricelist", `mutation { createPricelist(input: {name: "x", status: ACTIVE, currencyIsoCode: "SEK", store: {id: 2}}) { userErrors { message path } } }`},
			{"updatePricelist", `mutation { updatePricelist(id: 21, input: {name: "x"}) { userErrors { message path } } }`},
			{"createMarket", `mutation { createMarket(input: {store: {id: 2}, name: "x"}) { userErrors { message path } } }`},
			{"createCategory", `mutation { createCategory(input: {store: {id: 2}, name: "x"}) { userErrors { message path } } }`},
			{"createStore", `mutation { createStore(input: {name: "x", type: WHOLESALE}) { userErrors { message path } } }`},
			{"updatePriceAlteration", `mutation { updatePriceAlteration(id: 1, input: {name: "x"}) { userErrors { message path } } }`},
		}
		before := dbtest.Snapshot(t, d)
		for _, tt := range refused {
			r := retail.Do(tt.query, nil)
			if ue := r.UserErrors(tt.mutation); len(ue) != 1 || !strings.Contains(ue[0]["message"].(string), "limited to store 1") {
				t.Errorf("%s in store 2: %s", tt.mutation, r.Raw)
			}
		}
		if diff := cmp.Diff(before, dbtest.Snapshot(t, d)); diff != "" {
			t.Errorf("refused mutations changed the database:\n%s", diff)
		}
	})
}
