package gql_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
	"seam/internal/store"
)

func TestTokenIsAcceptedAsBearerOrCookie(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		query := `{"query":"{ countries(where: {code: [\"SE\"]}) { name } }"}`
		r := c.Post([]byte(query))
		if r.Status != http.StatusOK || gqltest.Get(r.Data, "countries", 0, "name") != "Sweden" {
			t.Fatalf("bearer: status %d, body %s", r.Status, r.Raw)
		}
		req, _ := http.NewRequest(http.MethodPost, c.URL+"/graphql", strings.NewReader(query))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: "graphql-access", Value: c.Token})
		r = c.Send(req)
		if r.Status != http.StatusOK || gqltest.Get(r.Data, "countries", 0, "name") != "Sweden" {
			t.Fatalf("cookie: status %d, body %s", r.Status, r.Raw)
		}
	})
}

func TestBadTokensGet403WithAJSONError(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := gqltest.New(t, d, "erp")
		revoked, tok, err := auth.Create(ctx, d, auth.NewToken{Name: "old", All: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.Revoke(ctx, d, tok.ID); err != nil {
			t.Fatal(err)
		}
		expired, _, err := auth.Create(ctx, d, auth.NewToken{Name: "short", All: true, Expires: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		tests := []struct {
			name, token, message string
		}{
			{"no token", "", "no token"},
			{"unknown token", "seam_it_doesnotexist", "unknown token"},
			{"revoked token", revoked.Reveal(), "was revoked"},
			{"expired token", expired.Reveal(), "expired at"},
		}
		for _, tt := range tests {
			r := c.With(tt.token).Do(`{ countries { name } }`, nil)
			if r.Status != http.StatusForbidden || len(r.Errors) != 1 || r.Data != nil {
				t.Errorf("%s: status %d, body %s; want 403 with one error and no data", tt.name, r.Status, r.Raw)
				continue
			}
			if msg, _ := r.Errors[0]["message"].(string); !strings.Contains(msg, tt.message) {
				t.Errorf("%s: message %q does not say %q", tt.name, msg, tt.message)
			}
			if r.Extensions["appVersion"] == nil {
				t.Errorf("%s: no extensions.appVersion", tt.name)
			}
		}
	})
}

func TestRequestsThatCannotRunGet400(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		tests := []struct {
			name, body, message string
		}{
			{"malformed JSON", `{"query": "{ countries { name } }"`, "not valid JSON"},
			{"no query", `{"variables": {}}`, "no query"},
			{"syntax error", `{"query": "{ countries { name }"}`, "Expected"},
			{"unknown field", `{"query": "{ countries { name population } }"}`, "population"},
			{"unknown argument", `{"query": "{ countries(colour: RED) { name } }"}`, "colour"},
			{"missing required argument", `{"query": "{ product { id } }"}`, "id"},
			{"missing required input field", `{"query": "mutation { createSizeChart(input: {name: \"x\"}) { userErrors { message } } }"}`, "horizontalLabels"},
			{"variable of the wrong type", `{"query": "query ($n: Int!) { products(limit: $n) { id } }", "variables": {"n": "many"}}`, "n"},
			{"non-integer variable", `{"query": "query ($n: Int!) { products(limit: $n) { id } }", "variables": {"n": 2.5}}`, "$n: 2.5 is not a valid Int"},
			{"non-integer in an input variable", `{"query": "mutation ($i: StockChangeInput!) { changeStock(input: $i) { userErrors { message } } }",
				"variables": {"i": {"description": "x", "productSizes": [{"productSize": {"id": 1}, "deliveredQuantity": 2.5}]}}}`, "$i.productSizes[0].deliveredQuantity: 2.5 is not a valid Int"},
			{"non-integer literal", `{"query": "{ products(limit: 2.5) { id } }"}`, "Int cannot represent non-integer value: 2.5"},
			{"unknown operation name", `{"query": "query a { countries { name } }", "operationName": "b"}`, "b"},
		}
		for _, tt := range tests {
			r := c.Post([]byte(tt.body))
			if r.Status != http.StatusBadRequest || len(r.Errors) == 0 {
				t.Errorf("%s: status %d, body %s; want 400 with errors", tt.name, r.Status, r.Raw)
				continue
			}
			if msg, _ := r.Errors[0]["message"].(string); !strings.Contains(msg, tt.message) {
				t.Errorf("%s: message %q does not mention %q", tt.name, msg, tt.message)
			}
			for _, k := range []string{"complexity", "permissionsUsed", "appVersion"} {
				if _, ok := r.Extensions[k]; !ok {
					t.Errorf("%s: extensions lack %s", tt.name, k)
				}
			}
		}
		req, _ := http.NewRequest(http.MethodGet, c.URL+"/graphql?query={countries{name}}", nil)
		req.Header.Set("Authorization", "Bearer "+c.Token)
		if r := c.Send(req); r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "POST" {
			t.Errorf("GET: status %d, Allow %q; want 405 and Allow: POST", r.Status, r.Header.Get("Allow"))
		}
	})
}

func TestMissingPermissionIsAnAuthorizationError(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		limited := c.With(gqltest.NewToken(t, d, auth.NewToken{Name: "pim", Permissions: []string{"Country:read", "SizeChart:write"}}))
		r := limited.Do(`{ countries(limit: 1) { name } product(id: 1) { id } }`, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("status %d; want 200 (the query ran)", r.Status)
		}
		if gqltest.Get(r.Data, "countries", 0, "name") == nil {
			t.Errorf("the permitted field did not resolve: %s", r.Raw)
		}
		if len(r.Errors) != 1 {
			t.Fatalf("errors %v; want one", r.Errors)
		}
		e := r.Errors[0]
		if e["message"] != "You need Product:read permission to access product." || gqltest.Get(e, "extensions", "category") != "authorization" {
			t.Errorf("error %v; want the Product:read message with category authorization", e)
		}
		if gqltest.Get(e, "path", 0) != "product" {
			t.Errorf("error path %v; want [product]", e["path"])
		}
		if used := r.Extensions["permissionsUsed"].([]any); len(used) != 1 || used[0] != "Country:read" {
			t.Errorf("permissionsUsed %v; want [Country:read]", used)
		}
		// A mutation whose payload the token may not read still runs; the
		// payload field is the one refused.
		r = limited.Do(`mutation { createSizeChart(input: {name: "Socks", horizontalLabels: ["36-40", "41-45"]}) { sizeChart { id } userErrors { message } } }`, nil)
		if gqltest.Get(r.Errors, 0, "message") != "You need SizeChart:read permission to access sizeChart." {
			t.Errorf("errors %v; want SizeChart:read refused", r.Errors)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM size_chart WHERE name = 'Socks'`); n != 1 {
			t.Errorf("%d Socks charts; the write permission should have let the mutation run", n)
		}
	})
}

func TestMutationsInOneDocumentRunInOrderAndSeeEachOther(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "pim")
		r := c.MustOK(`mutation {
			chart: createSizeChart(input: {name: "Shoes", horizontalLabels: ["40", "41"], externalId: "shoes"}) { sizeChart { id } userErrors { message } }
			product: createProduct(input: {name: "Runner", status: ACTIVE, productNumber: "R1", externalId: "runner"}) { product { id } userErrors { message } }
			variant: createProductVariant(input: {product: {externalId: "runner"}, name: "Red", status: ACTIVE, sizeChart: {externalId: "shoes"},
				productSizes: [{size: {externalId: "Shoes|41"}, EAN: "123"}], externalId: "runner-red"}) {
				productVariant { id product { externalId } productSizes { EAN size { name } } externalId } userErrors { message } }
		}`, nil)
		if gqltest.Get(r.Data, "variant", "productVariant", "product", "externalId") != "runner" ||
			gqltest.Get(r.Data, "variant", "productVariant", "productSizes", 0, "size", "name") != "41" ||
			gqltest.Get(r.Data, "variant", "productVariant", "externalId") != "runner-red" {
			t.Errorf("later mutations did not see earlier ones: %s", r.Raw)
		}
		if got := r.Extensions["complexity"].(float64); got < 3 {
			t.Errorf("complexity %v; want a count of the fields", got)
		}
	})
}

func TestRateLimitsAreSharedThroughTheDatabase(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		limits := auth.Limits{Requests10s: 3, RequestsHour: 100, Mutations10s: 100, MutationsHour: 100, Complexity10s: 100_000, ComplexityHour: 1_000_000}
		token := gqltest.NewToken(t, d, auth.NewToken{Name: "erp", All: true, Limits: &limits})
		// Two servers on one database stand for two Seam processes.
		a := gqltest.New(t, d, "other").With(token)
		b := gqltest.New(t, d, "other").With(token)
		for i, c := range []*gqltest.Client{a, b, a} {
			if r := c.Do(`{ countries(limit: 1) { id } }`, nil); r.Status != http.StatusOK {
				t.Fatalf("request %d: status %d", i+1, r.Status)
			}
		}
		r := b.Do(`{ countries(limit: 1) { id } }`, nil)
		if r.Status != http.StatusTooManyRequests {
			t.Fatalf("4th request in 10 s: status %d; want 429", r.Status)
		}
		at, err := http.ParseTime(r.Header.Get("Retry-After"))
		if err != nil || !at.After(time.Now()) || at.After(time.Now().Add(12*time.Second)) {
			t.Errorf("Retry-After %q (%v); want a time within the next 10 s", r.Header.Get("Retry-After"), err)
		}
		if msg, _ := gqltest.Get(r.Errors, 0, "message").(string); !strings.Contains(msg, "REQUEST_COUNT") {
			t.Errorf("429 message %q does not name the limit", msg)
		}
		// rateLimits costs nothing, so a throttled client can still ask.
		r = a.Do(`{ rateLimits { type intervalSeconds quota usedQuota remainingQuota } }`, nil)
		if r.Status != http.StatusOK || len(r.Data["rateLimits"].([]any)) != 6 {
			t.Fatalf("rateLimits while throttled: status %d, body %s; want 6 limits", r.Status, r.Raw)
		}
		if q := gqltest.Get(r.Data, "rateLimits", 0); gqltest.Get(q, "type") != "REQUEST_COUNT" || gqltest.Get(q, "intervalSeconds") != "TEN_SECONDS" ||
			gqltest.Get(q, "quota") != 3.0 || gqltest.Get(q, "usedQuota") != 3.0 || gqltest.Get(q, "remainingQuota") != 0.0 {
			t.Errorf("first limit %v; want REQUEST_COUNT/TEN_SECONDS quota 3, all 3 used", q)
		}
		buckets, err := store.Buckets(context.Background(), d.Scratch(), tokenID(t, d, "erp"))
		if err != nil || len(buckets) == 0 {
			t.Errorf("no rate limit rows in the database (%v)", err)
		}
	})
}

func TestAQueryCostlierThanAnyQuotaIsRefusedOutright(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		limits := auth.Limits{Requests10s: 100, Complexity10s: 50}
		c := gqltest.New(t, d, "x").With(gqltest.NewToken(t, d, auth.NewToken{Name: "erp", All: true, Limits: &limits}))
		r := c.Do(`{ products(limit: 200) { id name variants { id name } } }`, nil)
		if r.Status != http.StatusBadRequest {
			t.Fatalf("status %d, body %s; want 400: waiting cannot make it fit", r.Status, r.Raw)
		}
		if msg, _ := gqltest.Get(r.Errors, 0, "message").(string); !strings.Contains(msg, "QUERY_COMPLEXITY") {
			t.Errorf("message %q does not name the complexity limit", msg)
		}
	})
}

func tokenID(t *testing.T, d *db.DB, name string) int64 {
	t.Helper()
	return dbtest.Int(t, d, `SELECT id FROM api_token WHERE name = $1`, name)
}

func TestAuthorizationSchemeIsCaseInsensitiveAndOtherSchemesFallBackToTheCookie(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		body := `{"query":"{ countries(limit: 1) { id } }"}`
		for name, set := range map[string]func(*http.Request){
			"BEARER": func(r *http.Request) { r.Header.Set("Authorization", "BEARER "+c.Token) },
			"Basic from a proxy, token in the cookie": func(r *http.Request) {
				r.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
				r.AddCookie(&http.Cookie{Name: "graphql-access", Value: c.Token})
			},
		} {
			req, _ := http.NewRequest(http.MethodPost, c.URL+"/graphql", strings.NewReader(body))
			set(req)
			if r := c.Send(req); r.Status != http.StatusOK {
				t.Errorf("%s: status %d", name, r.Status)
			}
		}
	})
}

func TestARefusedFieldLeavesTheRestOfTheAnswer(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		limited := c.With(gqltest.NewToken(t, d, auth.NewToken{Name: "pim", Permissions: []string{"Product:read", "Brand:write", "Brand:read", "StockChange:write", "StockChange:read"}}))
		r := limited.Do(`{ products(where: {id: [1]}) { name variants { id } } }`, nil)
		if gqltest.Get(r.Data, "products", 0, "name") != "Base product" || gqltest.Get(r.Data, "products", 0, "variants") != nil || len(r.Errors) != 1 {
			t.Errorf("products without ProductVariant:read: %s", r.Raw)
		}
		r = limited.Do(`mutation { a: createBrand(input: {name: "Kept"}) { brand { name } userErrors { message } }
			b: createCollection(input: {name: "Refused"}) { collection { name } userErrors { message } } }`, nil)
		if gqltest.Get(r.Data, "a", "brand", "name") != "Kept" || r.Data["b"] != nil {
			t.Errorf("a refused second mutation hid the first one's answer: %s", r.Raw)
		}
		// StockChange:read also grants Centra's old WarehouseDelivery:read.
		r = limited.Do(`mutation { changeStock(input: {intoWarehouse: {id: 1}, description: "in", productSizes: [{productSize: {id: 100}, deliveredQuantity: 1}]}) {
			stockChange { id } userErrors { message } } }`, nil)
		if gqltest.Get(r.Data, "changeStock", "stockChange", "id") == nil || len(r.Errors) > 0 {
			t.Errorf("stockChange with StockChange:read: %s", r.Raw)
		}
	})
}
