package gql_test

import (
	"net/http"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

// TestUpdateMutationsChangeOnlyWhatTheyName runs each update mutation and
// checks the change and that the fields it did not name stayed.
func TestUpdateMutationsChangeOnlyWhatTheyName(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		steps := []struct {
			name, query string
			check       string
			want        int64
		}{
			{"rename a product, keep its number",
				`mutation { updateProduct(id: 1, input: {name: "Renamed", brand: {id: 1}}) { product { name productNumber brand { name } } userErrors { message } } }`,
				`SELECT COUNT(*) FROM product WHERE id = 1 AND name = 'Renamed' AND product_number = 'P1' AND brand_id = 1`, 1},
			{"add a variant through updateProduct",
				`mutation { updateProduct(id: 1, input: {addProductVariants: [{name: "Green", status: ACTIVE, sizeChart: {id: 3}}]}) { product { variants { name } } userErrors { message } } }`,
				`SELECT COUNT(*) FROM product_variant WHERE product_id = 1 AND name = 'Green' AND size_chart_id = 3`, 1},
			{"activate more sizes through updateProductVariant",
				`mutation { updateProductVariant(id: 2, input: {variantNumber: "V2", productSizes: [{size: {name: "M"}, EAN: "222"}, {size: {name: "L"}}]}) { productVariant { productSizes { size { name } } } userErrors { message } } }`,
				`SELECT COUNT(*) FROM product_size ps JOIN product_variant v ON v.id = ps.product_variant_id WHERE v.id = 2 AND v.variant_number = 'V2' AND v.name = 'Apparel variant'`, 3},
			{"change a product size's EAN, keep its size",
				`mutation { updateProductSize(id: 100, input: {EAN: "7350000000000", sizeNumber: "S1"}) { productSize { EAN SKU } userErrors { message } } }`,
				`SELECT COUNT(*) FROM product_size WHERE id = 100 AND ean = '7350000000000' AND size_number = 'S1' AND size_id = 3`, 1},
			{"add a label to a size chart",
				`mutation { updateSizeChart(id: 3, input: {horizontalLabels: ["S", "M", "L", "XL"]}) { sizeChart { sizes { name } } userErrors { message } } }`,
				`SELECT COUNT(*) FROM size WHERE size_chart_id = 3`, 4},
			{"move a warehouse first in allocation order",
				`mutation { updateWarehouse(id: 3, input: {beforeWarehouse: {id: 1}, threshold: 2}) { warehouse { priority } userErrors { message } } }`,
				`SELECT COUNT(*) FROM warehouse w, warehouse m WHERE w.id = 3 AND m.id = 1 AND w.priority < m.priority AND w.threshold = 2 AND w.name = 'Second'`, 1},
			{"give a pricelist countries, then take one away",
				`mutation { a: updatePricelist(id: 23, input: {addCountries: [{code: "DE"}, {code: "AT"}]}) { userErrors { message } }
					b: updatePricelist(id: 23, input: {removeCountries: [{code: "AT"}], comment: "Euro"}) { pricelist { assignedToCountries { code } } userErrors { message } } }`,
				`SELECT COUNT(*) FROM pricelist_country pc JOIN country c ON c.id = pc.country_id JOIN pricelist p ON p.id = pc.pricelist_id
					WHERE pc.pricelist_id = 23 AND c.code = 'DE' AND p.comment = 'Euro' AND p.currency = 'EUR'`, 1},
			{"rename a display and drop its variant",
				`mutation { a: updateDisplay(id: 2276, input: {addProductVariants: [{productVariant: {id: 1446}}, {productVariant: {id: 1545}}]}) { userErrors { message } }
					b: updateDisplay(id: 2276, input: {name: "Renamed display", removeProductVariants: [{id: 1446}], tags: ["new"]}) { display { name uri tags productVariants { id } } userErrors { message } } }`,
				`SELECT COUNT(*) FROM display d JOIN display_variant dv ON dv.display_id = d.id WHERE d.id = 2276 AND d.name = 'Renamed display' AND d.uri = 'second-product' AND dv.product_variant_id = 1545`, 1},
			{"an empty uri makes a new one from the name",
				`mutation { updateDisplay(id: 2276, input: {uri: ""}) { display { uri } userErrors { message } } }`,
				`SELECT COUNT(*) FROM display WHERE id = 2276 AND uri = 'renamed-display'`, 1},
			{"activate a price alteration",
				`mutation { updatePriceAlteration(id: 1, input: {status: ACTIVE, endDate: "2025-01-31"}) { priceAlteration { status endDate } userErrors { message } } }`,
				`SELECT COUNT(*) FROM price_alteration WHERE id = 1 AND status = 'ACTIVE' AND end_date IS NOT NULL`, 1},
		}
		for _, s := range steps {
			c.MustOK(s.query, nil)
			if got := dbtest.Int(t, d, s.check); got != s.want {
				t.Errorf("%s: check gave %d, want %d", s.name, got, s.want)
			}
		}
		// A second active price alteration in the same store is refused.
		r := c.Do(`mutation { createPriceAlteration(input: {name: "Second", status: ACTIVE, store: {id: 2}, startDate: "2025-02-01"}) { userErrors { message path } } }`, nil)
		if ue := r.UserErrors("createPriceAlteration"); len(ue) != 1 || gqltest.Get(ue[0], "path", 1) != "status" {
			t.Errorf("second active alteration: %s", r.Raw)
		}
		// A variant's size chart is set once.
		r = c.Do(`mutation { updateProductVariant(id: 2, input: {sizeChart: {id: 3}}) { userErrors { message path } } }`, nil)
		if ue := r.UserErrors("updateProductVariant"); len(ue) != 1 {
			t.Errorf("changing a size chart: %s", r.Raw)
		}
	})
}

func TestEmptyReferenceClearsAndUsedExternalIDIsRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		c.MustOK(`mutation { updateProduct(id: 1, input: {brand: {id: 1}, folder: {id: 1}, countryOfOrigin: {code: "SE"}}) { userErrors { message } } }`, nil)
		r := c.MustOK(`mutation { updateProduct(id: 1, input: {brand: {id: null}, countryOfOrigin: {}}) { product { brand { name } folder { name } countryOfOrigin { code } } userErrors { message } } }`, nil)
		if p := gqltest.Get(r.Data, "updateProduct", "product"); gqltest.Get(p, "brand") != nil || gqltest.Get(p, "countryOfOrigin") != nil || gqltest.Get(p, "folder", "name") != "Shop" {
			t.Errorf("{id: null} should clear brand and {} the country, and keep the folder: %v", p)
		}
		c.MustOK(`mutation { createBrand(input: {name: "Acme", externalId: "acme"}) { userErrors { message } } }`, nil)
		r = c.Do(`mutation { createBrand(input: {name: "Acme again", externalId: "acme"}) { brand { id } userErrors { message path } } }`, nil)
		if ue := r.UserErrors("createBrand"); len(ue) != 1 || gqltest.Get(ue[0], "path", 1) != "externalId" {
			t.Errorf("a second create with a used externalId: %s", r.Raw)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM brand WHERE name LIKE 'Acme%'`); n != 1 {
			t.Errorf("%d Acme brands; the retried create must not make a second", n)
		}
		// Re-assigning the same externalId to the object it names is fine.
		c.MustOK(`mutation { updateProduct(id: 1, input: {externalId: "p1"}) { userErrors { message } } }`, nil)
		c.MustOK(`mutation { updateProduct(id: 1, input: {externalId: "p1", name: "Same"}) { userErrors { message } } }`, nil)
	})
}

func TestOversizedNumbersAreUserErrorsOnBothEngines(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		for mutation, query := range map[string]string{
			"createCategory":  `mutation { createCategory(input: {store: {id: 1}, name: "Big", sortOrder: 3000000000}) { userErrors { path } } }`,
			"createDisplay":   `mutation { createDisplay(input: {store: {id: 1}, product: {id: 1}, name: "Big", status: ACTIVE, minimumOrderQuantity: 3000000000}) { userErrors { path } } }`,
			"updateWarehouse": `mutation { updateWarehouse(id: 1, input: {threshold: 3000000000}) { userErrors { path } } }`,
		} {
			r := c.Do(query, nil)
			if r.Status != http.StatusOK || len(r.Errors) > 0 || len(r.UserErrors(mutation)) != 1 {
				t.Errorf("%s with 3000000000: %s", mutation, r.Raw)
			}
		}
	})
}
