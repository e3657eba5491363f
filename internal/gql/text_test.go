package gql_test

import (
	"net/http"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

// TestNULAndInvalidUTF8AreRefusedBeforeTheyRun sends text that PostgreSQL
// cannot store, as a variable, as a literal (also inside a fragment) and as
// a body that is not UTF-8: both engines answer 400 naming where it is,
// and nothing is created.
func TestNULAndInvalidUTF8AreRefusedBeforeTheyRun(t *testing.T) {
	t.Parallel()
	const create = `mutation($name: String!) { createBrand(input: {name: $name}) { brand { id } userErrors { message } } }`
	tests := []struct {
		name, field string
		send        func(c *gqltest.Client) gqltest.Result
	}{
		{"variable", "variables.name", func(c *gqltest.Client) gqltest.Result {
			return c.Do(create, map[string]any{"name": "A\x00B"})
		}},
		{"nested variable", "variables.input.name", func(c *gqltest.Client) gqltest.Result {
			return c.Do(`mutation($input: BrandCreateInput!) { createBrand(input: $input) { userErrors { message } } }`,
				map[string]any{"input": map[string]any{"name": "\x00"}})
		}},
		{"literal", "createBrand(input).name", func(c *gqltest.Client) gqltest.Result {
			return c.Do(`mutation { createBrand(input: {name: "A\u0000B"}) { userErrors { message } } }`, nil)
		}},
		{"literal in a fragment", "brands(where).name.contains", func(c *gqltest.Client) gqltest.Result {
			return c.Do(`query { ...F } fragment F on Query { brands(where: {name: {contains: "\u0000"}}) { id } }`, nil)
		}},
		{"body not UTF-8", "body", func(c *gqltest.Client) gqltest.Result {
			return c.Post([]byte("{\"query\": \"mutation { createBrand(input: {name: \\\"\xff\\\"}) { userErrors { message } } }\"}"))
		}},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "erp")
		for _, tc := range tests {
			r := tc.send(c)
			if r.Status != http.StatusBadRequest || len(r.Errors) != 1 {
				t.Errorf("%s: status %d, errors %v, want 400 with one error", tc.name, r.Status, r.Errors)
				continue
			}
			if got := gqltest.Get(r.Errors[0], "extensions", "field"); got != tc.field {
				t.Errorf("%s: extensions.field %v, want %q (%v)", tc.name, got, tc.field, r.Errors[0]["message"])
			}
			if msg, _ := r.Errors[0]["message"].(string); !strings.Contains(msg, "NUL") && !strings.Contains(msg, "UTF-8") {
				t.Errorf("%s: message %q does not say what is wrong", tc.name, msg)
			}
		}
		r := c.MustOK(`{ brands { name } }`, nil)
		if n := len(gqltest.Get(r.Data, "brands").([]any)); n != 0 {
			t.Errorf("%d brands after refused creates, want 0", n)
		}
	})
}
