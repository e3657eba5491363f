package gql_test

import (
	"strconv"
	"strings"
	"testing"

	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

// TestReadPermissionDoesNotGrantWrite: a token with Brand:read calling
// createBrand gets the Brand:write authorization error and creates nothing.
func TestReadPermissionDoesNotGrantWrite(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		reader := c.With(gqltest.NewToken(t, d, auth.NewToken{Name: "pim", Permissions: []string{"Brand:read"}}))
		before := dbtest.Int(t, d, `SELECT COUNT(*) FROM brand`)
		r := reader.Do(`mutation { createBrand(input: {name: "Sneaked in"}) { brand { id } userErrors { message } } }`, nil)
		if r.Data["createBrand"] != nil || len(r.Errors) != 1 {
			t.Fatalf("createBrand with only Brand:read: %s", r.Raw)
		}
		e := r.Errors[0]
		ext, _ := e["extensions"].(map[string]any)
		if msg, _ := e["message"].(string); !strings.Contains(msg, "Brand:write") || ext["category"] != "authorization" {
			t.Errorf("the refusal should name Brand:write with category authorization: %v", e)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM brand`); n != before {
			t.Errorf("brands %d after the refused mutation, want %d", n, before)
		}
		// The same token still reads.
		if r := reader.Do(`{ brands { id } }`, nil); len(r.Errors) != 0 {
			t.Errorf("brands with Brand:read: %s", r.Raw)
		}
	})
}

// TestOrderByIDKeepsToTheTokensStore: a token restricted to another store
// asking for an order by its id, number or hash gets null and an error.
func TestOrderByIDKeepsToTheTokensStore(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		o := placeDemoOrder(t, d)
		c := gqltest.New(t, d, "erp")
		dbtest.Exec(t, d, `INSERT INTO store (id, name, type) VALUES (999, 'Other', 'DIRECT_TO_CONSUMER')`)
		other := c.With(gqltest.NewToken(t, d, auth.NewToken{Name: "other", All: true, StoreID: ptr(int64(999))}))
		own := c.With(gqltest.NewToken(t, d, auth.NewToken{Name: "own", All: true, StoreID: ptr(o.StoreID)}))
		for _, id := range []string{o.Hash, strconv.FormatInt(o.Number, 10)} {
			r := other.Do(`query($id: String!) { order(id: $id) { id number } }`, map[string]any{"id": id})
			if r.Data["order"] != nil || len(r.Errors) != 1 {
				t.Errorf("order(id: %q) with a token of store 999: %s", id, r.Raw)
			}
			r = own.Do(`query($id: String!) { order(id: $id) { id } }`, map[string]any{"id": id})
			if gqltest.Get(r.Data, "order", "id") != o.Hash {
				t.Errorf("order(id: %q) with a token of the order's store: %s", id, r.Raw)
			}
		}
	})
}
