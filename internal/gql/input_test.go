package gql_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

// The tests in this file send bad input to the Integration API. Centra's
// documented status codes decide the shape of the answer: a document that
// cannot run (bad JSON, syntax, a value of the wrong GraphQL type) is HTTP
// 400 with errors; a document that ran is HTTP 200, and a mutation whose
// input breaks a rule answers userErrors, each with the path of the field
// and a message saying what rule was broken, and changes nothing.

// refusal is a one-mutation document whose input breaks a rule.
type refusal struct {
	name  string
	query string
	vars  map[string]any
	// path and msg describe the userError the input must get: its exact
	// path and a part of its message.
	path []string
	msg  string
}

// mutDoc writes a one-mutation document that asks for the payload's object
// (which must stay null when the input is refused) and its userErrors.
func mutDoc(field, args, object string) string {
	return fmt.Sprintf("mutation { %s(%s) { %s userErrors { path message } } }", field, args, object)
}

// inputFixture adds, to seedFixture, stock of product sizes 100 (variant 2,
// size S: 5 physical, 2 allocated) and 101 (variant 1445, size XL: 4) in
// warehouse 1; prices of product 1 in pricelist 23 (100 EUR, and 90 EUR for
// variant 2); a JPY pricelist 30; a variant 3 without a size chart; and
// ID conversions that point at a product that no longer exists, at product
// 1 for another integration, and at size S of chart S-L.
var inputFixture = []string{
	`INSERT INTO stock (warehouse_id, product_size_id, physical, allocated) VALUES (1, 100, 5, 2), (1, 101, 4, 0)`,
	`INSERT INTO pricelist (id, store_id, name, status, currency) VALUES (30, 1, 'JPY', 'ACTIVE', 'JPY')`,
	`INSERT INTO price (pricelist_id, product_id, product_variant_id, price_minor) VALUES (23, 1, 0, 10000), (23, 1, 2, 9000)`,
	`INSERT INTO product_variant (id, product_id, name, status, created_at, updated_at) VALUES (3, 1, 'No chart', 'ACTIVE', '2024-01-01 00:00:00+00:00', '2024-01-01 00:00:00+00:00')`,
	`INSERT INTO id_conversion (integration, object_type, external_id, internal_id) VALUES
		('erp', 'Product', 'gone', 424242), ('pim', 'Product', 'pim-1', 1), ('erp', 'Size', 'S-L|S', 7)`,
}

// checkRefusals runs each refusal, in order, on one database per engine
// seeded with seedFixture and inputFixture. Each must answer HTTP 200
// without GraphQL errors, with the userError it names among its
// userErrors, every userError with a path and a message, the payload's
// object null (or an empty list), and the database exactly as it was
// before. The cases share the database; that is sound because each must
// leave it as it found it, and the first that does not fails.
func checkRefusals(t *testing.T, cases []refusal) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		dbtest.Exec(t, d, inputFixture...)
		c := gqltest.New(t, d, "erp")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := dbtest.Snapshot(t, d)
				r := c.Do(tc.query, tc.vars)
				if r.Status != http.StatusOK || len(r.Errors) > 0 {
					t.Fatalf("status %d, errors %v; want 200 with userErrors\n%s", r.Status, r.Errors, tc.query)
				}
				field := firstField(r.Data)
				ue := r.UserErrors(field)
				found := false
				for _, e := range ue {
					path, msg := jsonStrings(e["path"]), fmt.Sprint(e["message"])
					if len(path) == 0 || msg == "" {
						t.Errorf("userError %v lacks a path or a message", e)
					}
					if slices.Equal(path, tc.path) && strings.Contains(msg, tc.msg) {
						found = true
					}
				}
				if !found {
					t.Errorf("userErrors %v lack one at %v saying %q", ue, tc.path, tc.msg)
				}
				payload, _ := gqltest.Get(r.Data, field).(map[string]any)
				for k, v := range payload {
					if l, isList := v.([]any); k != "userErrors" && v != nil && (!isList || len(l) > 0) {
						t.Errorf("%s.%s = %v; a refused mutation returns no object", field, k, v)
					}
				}
				if diff := cmp.Diff(before, dbtest.Snapshot(t, d)); diff != "" {
					t.Errorf("a refused mutation changed the database (-before +after):\n%s", diff)
				}
			})
		}
	})
}

// jsonStrings reads a JSON list of strings.
func jsonStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, s := range l {
		out = append(out, fmt.Sprint(s))
	}
	return out
}

// at is the path of a userError, from the argument down.
func at(parts ...string) []string { return parts }

// TestUnknownOrAmbiguousReferencesAreUserErrors: a reference input that
// names nothing (an unknown id or externalId, another integration's
// externalId, one whose object is gone) or names it ambiguously (both id
// and externalId, or neither) is a userError at the reference.
func TestUnknownOrAmbiguousReferencesAreUserErrors(t *testing.T) {
	t.Parallel()
	variant := func(product string) string {
		return mutDoc("createProductVariant", `input: {product: `+product+`, name: "New variant", status: ACTIVE}`, "productVariant { id }")
	}
	prices := func(pricelist, product string) string {
		return mutDoc("setPrices", `input: {pricelist: `+pricelist+`, productPrices: [{product: `+product+`, price: {value: 10, currencyIsoCode: "EUR"}}]}`, "pricelist { id }")
	}
	checkRefusals(t, []refusal{
		{name: "product by an unknown id", query: variant(`{id: 999999}`),
			path: at("input", "product", "id"), msg: "Could not find Product with ID 999999."},
		{name: "product by an unknown externalId", query: variant(`{externalId: "no-such-product"}`),
			path: at("input", "product", "externalId"), msg: `Could not find Product with external ID "no-such-product" for integration "erp".`},
		{name: "product by another integration's externalId", query: variant(`{externalId: "pim-1"}`),
			path: at("input", "product", "externalId"), msg: `Could not find Product with external ID "pim-1" for integration "erp".`},
		{name: "product by an externalId whose product is gone", query: variant(`{externalId: "gone"}`),
			path: at("input", "product", "externalId"), msg: `External ID "gone" points at Product 424242, which no longer exists.`},
		{name: "product by both id and externalId", query: variant(`{id: 1, externalId: "one"}`),
			path: at("input", "product"), msg: "Exactly one input field should be provided, got 2."},
		{name: "product by neither id nor externalId", query: variant(`{}`),
			path: at("input", "product"), msg: "Exactly one input field should be provided, got 0."},
		{name: "size chart by an unknown id",
			query: mutDoc("createProductVariant", `input: {product: {id: 1}, name: "V", status: ACTIVE, sizeChart: {id: 999999}}`, "productVariant { id }"),
			path:  at("input", "sizeChart", "id"), msg: "Could not find SizeChart with ID 999999."},
		{name: "brand by an unknown externalId",
			query: mutDoc("createProduct", `input: {name: "P", status: ACTIVE, productNumber: "PN", brand: {externalId: "no-brand"}}`, "product { id }"),
			path:  at("input", "brand", "externalId"), msg: `Could not find Brand with external ID "no-brand"`},
		{name: "country by an unknown code",
			query: mutDoc("createProduct", `input: {name: "P", status: ACTIVE, productNumber: "PN", countryOfOrigin: {code: "ZZ"}}`, "product { id }"),
			path:  at("input", "countryOfOrigin", "code"), msg: `Could not find Country with code "ZZ".`},
		{name: "country by both id and code",
			query: mutDoc("createProduct", `input: {name: "P", status: ACTIVE, productNumber: "PN", countryOfOrigin: {id: 1, code: "SE"}}`, "product { id }"),
			path:  at("input", "countryOfOrigin"), msg: "Exactly one input field should be provided, got 2."},
		{name: "product to update by an unknown id",
			query: mutDoc("updateProduct", `id: 999999, input: {name: "Renamed"}`, "product { id }"),
			path:  at("id"), msg: "Could not find Product with ID 999999."},
		{name: "variant of a product size by an unknown id",
			query: mutDoc("createProductSize", `input: {productVariant: {id: 999999}, size: {name: "S"}}`, "productSize { id }"),
			path:  at("input", "productVariant", "id"), msg: "Could not find ProductVariant with ID 999999."},
		{name: "warehouse by an unknown id",
			query: mutDoc("changeStock", `input: {intoWarehouse: {id: 999999}, description: "d", productSizes: [{productSize: {id: 100}, deliveredQuantity: 1}]}`, "stockChange { id }"),
			path:  at("input", "intoWarehouse", "id"), msg: "Could not find Warehouse with ID 999999."},
		{name: "warehouse by an unknown externalId",
			query: mutDoc("setStock", `input: {warehouse: {externalId: "nowhere"}, description: "d", stockQuantityType: PHYSICAL, productSizes: [{productSize: {id: 100}, quantity: 1}]}`, "stockChanges { id }"),
			path:  at("input", "warehouse", "externalId"), msg: `Could not find Warehouse with external ID "nowhere"`},
		{name: "warehouse by both id and externalId",
			query: mutDoc("changeStock", `input: {outFromWarehouse: {id: 1, externalId: "main"}, description: "d", productSizes: [{productSize: {id: 100}, deliveredQuantity: 1}]}`, "stockChange { id }"),
			path:  at("input", "outFromWarehouse"), msg: "Exactly one input field should be provided, got 2."},
		{name: "product size by an unknown id",
			query: mutDoc("changeStock", `input: {intoWarehouse: {id: 1}, description: "d", productSizes: [{productSize: {id: 999999}, deliveredQuantity: 1}]}`, "stockChange { id }"),
			path:  at("input", "productSizes", "0", "productSize", "id"), msg: "Could not find ProductSize with ID 999999."},
		{name: "pricelist by an unknown id", query: prices(`{id: 999999}`, `{id: 1}`),
			path: at("input", "pricelist", "id"), msg: "Could not find Pricelist with ID 999999."},
		{name: "pricelist by an unknown externalId", query: prices(`{externalId: "no-list"}`, `{id: 1}`),
			path: at("input", "pricelist", "externalId"), msg: `Could not find Pricelist with external ID "no-list"`},
		{name: "product of a price by an unknown id", query: prices(`{id: 23}`, `{id: 999999}`),
			path: at("input", "productPrices", "0", "product", "id"), msg: "Could not find Product with ID 999999."},
		{name: "variant of a variant price by both id and externalId",
			query: mutDoc("setPrices", `input: {pricelist: {id: 23}, productPrices: [{product: {id: 1}, individualVariantPrices: [
				{productVariant: {id: 2, externalId: "two"}, price: {value: 10, currencyIsoCode: "EUR"}}]}]}`, "pricelist { id }"),
			path: at("input", "productPrices", "0", "individualVariantPrices", "0", "productVariant"), msg: "Exactly one input field should be provided, got 2."},
		{name: "one externalId for two products in one setIdConversions",
			query: mutDoc("setIdConversions", `input: [{objectType: Product, internalId: 1, externalId: "shared"}, {objectType: Product, internalId: 2, externalId: "shared"}]`, "entries { id }"),
			path:  at("input", "1", "externalId"), msg: `externalId "shared" is given for a Product twice (entries 0 and 1)`},
		{name: "two externalIds for one product in one setIdConversions",
			query: mutDoc("setIdConversions", `input: [{objectType: Product, internalId: 1, externalId: "first"}, {objectType: Product, internalId: 1, externalId: "second"}]`, "entries { id }"),
			path:  at("input", "1", "internalId"), msg: "Product 1 is given twice (entries 0 and 1)"},
		{name: "an ID conversion for an unknown product",
			query: mutDoc("setIdConversions", `input: [{objectType: Product, internalId: 1, externalId: "p1"}, {objectType: Product, internalId: 999999, externalId: "p2"}]`, "entries { id }"),
			path:  at("input", "1", "internalId"), msg: "Could not find Product with ID 999999."},
		{name: "store of a pricelist by an unknown id",
			query: mutDoc("createPricelist", `input: {name: "New", status: ACTIVE, currencyIsoCode: "EUR", store: {id: 999999}}`, "pricelist { id }"),
			path:  at("input", "store", "id"), msg: "Could not find Store with ID 999999."},
	})
}

// TestSizeMistakesAreUserErrors: size charts with a size name twice (from
// one label twice, or from labels joined by the divider) and sizes that
// cannot be activated (another chart's, a name the chart lacks, one already
// active, one listed twice) are userErrors; variants or products created in
// the same mutation are rolled back with them.
func TestSizeMistakesAreUserErrors(t *testing.T) {
	t.Parallel()
	size := func(variant, size string) string {
		return mutDoc("createProductSize", `input: {productVariant: {id: `+variant+`}, size: `+size+`}`, "productSize { id }")
	}
	checkRefusals(t, []refusal{
		{name: "a horizontal label twice",
			query: mutDoc("createSizeChart", `input: {name: "Dup", horizontalLabels: ["S", "S"]}`, "sizeChart { id }"),
			path:  at("input", "horizontalLabels", "1"), msg: `Size label "S" appears twice`},
		{name: "a vertical label twice",
			query: mutDoc("createSizeChart", `input: {name: "Dup", horizontalLabels: ["30", "32"], verticalLabels: ["32", "32"]}`, "sizeChart { id }"),
			path:  at("input", "verticalLabels", "1"), msg: `Size label "32" appears twice`},
		{name: "labels and divider that make one size name twice",
			query: mutDoc("createSizeChart", `input: {name: "Dup", horizontalLabels: ["1", "1-2"], verticalLabels: ["2-3", "3"], dividerSymbol: "-"}`, "sizeChart { id }"),
			path:  at("input", "verticalLabels", "1"), msg: `Size name "1-2-3" would appear twice`},
		{name: "labels and the default divider that make one size name twice",
			query: mutDoc("createSizeChart", `input: {name: "Dup", horizontalLabels: ["S", "Sx"], verticalLabels: ["xL", "L"]}`, "sizeChart { id }"),
			path:  at("input", "verticalLabels", "1"), msg: `Size name "SxxL" would appear twice`},
		{name: "an update that lists a label twice",
			query: mutDoc("updateSizeChart", `id: 3, input: {horizontalLabels: ["S", "M", "M"]}`, "sizeChart { id }"),
			path:  at("input", "horizontalLabels", "2"), msg: `Size label "M" appears twice`},
		{name: "a size of another chart by id", query: size("2", `{id: 7}`),
			path: at("input", "size"), msg: `Size 7 (S) is not in size chart "XS-XL" (2).`},
		{name: "a size of another chart by externalId", query: size("2", `{externalId: "S-L|S"}`),
			path: at("input", "size"), msg: `Size 7 (S) is not in size chart "XS-XL" (2).`},
		{name: "a size by a name the chart lacks", query: size("2", `{name: "XXL"}`),
			path: at("input", "size", "name"), msg: `Size chart "XS-XL" (2) has no size named "XXL".`},
		{name: "a size by an unknown externalId", query: size("2", `{externalId: "XS-XL|XXL"}`),
			path: at("input", "size", "externalId"), msg: `Could not find Size with external ID "XS-XL|XXL"`},
		{name: "a size by both id and name", query: size("2", `{id: 4, name: "M"}`),
			path: at("input", "size"), msg: "Exactly one input field should be provided, got 2."},
		{name: "a size on a variant without a size chart", query: size("3", `{name: "S"}`),
			path: at("input"), msg: "Product variant 3 has no size chart; set its sizeChart before activating sizes."},
		{name: "a size activated a second time", query: size("2", `{name: "S"}`),
			path: at("input", "size"), msg: "Size S is already activated on product variant 2 (product size 100); use updateProductSize to change it."},
		{name: "a size activated a second time by updateProductVariant, with a rename",
			query: mutDoc("updateProductVariant", `id: 2, input: {name: "Renamed", productSizes: [{size: {name: "M"}}, {size: {name: "S"}}]}`, "productVariant { id }"),
			path:  at("input", "productSizes", "1", "size"), msg: "Size S is already activated on product variant 2"},
		{name: "one size twice on a new variant",
			query: mutDoc("createProductVariant", `input: {product: {id: 1}, name: "New", status: ACTIVE, sizeChart: {id: 2}, productSizes: [{size: {name: "M"}}, {size: {name: "M"}}]}`, "productVariant { id }"),
			path:  at("input", "productSizes", "1", "size"), msg: "Size M is listed twice."},
		{name: "a size of another chart on a variant nested in a new product",
			query: mutDoc("createProduct", `input: {name: "New", status: ACTIVE, productNumber: "N1", addProductVariants: [
				{name: "V", status: ACTIVE, sizeChart: {id: 3}, productSizes: [{size: {name: "M"}}, {size: {id: 2}}]}]}`, "product { id }"),
			path: at("input", "addProductVariants", "0", "productSizes", "1", "size"), msg: `Size 2 (XS) is not in size chart "S-L" (3).`},
	})
}

// TestStockQuantityMistakesAreUserErrors: changeStock moves at least 1 and
// never more than is free to allocate; setStock levels are not negative. A
// refused line undoes the lines before it in the same mutation.
func TestStockQuantityMistakesAreUserErrors(t *testing.T) {
	t.Parallel()
	change := func(warehouses, lines string) string {
		return mutDoc("changeStock", `input: {`+warehouses+`, description: "Delivery", `+lines+`}`, "stockChange { id }")
	}
	sizeS := func(field string, n int) string {
		return fmt.Sprintf(`productVariants: [{productVariant: {id: 2}, %s: [{size: {name: "S"}, %s: %d}]}]`,
			map[string]string{"deliveredQuantity": "sizeChanges", "quantity": "sizeStockLevels"}[field], field, n)
	}
	set := func(lines string) string {
		return mutDoc("setStock", `input: {warehouse: {id: 1}, description: "Count", stockQuantityType: PHYSICAL, `+lines+`}`, "stockChanges { id }")
	}
	checkRefusals(t, []refusal{
		{name: "deliveredQuantity -1", query: change(`intoWarehouse: {id: 1}`, sizeS("deliveredQuantity", -1)),
			path: at("input", "productVariants", "0", "sizeChanges", "0", "deliveredQuantity"), msg: "deliveredQuantity must be at least 1, got -1; use outFromWarehouse to remove stock."},
		{name: "deliveredQuantity 0", query: change(`intoWarehouse: {id: 1}`, sizeS("deliveredQuantity", 0)),
			path: at("input", "productVariants", "0", "sizeChanges", "0", "deliveredQuantity"), msg: "deliveredQuantity must be at least 1, got 0"},
		{name: "deliveredQuantity -1 of a product size", query: change(`outFromWarehouse: {id: 1}`, `productSizes: [{productSize: {id: 100}, deliveredQuantity: -1}]`),
			path: at("input", "productSizes", "0", "deliveredQuantity"), msg: "deliveredQuantity must be at least 1, got -1"},
		{name: "deliveredQuantity over the maximum", query: change(`intoWarehouse: {id: 1}`, sizeS("deliveredQuantity", 1_000_000_001)),
			path: at("input", "productVariants", "0", "sizeChanges", "0", "deliveredQuantity"), msg: "deliveredQuantity must be at most 1000000000, got 1000000001."},
		{name: "setStock quantity -1", query: set(sizeS("quantity", -1)),
			path: at("input", "productVariants", "0", "sizeStockLevels", "0", "quantity"), msg: "quantity must not be negative, got -1."},
		{name: "setStock quantity -1 of a product size", query: set(`productSizes: [{productSize: {id: 101}, quantity: 7}, {productSize: {id: 100}, quantity: -1}]`),
			path: at("input", "productSizes", "1", "quantity"), msg: "quantity must not be negative, got -1."},
		{name: "taking out more than is free to allocate", query: change(`outFromWarehouse: {id: 1}`, `productSizes: [{productSize: {id: 100}, deliveredQuantity: 4}]`),
			path: at("input", "productSizes", "0", "deliveredQuantity"), msg: "Cannot take 4 of product size 100 out of warehouse 1: 3 free to allocate (5 physical, 2 allocated)."},
		{name: "moving more than is free to allocate", query: change(`outFromWarehouse: {id: 1}, intoWarehouse: {id: 3}`, sizeS("deliveredQuantity", 4)),
			path: at("input", "productVariants", "0", "sizeChanges", "0", "deliveredQuantity"), msg: "Cannot take 4 of size S of product variant 2 out of warehouse 1: 3 free to allocate"},
		{name: "taking out more than is free after a line that fits",
			query: change(`outFromWarehouse: {id: 1}`, `productSizes: [{productSize: {id: 101}, deliveredQuantity: 4}, {productSize: {id: 100}, deliveredQuantity: 3}, {productSize: {id: 100}, deliveredQuantity: 1}]`),
			path:  at("input", "productSizes", "2"), msg: "product size 100 is listed twice in this stock change."},
		{name: "taking out what a later line cannot cover",
			query: change(`outFromWarehouse: {id: 1}, intoWarehouse: {id: 3}`, `productSizes: [{productSize: {id: 101}, deliveredQuantity: 4}, {productSize: {id: 100}, deliveredQuantity: 5}]`),
			path:  at("input", "productSizes", "1", "deliveredQuantity"), msg: "Cannot take 5 of product size 100 out of warehouse 1: 3 free to allocate"},
		{name: "taking out of a warehouse that never held the size", query: change(`outFromWarehouse: {id: 3}`, `productSizes: [{productSize: {id: 100}, deliveredQuantity: 1}]`),
			path: at("input", "productSizes", "0", "deliveredQuantity"), msg: "Cannot take 1 of product size 100 out of warehouse 3: 0 free to allocate (0 physical, 0 allocated)."},
		{name: "a size not activated on the variant", query: change(`intoWarehouse: {id: 1}`, `productVariants: [{productVariant: {id: 2}, sizeChanges: [{size: {name: "M"}, deliveredQuantity: 1}]}]`),
			path: at("input", "productVariants", "0", "sizeChanges", "0", "size"), msg: "Size M is not activated on product variant 2; activate it with createProductSize first."},
		{name: "the same warehouse in and out", query: change(`outFromWarehouse: {id: 1}, intoWarehouse: {id: 1}`, sizeS("deliveredQuantity", 1)),
			path: at("input", "intoWarehouse"), msg: "intoWarehouse and outFromWarehouse are the same warehouse."},
		{name: "a negative unit cost", query: change(`intoWarehouse: {id: 1}`, `productSizes: [{productSize: {id: 100}, deliveredQuantity: 1, unitCost: {value: -1, currencyIsoCode: "EUR"}}]`),
			path: at("input", "productSizes", "0", "unitCost", "value"), msg: "Amounts must not be negative, got -1."},
	})
}

// TestNonIntegerQuantityIsRefusedBeforeExecution sends quantities that are
// not integers. GraphQL typing refuses them before anything runs, so the
// answer is HTTP 400 with an error naming the problem, per Centra's
// documented status codes (a request that cannot run is 400); a value of
// the right type that breaks a rule, such as -1, is a userError instead
// (TestStockQuantityMistakesAreUserErrors).
func TestNonIntegerQuantityIsRefusedBeforeExecution(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		// msg is a part of the error message; path, when set, the error's
		// path (variables have one, literals a location).
		msg  string
		path []string
	}{
		{name: "deliveredQuantity 2.5 written in the document",
			query: `mutation { changeStock(input: {intoWarehouse: {id: 1}, description: "d", productSizes: [{productSize: {id: 100}, deliveredQuantity: 2.5}]}) { userErrors { message } } }`,
			msg:   "Int cannot represent non-integer value: 2.5"},
		{name: "setStock quantity 2.5 written in the document",
			query: `mutation { setStock(input: {warehouse: {id: 1}, description: "d", stockQuantityType: PHYSICAL, productSizes: [{productSize: {id: 100}, quantity: 2.5}]}) { userErrors { message } } }`,
			msg:   "Int cannot represent non-integer value: 2.5"},
		{name: "deliveredQuantity as a string in the document",
			query: `mutation { changeStock(input: {intoWarehouse: {id: 1}, description: "d", productSizes: [{productSize: {id: 100}, deliveredQuantity: "2"}]}) { userErrors { message } } }`,
			msg:   `Int cannot represent non-integer value: "2"`},
		{name: "deliveredQuantity 2.5 in a variable",
			query: `mutation ($q: Int!) { changeStock(input: {intoWarehouse: {id: 1}, description: "d", productSizes: [{productSize: {id: 100}, deliveredQuantity: $q}]}) { userErrors { message } } }`,
			vars:  map[string]any{"q": 2.5}, msg: "Variable $q: 2.5 is not a valid Int.", path: at("variable", "q")},
		{name: "deliveredQuantity 2.5 inside an input variable",
			query: `mutation ($in: StockChangeInput!) { changeStock(input: $in) { userErrors { message } } }`,
			vars: map[string]any{"in": map[string]any{"intoWarehouse": map[string]any{"id": 1}, "description": "d",
				"productSizes": []any{map[string]any{"productSize": map[string]any{"id": 100}, "deliveredQuantity": 2.5}}}},
			msg: "Variable $in.productSizes[0].deliveredQuantity: 2.5 is not a valid Int.", path: at("variable", "in", "productSizes", "0", "deliveredQuantity")},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		dbtest.Exec(t, d, inputFixture...)
		c := gqltest.New(t, d, "erp")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := dbtest.Snapshot(t, d)
				r := c.Do(tc.query, tc.vars)
				if r.Status != http.StatusBadRequest || len(r.Errors) != 1 {
					t.Fatalf("status %d, errors %v; want 400 with one error", r.Status, r.Errors)
				}
				if msg := fmt.Sprint(r.Errors[0]["message"]); !strings.Contains(msg, tc.msg) {
					t.Errorf("error %q lacks %q", msg, tc.msg)
				}
				if got := jsonStrings(r.Errors[0]["path"]); tc.path != nil && !slices.Equal(got, tc.path) {
					t.Errorf("error path %v, want %v", got, tc.path)
				}
				if r.Data != nil {
					t.Errorf("data = %v; a document that cannot run has none", r.Data)
				}
				if diff := cmp.Diff(before, dbtest.Snapshot(t, d)); diff != "" {
					t.Errorf("a refused document changed the database (-before +after):\n%s", diff)
				}
			})
		}
	})
}

// TestPriceMistakesAreUserErrors: prices are not negative, are in the
// pricelist's currency, have no more decimals than it, and a discount price
// is below the price; a bad price anywhere in the input writes none of it.
func TestPriceMistakesAreUserErrors(t *testing.T) {
	t.Parallel()
	price := func(pricelist, prices string) string {
		return mutDoc("setPrices", `input: {pricelist: {id: `+pricelist+`}, productPrices: [{product: {id: 1}, `+prices+`}]}`, "pricelist { id } products { id }")
	}
	pricePath := func(parts ...string) []string { return append(at("input", "productPrices", "0"), parts...) }
	checkRefusals(t, []refusal{
		{name: "a negative price", query: price("23", `price: {value: -1, currencyIsoCode: "EUR"}`),
			path: pricePath("price", "value"), msg: "Amounts must not be negative, got -1."},
		{name: "a negative recommended retail price", query: price("23", `price: {value: 1, currencyIsoCode: "EUR"}, recommendedRetailPrice: {value: -0.01, currencyIsoCode: "EUR"}`),
			path: pricePath("recommendedRetailPrice", "value"), msg: "Amounts must not be negative, got -0.01."},
		{name: "a price in another currency than the pricelist's", query: price("23", `price: {value: 100, currencyIsoCode: "SEK"}`),
			path: pricePath("price", "currencyIsoCode"), msg: "Pricelist 23 is in EUR; this price is in SEK."},
		{name: "a price in an unknown currency", query: price("23", `price: {value: 100, currencyIsoCode: "XYZ"}`),
			path: pricePath("price", "currencyIsoCode"), msg: `Unknown currency "XYZ"; use an ISO 4217 code such as EUR.`},
		{name: "a price in a lower-case currency code", query: price("23", `price: {value: 100, currencyIsoCode: "eur"}`),
			path: pricePath("price", "currencyIsoCode"), msg: `Unknown currency "eur"`},
		{name: "more decimals than EUR has", query: price("23", `price: {value: 1.005, currencyIsoCode: "EUR"}`),
			path: pricePath("price", "value"), msg: "1.005 has more decimals than EUR allows."},
		{name: "decimals in JPY", query: price("30", `price: {value: 1.5, currencyIsoCode: "JPY"}`),
			path: pricePath("price", "value"), msg: "1.5 has more decimals than JPY allows."},
		{name: "a discount price equal to the price", query: price("23", `price: {value: 290, currencyIsoCode: "EUR"}, discountPrice: {value: 290, currencyIsoCode: "EUR"}`),
			path: pricePath("discountPrice"), msg: "The discount price must be below the price (290.00 EUR); got 290.00 EUR."},
		{name: "a discount price above a variant's price", query: price("23", `individualVariantPrices: [{productVariant: {id: 2}, price: {value: 50, currencyIsoCode: "EUR"}, discountPrice: {value: 60.5, currencyIsoCode: "EUR"}}]`),
			path: pricePath("individualVariantPrices", "0", "discountPrice"), msg: "The discount price must be below the price (50.00 EUR); got 60.50 EUR."},
		{name: "a discount price without a price", query: price("23", `discountPrice: {value: 10, currencyIsoCode: "EUR"}`),
			path: pricePath("price"), msg: "Give the price along with discountPrice or recommendedRetailPrice."},
		{name: "a good product price with a negative variant price, overriding variant prices",
			query: price("23", `price: {value: 200, currencyIsoCode: "EUR"}, overrideIndividualVariantPrices: true, individualVariantPrices: [{productVariant: {id: 2}, price: {value: -5, currencyIsoCode: "EUR"}}]`),
			path:  pricePath("individualVariantPrices", "0", "price", "value"), msg: "Amounts must not be negative, got -5."},
		{name: "a variant of another product", query: price("23", `individualVariantPrices: [{productVariant: {id: 1445}, price: {value: 5, currencyIsoCode: "EUR"}}]`),
			path: pricePath("individualVariantPrices", "0", "productVariant"), msg: "Product variant 1445 belongs to product 2, not 1."},
		{name: "an altered price below zero",
			query: mutDoc("setAlteredPrices", `input: {priceAlteration: {id: 1}, pricelist: {id: 21}, productPrices: [{product: {id: 1}, price: {value: -1, currencyIsoCode: "SEK"}}]}`, "priceAlteration { id }"),
			path:  pricePath("price", "value"), msg: "Amounts must not be negative, got -1."},
		{name: "a pricelist in an unknown currency",
			query: mutDoc("createPricelist", `input: {name: "New", status: ACTIVE, currencyIsoCode: "XYZ", store: {id: 1}}`, "pricelist { id }"),
			path:  at("input", "currencyIsoCode"), msg: `Unknown currency "XYZ"; use an ISO 4217 code such as SEK.`},
		{name: "a pricelist with an unknown country",
			query: mutDoc("createPricelist", `input: {name: "New", status: ACTIVE, currencyIsoCode: "EUR", store: {id: 1}, addCountries: [{code: "SE"}, {code: "ZZ"}]}`, "pricelist { id }"),
			path:  at("input", "addCountries", "1", "code"), msg: `Could not find Country with code "ZZ".`},
		{name: "a wholesale pricelist with countries",
			query: mutDoc("createPricelist", `input: {name: "New", status: ACTIVE, currencyIsoCode: "EUR", store: {id: 2}, addCountries: [{code: "SE"}]}`, "pricelist { id }"),
			path:  at("input", "addCountries"), msg: "Countries can only be added to pricelists of direct-to-consumer stores; store 2 is WHOLESALE."},
		{name: "a unit cost in an unknown currency",
			query: mutDoc("createProductVariant", `input: {product: {id: 1}, name: "V", status: ACTIVE, unitCost: {value: 5, currencyIsoCode: "XYZ"}}`, "productVariant { id }"),
			path:  at("input", "unitCost", "currencyIsoCode"), msg: `Unknown currency "XYZ"`},
	})
}

// TestSetPricesBatchWritesNothingWhenAnEntryIsBad: the batch is one
// transaction, so the first entry's prices (and the variant prices its
// override would delete) stay as they were when the second is refused.
func TestSetPricesBatchWritesNothingWhenAnEntryIsBad(t *testing.T) {
	t.Parallel()
	good := `{pricelist: {id: 23}, productPrices: [{product: {id: 1}, price: {value: 120, currencyIsoCode: "EUR"}, overrideIndividualVariantPrices: true},
		{product: {id: 2}, price: {value: 80, currencyIsoCode: "EUR"}}]}`
	batch := func(second string) string {
		return mutDoc("setPricesBatch", `input: [`+good+`, `+second+`]`, "pricelists { id } products { id }")
	}
	checkRefusals(t, []refusal{
		{name: "a negative price in the second entry",
			query: batch(`{pricelist: {id: 19}, productPrices: [{product: {id: 2}, price: {value: -1, currencyIsoCode: "USD"}}]}`),
			path:  at("input", "1", "productPrices", "0", "price", "value"), msg: "Amounts must not be negative, got -1."},
		{name: "an unknown pricelist in the second entry",
			query: batch(`{pricelist: {id: 999999}, productPrices: [{product: {id: 2}, price: {value: 1, currencyIsoCode: "USD"}}]}`),
			path:  at("input", "1", "pricelist", "id"), msg: "Could not find Pricelist with ID 999999."},
		{name: "a currency unlike the pricelist's in the second entry",
			query: batch(`{pricelist: {externalId: "19"}, productPrices: [{product: {id: 2}, price: {value: 1, currencyIsoCode: "USD"}}]}`),
			path:  at("input", "1", "productPrices", "0", "price", "currencyIsoCode"), msg: "Pricelist 20 is in EUR; this price is in USD."},
		{name: "altered prices with a currency unlike the pricelist's in the second entry",
			query: mutDoc("setAlteredPricesBatch", `input: [
				{priceAlteration: {id: 1}, pricelist: {id: 65}, productPrices: [{product: {id: 67}, price: {value: 10, currencyIsoCode: "EUR"}}]},
				{priceAlteration: {id: 1}, pricelist: {id: 66}, productPrices: [{product: {id: 67}, price: {value: 10, currencyIsoCode: "EUR"}}]}]`,
				"priceAlterations { id }"),
			path: at("input", "1", "productPrices", "0", "price", "currencyIsoCode"), msg: "Pricelist 66 is in GBP; this price is in EUR."},
	})
}

// TestExternalIDLimitIs255Characters: the schema documents externalId as up
// to 255 characters, so 255 characters are accepted whatever their bytes,
// and 256 are refused with nothing written (the product is inserted before
// its externalId is checked, so the refusal must roll it back).
func TestExternalIDLimitIs255Characters(t *testing.T) {
	t.Parallel()
	const create = `mutation ($ext: String!) { createProduct(input: {name: "With external id", status: ACTIVE, productNumber: "EXT", externalId: $ext}) {
		product { id externalId } userErrors { path message } } }`
	cases := []struct {
		name     string
		external string
		// msg is the userError at input.externalId; "" means accepted.
		msg string
	}{
		{name: "255 ASCII characters are accepted", external: strings.Repeat("x", 255)},
		{name: "255 characters of two bytes each are accepted", external: strings.Repeat("ö", 255)},
		{name: "256 characters are refused", external: strings.Repeat("x", 256), msg: "externalId is 256 characters long; the limit is 255."},
		{name: "256 characters of two bytes each are refused", external: strings.Repeat("ö", 256), msg: "externalId is 256 characters long; the limit is 255."},
		{name: "an empty externalId is refused", external: "", msg: "externalId must not be empty."},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := dbtest.Snapshot(t, d)
				r := c.Do(create, map[string]any{"ext": tc.external})
				if r.Status != http.StatusOK || len(r.Errors) > 0 {
					t.Fatalf("status %d, errors %v", r.Status, r.Errors)
				}
				var got []map[string]any
				for _, e := range r.UserErrors("createProduct") {
					got = append(got, map[string]any{"path": jsonStrings(e["path"]), "message": e["message"]})
				}
				after := dbtest.Snapshot(t, d)
				if tc.msg != "" {
					want := []map[string]any{{"path": []string{"input", "externalId"}, "message": tc.msg}}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("userErrors (-want +got):\n%s", diff)
					}
					if diff := cmp.Diff(before, after); diff != "" {
						t.Errorf("a refused product was written (-before +after):\n%s", diff)
					}
					return
				}
				if len(got) > 0 {
					t.Fatalf("userErrors %v; want the product created", got)
				}
				if ext := gqltest.Get(r.Data, "createProduct", "product", "externalId"); ext != tc.external {
					t.Errorf("product.externalId = %v, want the %d characters sent", ext, len([]rune(tc.external)))
				}
				id := gqltest.ID(r.Data, "createProduct", "product", "id")
				if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM id_conversion WHERE integration = 'erp' AND object_type = 'Product' AND internal_id = $1 AND external_id = $2`, id, tc.external); n != 1 {
					t.Errorf("%d ID conversions map the new product %d to its externalId, want 1", n, id)
				}
				if len(after["product"]) != len(before["product"])+1 {
					t.Errorf("%d products after, %d before; want one more", len(after["product"]), len(before["product"]))
				}
			})
		}
	})
}

// TestListArgumentsOutOfRangeAreValidationErrors: queries have no
// userErrors, so a limit or page out of range is a GraphQL error on the
// field, category "validation", naming the argument; the document ran, so
// the status is 200.
func TestListArgumentsOutOfRangeAreValidationErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		query string
		// path is the error's path; argument is the argument it names.
		path     []string
		argument string
		msg      string
	}{
		{`{ products(limit: 0) { id } }`, at("products"), "limit", "limit must be between 1 and 200, got 0."},
		{`{ products(limit: 201) { id } }`, at("products"), "limit", "limit must be between 1 and 200, got 201."},
		{`{ products(page: 0) { id } }`, at("products"), "page", "page is 1-based and must be between 1 and 1000000, got 0."},
		{`{ productVariants(page: -1) { id } }`, at("productVariants"), "page", "page is 1-based"},
		{`{ sizeCharts(limit: -5) { id } }`, at("sizeCharts"), "limit", "got -5."},
		{`{ warehouses(limit: 201) { id } }`, at("warehouses"), "limit", "got 201."},
		{`{ stockChanges(limit: 0) { id } }`, at("stockChanges"), "limit", "got 0."},
		{`{ pricelists(page: 0) { id } }`, at("pricelists"), "page", "got 0."},
		{`{ idConversions(limit: 1000) { id } }`, at("idConversions"), "limit", "got 1000."},
		{`{ pricelists(where: {id: [23]}) { id prices(limit: 0) { price { value } } } }`, at("pricelists", "0", "prices"), "limit", "got 0."},
		{`{ warehouses { id stock(page: 0) { physicalQuantity } } }`, at("warehouses", "0", "stock"), "page", "got 0."},
		{`{ apiTokens(limit: 201) { id } }`, at("apiTokens"), "limit", "limit must be between 1 and 200, got 201."},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		for _, tc := range cases {
			t.Run(tc.query, func(t *testing.T) {
				r := c.Do(tc.query, nil)
				if r.Status != http.StatusOK {
					t.Fatalf("status %d, want 200: %s", r.Status, r.Raw)
				}
				// A nested field fails once per parent object, in no fixed
				// order; check the one on the first parent.
				if len(r.Errors) == 0 {
					t.Fatalf("no errors; want one on %v", tc.path)
				}
				e := r.Errors[0]
				if i := slices.IndexFunc(r.Errors, func(e map[string]any) bool { return slices.Equal(jsonStrings(e["path"]), tc.path) }); i > 0 {
					e = r.Errors[i]
				}
				got := map[string]any{"path": jsonStrings(e["path"]), "category": gqltest.Get(e, "extensions", "category"),
					"argument": gqltest.Get(e, "extensions", "argument"), "names the argument": strings.Contains(fmt.Sprint(e["message"]), tc.argument)}
				want := map[string]any{"path": tc.path, "category": "validation", "argument": tc.argument, "names the argument": true}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("error %v (-want +got):\n%s", e, diff)
				}
				if msg := fmt.Sprint(e["message"]); !strings.Contains(msg, tc.msg) {
					t.Errorf("message %q lacks %q", msg, tc.msg)
				}
				for _, e := range r.Errors {
					if cat := gqltest.Get(e, "extensions", "category"); cat != "validation" {
						t.Errorf("error %v has category %v, want validation", e, cat)
					}
				}
				// The field is null; its parent, if any, stays.
				keys := make([]any, len(tc.path))
				for i, k := range tc.path {
					if n, err := strconv.Atoi(k); err == nil {
						keys[i] = n
					} else {
						keys[i] = k
					}
				}
				if v := gqltest.Get(r.Data, keys...); v != nil {
					t.Errorf("data.%v = %v, want null", tc.path, v)
				}
				if len(keys) > 1 && gqltest.Get(r.Data, keys[:len(keys)-1]...) == nil {
					t.Errorf("data.%v is null; only the field with the bad argument should be", tc.path[:len(tc.path)-1])
				}
			})
		}
	})
}

// TestEachMutationOfADocumentCommitsOnItsOwn: the mutations of one document
// run in order, each in its own transaction, so a refused mutation leaves
// the ones before it in place (and sees what they wrote) and changes
// nothing itself.
func TestEachMutationOfADocumentCommitsOnItsOwn(t *testing.T) {
	t.Parallel()
	type check struct {
		query string
		want  int64
	}
	// Each document has a mutation aliased kept, which succeeds, and one
	// aliased refused, which gets the userError at path saying msg.
	cases := []struct {
		name  string
		query string
		path  []string
		msg   string
		// changed are the tables kept writes to; checks hold there after.
		changed []string
		checks  []check
	}{
		{
			name: "a brand created before a refused product",
			query: `mutation {
				kept: createBrand(input: {name: "Kept brand"}) { brand { id } userErrors { path message } }
				refused: createProduct(input: {name: "Refused product", status: ACTIVE, productNumber: "R1", brand: {id: 999999}}) { product { id } userErrors { path message } }
			}`,
			path: at("input", "brand", "id"), msg: "Could not find Brand with ID 999999.",
			changed: []string{"brand"},
			checks: []check{
				{`SELECT COUNT(*) FROM brand WHERE name = 'Kept brand'`, 1},
				{`SELECT COUNT(*) FROM product WHERE name = 'Refused product'`, 0},
			},
		},
		{
			name: "a stock change after a refused price",
			query: `mutation {
				refused: setPrices(input: {pricelist: {id: 23}, productPrices: [{product: {id: 1}, price: {value: -1, currencyIsoCode: "EUR"}}]}) { pricelist { id } userErrors { path message } }
				kept: changeStock(input: {intoWarehouse: {id: 3}, description: "After", productSizes: [{productSize: {id: 100}, deliveredQuantity: 2}]}) { stockChange { id } userErrors { path message } }
			}`,
			path: at("input", "productPrices", "0", "price", "value"), msg: "Amounts must not be negative",
			changed: []string{"stock", "stock_change", "stock_change_line", "event", "counter"},
			checks: []check{
				{`SELECT physical FROM stock WHERE warehouse_id = 3 AND product_size_id = 100`, 2},
				{`SELECT price_minor FROM price WHERE pricelist_id = 23 AND product_id = 1 AND product_variant_id = 0`, 10000},
			},
		},
		{
			name: "a second take-out refused for want of what the first took",
			query: `mutation {
				kept: changeStock(input: {outFromWarehouse: {id: 1}, description: "First", productSizes: [{productSize: {id: 100}, deliveredQuantity: 2}]}) { stockChange { id } userErrors { path message } }
				refused: changeStock(input: {outFromWarehouse: {id: 1}, description: "Second", productSizes: [{productSize: {id: 100}, deliveredQuantity: 2}]}) { stockChange { id } userErrors { path message } }
			}`,
			path:    at("input", "productSizes", "0", "deliveredQuantity"),
			msg:     "Cannot take 2 of product size 100 out of warehouse 1: 1 free to allocate (3 physical, 2 allocated).",
			changed: []string{"stock", "stock_change", "stock_change_line", "event", "counter"},
			checks: []check{
				{`SELECT physical FROM stock WHERE warehouse_id = 1 AND product_size_id = 100`, 3},
				{`SELECT COUNT(*) FROM stock_change WHERE description = 'Second'`, 0},
			},
		},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		dbtest.Exec(t, d, inputFixture...)
		c := gqltest.New(t, d, "erp")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := dbtest.Snapshot(t, d)
				r := c.Do(tc.query, nil)
				if r.Status != http.StatusOK || len(r.Errors) > 0 {
					t.Fatalf("status %d, errors %v", r.Status, r.Errors)
				}
				if ue := r.UserErrors("kept"); len(ue) > 0 {
					t.Errorf("kept: userErrors %v, want none", ue)
				}
				if objects := payloadObjects(gqltest.Get(r.Data, "kept")); len(objects) == 0 || slices.Contains(objects, nil) {
					t.Errorf("kept = %v, want its object", gqltest.Get(r.Data, "kept"))
				}
				ue := r.UserErrors("refused")
				if len(ue) != 1 || !slices.Equal(jsonStrings(ue[0]["path"]), tc.path) || !strings.Contains(fmt.Sprint(ue[0]["message"]), tc.msg) {
					t.Errorf("refused: userErrors %v, want one at %v saying %q", ue, tc.path, tc.msg)
				}
				after := dbtest.Snapshot(t, d)
				// The audit log records the kept mutation (and only it:
				// TestMutationsThatSucceedAreAudited).
				ignore := cmpopts.IgnoreMapEntries(func(table string, _ []string) bool {
					return slices.Contains(tc.changed, table) || table == "audit_log"
				})
				if diff := cmp.Diff(before, after, ignore); diff != "" {
					t.Errorf("tables other than %v changed (-before +after):\n%s", tc.changed, diff)
				}
				for _, ch := range tc.checks {
					if got := dbtest.Int(t, d, ch.query); got != ch.want {
						t.Errorf("%s: got %d, want %d", ch.query, got, ch.want)
					}
				}
			})
		}
	})
}

// payloadObjects lists the values of a decoded JSON object but its userErrors
// and userWarnings.
func payloadObjects(v any) []any {
	m, _ := v.(map[string]any)
	var out []any
	for k, x := range m {
		if k != "userErrors" && k != "userWarnings" {
			out = append(out, x)
		}
	}
	return out
}

// TestMalformedInputNeverAnswers500 sends documents that parse but hold
// odd values: out-of-range and unreadable numbers, empty strings and the
// NUL character (which PostgreSQL cannot store), empty references, garbage
// cursors and dates, lists longer than a statement can bind. Whatever each
// answers, it is not
// a 500 and not an internal error (a panic recovered or an error hidden
// behind a request id).
func TestMalformedInputNeverAnswers500(t *testing.T) {
	t.Parallel()
	type doc struct {
		query string
		vars  map[string]any
	}
	ids, idList := make([]string, 70_000), make([]any, 70_000)
	for i := range ids {
		ids[i], idList[i] = fmt.Sprint(i+1), i+1
	}
	nameVar := `mutation ($s: String!) { createProduct(input: {name: $s, status: ACTIVE, productNumber: $s, externalId: $s}) { product { id } userErrors { path message } } }`
	docs := []doc{
		{query: `mutation { changeStock(input: {intoWarehouse: {id: 1}, description: "d", productSizes: [{productSize: {id: 100}, deliveredQuantity: 99999999999}]}) { userErrors { message } } }`},
		{query: `mutation { changeStock(input: {intoWarehouse: {id: 1}, description: "d", productSizes: [{productSize: {id: 100}, deliveredQuantity: -9223372036854775808}]}) { userErrors { message } } }`},
		{query: `mutation { setStock(input: {warehouse: {}, description: "", stockQuantityType: FREE_TO_ALLOCATE, productSizes: []}) { userErrors { message } } }`},
		{query: `mutation { changeStock(input: {description: "d"}) { stockChange { lines { productSize { id } } } userErrors { message } } }`},
		{query: `mutation { setPrices(input: {pricelist: {id: 23}, productPrices: [{product: {id: 1}, price: {value: 1e300, currencyIsoCode: "EUR"}}]}) { userErrors { message } } }`},
		{query: `mutation { setPrices(input: {pricelist: {id: 23}, productPrices: [{product: {id: 1}, price: {value: 92233720368547758.08, currencyIsoCode: "EUR"}}]}) { userErrors { message } } }`},
		{query: `mutation { setPrices(input: {pricelist: {id: 23}, productPrices: [{product: {id: 1}, price: {value: 92233720368547758, currencyIsoCode: "JPY"}}]}) { userErrors { message } } }`},
		{query: `mutation ($v: Float!) { setPrices(input: {pricelist: {id: 23}, productPrices: [{product: {id: 1}, price: {value: $v, currencyIsoCode: "EUR"}}]}) { userErrors { message } } }`,
			vars: map[string]any{"v": "NaN"}},
		{query: `mutation { setPrices(input: {pricelist: {id: 23}, productPrices: []}) { userErrors { message } } }`},
		{query: `mutation { setPricesBatch(input: []) { userErrors { message } } }`},
		{query: `mutation { createSizeChart(input: {name: "", horizontalLabels: [], verticalLabels: [""], dividerSymbol: ""}) { userErrors { message } } }`},
		{query: `mutation { createProductSize(input: {productVariant: {externalId: ""}, size: {name: ""}}) { userErrors { message } } }`},
		{query: `mutation { createPricelist(input: {name: " ", status: ACTIVE, currencyIsoCode: "", store: {}, addCountries: [{}, {code: ""}]}) { userErrors { message } } }`},
		{query: `mutation { setIdConversions(input: [{objectType: Product, internalId: -5, externalId: ""}]) { userErrors { message } } }`},
		{query: `mutation { unsetIdConversions(input: [{objectType: Product, idConversion: {}}]) { userErrors { message } } }`},
		{query: `mutation { updateProduct(id: -1, input: {}) { userErrors { message } } }`},
		{query: `mutation { updateSizeChart(id: 2, input: {horizontalLabels: []}) { userErrors { message } } }`},
		{query: `mutation { createPriceAlteration(input: {name: "A", status: ACTIVE, store: {id: 1}, startDate: "2024-13-45"}) { userErrors { message } } }`},
		{query: nameVar, vars: map[string]any{"s": "nul\x00byte"}},
		{query: `mutation { createProductVariant(input: {product: {externalId: "nul\u0000"}, name: "V", status: ACTIVE}) { userErrors { path message } } }`},
		{query: `{ products(where: {name: {contains: "nul\u0000"}}) { id } }`},
		// More ids than either engine binds in one statement (SQLite
		// 32766, PostgreSQL 65535).
		{query: `{ products(where: {id: [` + strings.Join(ids, ", ") + `]}) { id } }`},
		{query: `query ($ids: [Int!]) { products(where: {id: $ids}) { id } }`, vars: map[string]any{"ids": idList}},
		{query: nameVar, vars: map[string]any{"s": strings.Repeat("long ", 5000)}},
		{query: `{ product(id: 9223372036854775807) { id } }`},
		{query: `{ products(limit: 2147483648, page: 9223372036854775807) { id } }`},
		{query: `{ stockChangeConnection(first: 5, after: "not a cursor") { totalCount } }`},
		{query: `{ stockChangeConnection(first: 0, last: 0) { totalCount } }`},
		{query: `{ stockChanges(where: {createdAt: {from: "yesterday"}}) { id } }`},
		{query: `{ products(where: {name: {contains: "%_\\"}}) { id } }`},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		dbtest.Exec(t, d, inputFixture...)
		c := gqltest.New(t, d, "erp")
		for _, dc := range docs {
			r := c.Do(dc.query, dc.vars)
			if len(dc.query) > 200 {
				dc.query = dc.query[:200] + "…"
			}
			if r.Status == http.StatusInternalServerError {
				t.Errorf("status 500 for %s: %s", dc.query, r.Raw)
			}
			for _, e := range r.Errors {
				if gqltest.Get(e, "extensions", "category") == "internal" {
					t.Errorf("internal error for %s: %v", dc.query, e)
				}
			}
		}
	})
}
