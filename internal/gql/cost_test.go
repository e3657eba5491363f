package gql_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

// nested is { products(limit: 1) { variants { product { variants { … id } } } } }
// with depth levels of fields.
func nested(depth int) string {
	var b strings.Builder
	b.WriteString("{ products(limit: 1) { ")
	for i := 1; i < depth-1; i++ {
		if i%2 == 1 {
			b.WriteString("variants { ")
		} else {
			b.WriteString("product { ")
		}
	}
	b.WriteString("id")
	b.WriteString(strings.Repeat(" }", depth))
	return b.String()
}

// fragmentBomb is { ...F0 } where each fragment spreads the next twice,
// 2^levels __typename fields once expanded.
func fragmentBomb(levels int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { __typename }\n", levels)
	return b.String()
}

func TestADeeplyNestedQueryIsRefusedBeforeItRunsAndCharged(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		limits := auth.Limits{Requests10s: 2, Complexity10s: 150_000}
		c := gqltest.New(t, d, "x").With(gqltest.NewToken(t, d, auth.NewToken{Name: "erp",
			Permissions: []string{"Product:read", "ProductVariant:read"}, Limits: &limits}))
		for i := range 2 {
			r := c.Do(nested(200), nil)
			if r.Status != http.StatusBadRequest || r.Data != nil {
				t.Fatalf("request %d: status %d, body %.300s; want 400 without data", i+1, r.Status, r.Raw)
			}
			msg, _ := gqltest.Get(r.Errors, 0, "message").(string)
			if !strings.Contains(msg, "200 deep, 185 over the maximum depth of 15") {
				t.Errorf("message %q does not say how deep and by how much", msg)
			}
		}
		// Both refusals were charged: the third request is over the limit.
		if r := c.Do(`{ products(limit: 1) { id } }`, nil); r.Status != http.StatusTooManyRequests {
			t.Errorf("after two refused queries: status %d; want 429 (refusals are charged)", r.Status)
		}
	})
}

func TestNestedListsMultiplyTheirCost(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		tests := []struct {
			name, query string
			want        float64
		}{
			// 1 + 3 × (id 1 + variants (1 + 5 × (id 1)))
			{"limit times children", `{ products(limit: 3) { id variants { id } } }`, 1 + 3*(1+1+5*1)},
			{"a fragment costs what it expands to", `{ products(limit: 3) { ...P } } fragment P on Product { id variants { id } }`, 1 + 3*(1+1+5*1)},
			{"the default limit", `{ products { id } }`, 1 + 20*1},
			{"a limit in a variable", `query ($n: Int) { products(limit: $n) { id } }`, 1 + 7*1},
			// variants × product × variants: 1 + 1 × (1 + 5 × (1 + 1 × (1 + 5 × 1)))
			{"nested lists", nested(5), 1 + 1*(1+5*(1+1*(1+5*1)))},
			{"nothing but __typename costs 1", `{ __typename }`, 1},
		}
		for _, tt := range tests {
			r := c.Do(tt.query, map[string]any{"n": 7})
			if r.Status != http.StatusOK {
				t.Errorf("%s: status %d, body %s", tt.name, r.Status, r.Raw)
				continue
			}
			if got := r.Extensions["complexity"]; got != tt.want {
				t.Errorf("%s: complexity %v; want %v", tt.name, got, tt.want)
			}
		}
	})
}

func TestAFragmentBombIsRefusedAndCharged(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		limits := auth.Limits{Requests10s: 2, Complexity10s: 150_000}
		c := gqltest.New(t, d, "x").With(gqltest.NewToken(t, d, auth.NewToken{Name: "erp", All: true, Limits: &limits}))
		for i := range 2 {
			r := c.Do(fragmentBomb(24), nil)
			if r.Status != http.StatusBadRequest || r.Data != nil {
				t.Fatalf("request %d: status %d, body %.300s; want 400", i+1, r.Status, r.Raw)
			}
			msg, _ := gqltest.Get(r.Errors, 0, "message").(string)
			// 2^24 __typename fields.
			if want := "QUERY_COMPLEXITY is 16777216, 16627216 over the limit of 150000"; !strings.Contains(msg, want) {
				t.Errorf("message %q does not say %q", msg, want)
			}
		}
		if r := c.Do(`{ __typename }`, nil); r.Status != http.StatusTooManyRequests {
			t.Errorf("after two refused bombs: status %d; want 429 (refusals are charged)", r.Status)
		}
	})
}

func TestATokenWithoutQuotaStillHasAPerRequestLimit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		r := c.Do(fragmentBomb(40), nil)
		if r.Status != http.StatusBadRequest {
			t.Fatalf("status %d, body %.300s; want 400", r.Status, r.Raw)
		}
		if msg, _ := gqltest.Get(r.Errors, 0, "message").(string); !strings.Contains(msg, "over the limit of 1000000 per request") {
			t.Errorf("message %q does not name the per-request limit", msg)
		}
	})
}

func TestARealisticCatalogExportFitsCentrasDefaultQuota(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		limits := auth.DefaultLimits()
		c := gqltest.New(t, d, "x").With(gqltest.NewToken(t, d, auth.NewToken{Name: "erp", All: true, Limits: &limits}))
		r := c.Do(`{ products(limit: 200) { id name status productNumber
			variants { id name status variantNumber
				productSizes { id EAN SKU sizeNumber size { name } }
				prices { pricelist { id name } price { value currency { code } } } } } }`, nil)
		if r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("status %d, body %.500s; want 200", r.Status, r.Raw)
		}
		if got := r.Extensions["complexity"].(float64); got < 200*10 || got > 150_000 {
			t.Errorf("complexity %v; want at least 10 per product and within 150,000", got)
		}
	})
}

func TestInputOfTheWrongTypeIs400(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		long := strings.Repeat("x", 201)
		tests := []struct {
			name, query string
			vars        map[string]any
			message     string
		}{
			{"object for an Int", `{ products(limit: {}) { id } }`, nil, "products(limit:): {} is not a valid Int"},
			{"object for a String", `{ products(where: {name: {contains: {}}}) { id } }`, nil, "is not a valid String"},
			{"search over 200 characters", `{ products(where: {name: {contains: "` + long + `"}}) { id } }`, nil, "201 characters; at most 200"},
			{"search over 200 characters in a variable", `query ($w: ProductFilter) { products(where: $w) { id } }`,
				map[string]any{"w": map[string]any{"name": map[string]any{"contains": strings.Repeat("é", 50_000)}}}, "50000 characters; at most 200"},
		}
		for _, tt := range tests {
			r := c.Do(tt.query, tt.vars)
			if r.Status != http.StatusBadRequest || r.Data != nil {
				t.Errorf("%s: status %d, body %.300s; want 400", tt.name, r.Status, r.Raw)
				continue
			}
			if msg, _ := gqltest.Get(r.Errors, 0, "message").(string); !strings.Contains(msg, tt.message) {
				t.Errorf("%s: message %q does not say %q", tt.name, msg, tt.message)
			}
		}
		if r := c.Do(`{ products(where: {name: {contains: "`+strings.Repeat("x", 200)+`"}}) { id } }`, nil); r.Status != http.StatusOK {
			t.Errorf("a search of 200 characters: status %d, body %s; want 200", r.Status, r.Raw)
		}
	})
}
