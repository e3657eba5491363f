package gql_test

import (
	"strconv"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

func TestUpdateCategory(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		create := func(name string, parent int64) int64 {
			p := "null"
			if parent != 0 {
				p = "{id: " + strconv.FormatInt(parent, 10) + "}"
			}
			r := c.MustOK(`mutation { createCategory(input: {store: {id: 1}, name: "`+name+`", parent: `+p+`}) { category { id } } }`, nil)
			return gqltest.ID(r.Data, "createCategory", "category", "id")
		}
		women := create("Women", 0)
		shoes := create("Shoes", women)
		boots := create("Boots", shoes)
		men := create("Men", 0)

		r := c.MustOK(`mutation { updateCategory(id: `+itoa64(shoes)+`, input: {name: "Footwear", parent: {id: `+itoa64(men)+`}, sortOrder: 2, status: INACTIVE}) {
			userErrors { message } category { name uri status sortOrder parent { id } } } }`, nil)
		cat := gqltest.Get(r.Data, "updateCategory", "category")
		if gqltest.Get(cat, "name") != "Footwear" || gqltest.Get(cat, "uri") != "shoes" || gqltest.Get(cat, "status") != "INACTIVE" ||
			gqltest.Get(cat, "sortOrder") != 2.0 || gqltest.ID(cat, "parent", "id") != men {
			t.Errorf("moved and renamed category: %v (the URI stays unless given)", cat)
		}
		r = c.MustOK(`mutation { updateCategory(id: `+itoa64(shoes)+`, input: {parent: {}, uri: "Foot Wear"}) { category { uri parent { id } } } }`, nil)
		if gqltest.Get(r.Data, "updateCategory", "category", "parent") != nil || gqltest.Get(r.Data, "updateCategory", "category", "uri") != "foot-wear" {
			t.Errorf("parent {} makes a top category with the new URI: %v", r.Data)
		}
		create("Sale", 0)

		tests := []struct{ name, input, message string }{
			{"under itself", `{parent: {id: ` + itoa64(shoes) + `}}`, "under itself or one of its own subcategories"},
			{"under its child", `{parent: {id: ` + itoa64(boots) + `}}`, "under itself or one of its own subcategories"},
			{"sibling URI", `{uri: "sale"}`, "already has the URI"},
			{"empty name", `{name: ""}`, "name"},
			{"unknown parent", `{parent: {id: 9999}}`, "9999"},
		}
		for _, tc := range tests {
			r := c.Do(`mutation { updateCategory(id: `+itoa64(shoes)+`, input: `+tc.input+`) { userErrors { message path } } }`, nil)
			ue := r.UserErrors("updateCategory")
			if len(ue) == 0 || !strings.Contains(ue[0]["message"].(string), tc.message) {
				t.Errorf("%s: userErrors %v, want one mentioning %q (%s)", tc.name, ue, tc.message, r.Raw)
			}
		}
		r = c.Do(`mutation { updateCategory(id: 424242, input: {name: "x"}) { userErrors { message path } } }`, nil)
		if ue := r.UserErrors("updateCategory"); len(ue) != 1 || !strings.Contains(ue[0]["message"].(string), "Could not find Category with ID 424242") {
			t.Errorf("unknown category: %v", ue)
		}
		if got := dbtest.String(t, d, `SELECT name FROM category WHERE id = `+itoa64(shoes)); got != "Footwear" {
			t.Errorf("rejected updates changed the category: name %q", got)
		}
	})
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
