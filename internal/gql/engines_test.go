package gql_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

// TestTextFiltersAndSortsAgreeOnBothEngines: contains folds case for all
// of Unicode and takes % and _ literally; sorting puts NULLs first going
// up and orders text by bytes, on SQLite as on PostgreSQL.
func TestTextFiltersAndSortsAgreeOnBothEngines(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		for i, name := range []string{"Äpfelbaum", "apple_pie", "Zebra", "Ålesund"} {
			c.MustOK(fmt.Sprintf(`mutation { createProduct(input: {name: %q, status: ACTIVE, productNumber: "N%d",
				addProductVariants: [{name: "V", status: ACTIVE}, {name: "W", status: ACTIVE, variantNumber: "1"}]}) { userErrors { message } } }`, name, i), nil)
		}
		names := func(query string) []string {
			var out []string
			for _, p := range c.MustOK(query, nil).Data["products"].([]any) {
				out = append(out, p.(map[string]any)["name"].(string))
			}
			return out
		}
		tests := []struct {
			query string
			want  []string
		}{
			{`{ products(where: {name: {contains: "äPFEL"}}) { name } }`, []string{"Äpfelbaum"}},
			{`{ products(where: {name: {contains: "_"}}) { name } }`, []string{"apple_pie"}},
			{`{ products(where: {name: {contains: "%"}}) { name } }`, nil},
			{`{ products(sort: [name_ASC]) { name } }`, []string{"Zebra", "apple_pie", "Äpfelbaum", "Ålesund"}},
		}
		for _, tt := range tests {
			if diff := cmp.Diff(tt.want, names(tt.query)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.query, diff)
			}
		}
		r := c.MustOK(`{ productVariants(sort: [variantNumber_ASC], limit: 2) { variantNumber } }`, nil)
		if gqltest.Get(r.Data, "productVariants", 0, "variantNumber") != nil {
			t.Errorf("NULL variant numbers should come first going up: %s", r.Raw)
		}
		r = c.MustOK(`{ productVariants(sort: [variantNumber_DESC], limit: 1) { variantNumber } }`, nil)
		if gqltest.Get(r.Data, "productVariants", 0, "variantNumber") != "1" {
			t.Errorf("NULL variant numbers should come last going down: %s", r.Raw)
		}
	})
}

// TestConcurrentUpdatesOfOneRowKeepBothChanges: two updates of different
// fields of one product at once both stay (the row is locked on
// PostgreSQL; SQLite has one writer).
func TestConcurrentUpdatesOfOneRowKeepBothChanges(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		c.HTTP.Transport.(*http.Transport).MaxIdleConnsPerHost = 10
		for round := range 20 {
			var wg sync.WaitGroup
			for _, field := range []string{"name", "internalComment"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c.MustOK(fmt.Sprintf(`mutation { updateProduct(id: 2, input: {%s: "%s %d"}) { userErrors { message } } }`, field, field, round), nil)
				}()
			}
			wg.Wait()
			r := c.MustOK(`{ product(id: 2) { name internalComment } }`, nil)
			if gqltest.Get(r.Data, "product", "name") != fmt.Sprintf("name %d", round) || gqltest.Get(r.Data, "product", "internalComment") != fmt.Sprintf("internalComment %d", round) {
				t.Fatalf("round %d lost an update: %s", round, r.Raw)
			}
		}
	})
}

// TestConcurrentIDConversionsNeverFail: writers racing for one external id
// all succeed (a unique-key clash retries the transaction) and the last one
// wins.
func TestConcurrentIDConversionsNeverFail(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		c.HTTP.Transport.(*http.Transport).MaxIdleConnsPerHost = 10
		var wg sync.WaitGroup
		for _, id := range []int{1, 2, 67, 1293, 1, 2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.MustOK(fmt.Sprintf(`mutation { setIdConversions(input: [{objectType: Product, internalId: %d, externalId: "shared"}]) { userErrors { message } } }`, id), nil)
			}()
		}
		wg.Wait()
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM id_conversion WHERE external_id = 'shared'`); n != 1 {
			t.Errorf("%d mappings of 'shared'; want exactly one", n)
		}
	})
}
