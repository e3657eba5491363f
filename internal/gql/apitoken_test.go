package gql_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"seam/internal/auth"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
	"seam/internal/seam"
)

// TestApiTokensListsEveryKindAndRevokeApiTokenEndsAny: apiTokens shows
// Integration API tokens and Checkout API shared secrets with name, kind,
// created and last used; revokeApiToken ends either kind at once.
func TestApiTokensListsEveryKindAndRevokeApiTokenEndsAny(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		admin := gqltest.New(t, d, "ops")
		erpSecret := gqltest.NewToken(t, d, auth.NewToken{Name: "erp", Permissions: []string{"Product:read"}})
		webSecret, err := checkout.CreateSecret(ctx, d, "web")
		if err != nil {
			t.Fatal(err)
		}
		erp := admin.With(erpSecret)
		// The erp token is used once; the shared secret is used by a server.
		if r := erp.Do(`{ products { id } }`, nil); r.Status != http.StatusOK {
			t.Fatalf("erp token: %d %s", r.Status, r.Raw)
		}
		svc := checkout.New(d, nil)
		if _, err := svc.Authenticate(ctx, "", webSecret.Reveal(), false); err != nil {
			t.Fatal(err)
		}

		const list = `{ apiTokens { id kind name hint state createdAt lastUsedAt expiresAt revokedAt permissions storeId } }`
		r := admin.MustOK(list, nil)
		toks := gqltest.Get(r.Data, "apiTokens").([]any)
		byName := map[string]map[string]any{}
		for _, x := range toks {
			m := x.(map[string]any)
			byName[m["name"].(string)] = m
		}
		ops, e, web := byName["ops"], byName["erp"], byName["web"]
		if len(toks) != 3 || ops == nil || e == nil || web == nil {
			t.Fatalf("apiTokens %v; want ops, erp and web", toks)
		}
		if e["kind"] != "INTEGRATION_API" || e["state"] != "ACTIVE" || e["hint"] != erpSecret[len(erpSecret)-4:] ||
			len(e["permissions"].([]any)) != 1 || e["createdAt"] == nil || e["lastUsedAt"] == nil || !strings.HasPrefix(e["id"].(string), "integration:") {
			t.Errorf("erp token %v", e)
		}
		if web["kind"] != "CHECKOUT_API_SHARED_SECRET" || web["state"] != "ACTIVE" || web["lastUsedAt"] == nil || web["expiresAt"] != nil ||
			len(web["permissions"].([]any)) != 0 || web["id"] != "checkout-secret:1" {
			t.Errorf("shared secret %v", web)
		}
		if strings.Contains(string(r.Raw), erpSecret[8:]) || strings.Contains(string(r.Raw), webSecret.Reveal()[8:]) {
			t.Error("apiTokens shows a secret")
		}
		r = admin.MustOK(`{ apiTokens(where: {kind: [CHECKOUT_API_SHARED_SECRET]}) { name } }`, nil)
		if got := gqltest.Get(r.Data, "apiTokens").([]any); len(got) != 1 || got[0].(map[string]any)["name"] != "web" {
			t.Errorf("kind filter: %v", got)
		}

		// Without ApiToken:read the list is refused.
		if r := erp.Do(list, nil); len(r.Errors) == 0 || !strings.Contains(string(r.Raw), "ApiToken:read") {
			t.Errorf("a token without ApiToken:read listed tokens: %s", r.Raw)
		}

		const revoke = `mutation($id: String!) { revokeApiToken(input: {id: $id}) { apiToken { id state revokedAt } userErrors { message path } } }`
		for _, id := range []any{e["id"], web["id"]} {
			r := admin.MustOK(revoke, map[string]any{"id": id})
			if got := gqltest.Get(r.Data, "revokeApiToken", "apiToken").(map[string]any); got["state"] != "REVOKED" || got["revokedAt"] == nil {
				t.Errorf("revoke %v: %v", id, got)
			}
		}
		if r := erp.Do(`{ products { id } }`, nil); r.Status != http.StatusForbidden {
			t.Errorf("revoked erp token: status %d; want 403", r.Status)
		}
		if _, err := svc.Authenticate(ctx, "", webSecret.Reveal(), false); !errors.Is(err, seam.ErrUnauthenticated) {
			t.Errorf("revoked shared secret: %v; want unauthenticated", err)
		}
		// Again, or unknown, or not an id: a userError naming input.id.
		for _, id := range []string{web["id"].(string), "checkout-secret:99", "storefront:1", "abc"} {
			r := admin.Do(revoke, map[string]any{"id": id})
			if ue := r.UserErrors("revokeApiToken"); len(ue) != 1 || !strings.Contains(ue[0]["message"].(string), id) {
				t.Errorf("revoke %q: %s; want one userError naming it", id, r.Raw)
			}
		}
		// A token restricted to a store may not manage tokens.
		store1 := int64(1)
		dbtest.Exec(t, d, `INSERT INTO store (id, name, type) VALUES (1, 'Retail', 'DIRECT_TO_CONSUMER') ON CONFLICT DO NOTHING`)
		limited := admin.With(gqltest.NewToken(t, d, auth.NewToken{Name: "shop1", All: true, StoreID: &store1}))
		if r := limited.Do(list, nil); len(r.Errors) == 0 || !strings.Contains(string(r.Raw), "restricted to store 1") {
			t.Errorf("a store-restricted token listed tokens: %s", r.Raw)
		}
	})
}

// TestApiTokensPagesWithLimitAndPage: apiTokens returns 20 by default,
// pages with limit and a 1-based page after the filter, kind by kind,
// and refuses a limit over 200 with a clear error.
func TestApiTokensPagesWithLimitAndPage(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		admin := gqltest.New(t, d, "ops")
		want := []string{"ops"}
		for i := 1; i <= 21; i++ {
			name := fmt.Sprintf("t%02d", i)
			gqltest.NewToken(t, d, auth.NewToken{Name: name, Permissions: []string{"Product:read"}})
			want = append(want, name)
		}
		if _, err := checkout.CreateSecret(context.Background(), d, "web"); err != nil {
			t.Fatal(err)
		}
		want = append(want, "web")
		names := func(args string) []string {
			t.Helper()
			r := admin.MustOK(`{ apiTokens`+args+` { name } }`, nil)
			var out []string
			for _, x := range gqltest.Get(r.Data, "apiTokens").([]any) {
				out = append(out, x.(map[string]any)["name"].(string))
			}
			return out
		}
		for _, c := range []struct {
			args string
			want []string
		}{
			{"", want[:20]},
			{"(page: 2)", want[20:]},
			{"(limit: 5, page: 5)", want[20:]},
			{"(limit: 5, page: 6)", nil},
			{"(limit: 200)", want},
			{"(where: {kind: [INTEGRATION_API]}, limit: 3, page: 8)", want[21:22]},
			{"(where: {kind: [CHECKOUT_API_SHARED_SECRET]}, limit: 1)", []string{"web"}},
		} {
			if got := names(c.args); !slices.Equal(got, c.want) {
				t.Errorf("apiTokens%s = %v; want %v", c.args, got, c.want)
			}
		}
		for args, msg := range map[string]string{
			"(limit: 201)": "limit must be between 1 and 200, got 201",
			"(limit: 0)":   "limit must be between 1 and 200, got 0",
			"(page: 0)":    "page is 1-based",
		} {
			r := admin.Do(`{ apiTokens`+args+` { name } }`, nil)
			if len(r.Errors) == 0 || !strings.Contains(string(r.Raw), msg) {
				t.Errorf("apiTokens%s: %s; want an error saying %q", args, r.Raw, msg)
			}
		}
	})
}
