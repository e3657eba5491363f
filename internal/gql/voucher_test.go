package gql_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
	"seam/internal/voucher"
)

// TestSeedVoucherDocumentRunsAsWritten runs seed 003's "Vouchers" document
// and compares the response with the seed's.
func TestSeedVoucherDocumentRunsAsWritten(t *testing.T) {
	t.Parallel()
	query, err := os.ReadFile("testdata/seed-vouchers/create_voucher.graphql")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/seed-vouchers/create_voucher.response.json")
	if err != nil {
		t.Fatal(err)
	}
	// Centra read "2024-04-01 11:22" in its server's zone (+02:00); Seam
	// reads times without an offset as UTC. Same wall time, stated offset.
	want := strings.ReplaceAll(string(raw), ":00+02:00", ":00+00:00")
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		dbtest.Exec(t, d, `INSERT INTO market (id, store_id, name) VALUES (1, 1, 'A')`)
		c := gqltest.New(t, d, "erp")
		r := c.MustOK(string(query), nil)
		missing, err := gqltest.MissingFields(gqltest.Schema(), string(query), r.Data)
		if err != nil || len(missing) > 0 {
			t.Errorf("response lacks fields %v (%v)", missing, err)
		}
		compareWithSeed(t, "create_voucher", []byte(want), r)

		// The code is stored only as a hash; it matches in any case.
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM voucher WHERE code_hash = '`+hashCode(t, d, "UNIQUECODE")+`' AND code_hint = 'ODE'`); n != 1 {
			t.Errorf("vouchers stored with the hash of the code: %d, want 1", n)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM voucher WHERE code_hash LIKE '%uniqueCode%' OR code_hint LIKE '%uniqueCode%'`); n != 0 {
			t.Errorf("the plain code is stored")
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM voucher_action a JOIN voucher v ON v.id = a.voucher_id
			WHERE v.name = 'Awesome code discount' AND ((a.result_type = 'CHANGE_SELECTED_PRODUCTS_PRICE' AND a.percent_off = '12' AND a.apply_on = 'ORDER')
			OR (a.result_type = 'SET_FREE_SHIPPING' AND a.shipping_option_ids = '["1"]'))`); n != 2 {
			t.Errorf("stored actions matching the document: %d, want 2", n)
		}
	})
}

func TestVoucherCodeIsShownOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		c := gqltest.New(t, d, "erp")
		create := `mutation($code: String) { createVoucher(input: {name: "Ten", status: ACTIVE, startAt: "2024-01-01", stopAt: "2030-01-01",
			method: CODE, code: $code, type: DISCOUNT, entryPointStrategy: APPLY_ALL_THAT_APPLY, store: {id: 1},
			actions: [{result: {selectedProducts: {discount: {amountOff: {value: 10, currencyIsoCode: "EUR"}}}}}]}) {
			userErrors { message path } voucher { id code codeHint actions { result { type applyOn percentOff amountOff { value currency { code } } } } } } }`
		r := c.MustOK(create, map[string]any{"code": nil})
		code, _ := gqltest.Get(r.Data, "createVoucher", "voucher", "code").(string)
		if len(code) != 12 {
			t.Fatalf("a voucher without a code gets a random 12-character one, got %q", code)
		}
		if hint := gqltest.Get(r.Data, "createVoucher", "voucher", "codeHint"); hint != code[8:] {
			t.Errorf("codeHint = %v, want %q", hint, code[8:])
		}
		if got := gqltest.Get(r.Data, "createVoucher", "voucher", "actions", 0, "result", "amountOff", "value"); got != 10.0 {
			t.Errorf("amountOff = %v, want 10", got)
		}
		id := gqltest.ID(r.Data, "createVoucher", "voucher", "id")

		r = c.MustOK(`{ vouchers(where: {id: [`+strconv.FormatInt(id, 10)+`]}) { code codeHint usages } }`, nil)
		if got := gqltest.Get(r.Data, "vouchers", 0, "code"); got != nil {
			t.Errorf("a later read shows the code %v; it must be null", got)
		}
		if got := gqltest.Get(r.Data, "vouchers", 0, "codeHint"); got != code[8:] {
			t.Errorf("codeHint on read = %v", got)
		}

		r = c.MustOK(`mutation { updateVoucher(id: `+strconv.FormatInt(id, 10)+`, input: {code: " summer24 ", maxUsages: 5}) { userErrors { message } voucher { code codeHint maxUsages } } }`, nil)
		if got := gqltest.Get(r.Data, "updateVoucher", "voucher", "code"); got != "summer24" {
			t.Errorf("updated code shown as %v, want summer24", got)
		}
		if got := gqltest.Get(r.Data, "updateVoucher", "voucher", "codeHint"); got != "24" {
			t.Errorf("codeHint = %v, want 24 (a third of the code)", got)
		}

		r = c.Do(create, map[string]any{"code": "SUMMER24"})
		ue := r.UserErrors("createVoucher")
		if len(ue) != 1 || !strings.Contains(ue[0]["message"].(string), "has this code") {
			t.Errorf("a second voucher with the same code (any case): %v", ue)
		}
	})
}

func TestVoucherInputErrors(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedFixture(t, d)
		dbtest.Exec(t, d, `INSERT INTO market (id, store_id, name) VALUES (1, 1, 'A'), (2, 2, 'W')`)
		c := gqltest.New(t, d, "erp")
		tests := []struct {
			name, input, path, message string
		}{
			{"stop before start", `name: "x", status: ACTIVE, startAt: "2024-02-01", stopAt: "2024-01-01", method: AUTO, type: DISCOUNT,
				entryPointStrategy: APPLY_ALL_THAT_APPLY, store: {id: 1}`, "input.stopAt", "after startAt"},
			{"empty name", `name: " ", status: ACTIVE, startAt: "2024-01-01", stopAt: "2025-01-01", method: AUTO, type: DISCOUNT,
				entryPointStrategy: APPLY_ALL_THAT_APPLY, store: {id: 1}`, "input.name", "must not be empty"},
			{"code on an AUTO voucher", `name: "x", status: ACTIVE, startAt: "2024-01-01", stopAt: "2025-01-01", method: AUTO, code: "ABC", type: DISCOUNT,
				entryPointStrategy: APPLY_ALL_THAT_APPLY, store: {id: 1}`, "input.code", "Only CODE vouchers"},
			{"short code", `name: "x", status: ACTIVE, startAt: "2024-01-01", stopAt: "2025-01-01", method: CODE, code: "AB", type: DISCOUNT,
				entryPointStrategy: APPLY_ALL_THAT_APPLY, store: {id: 1}`, "input.code", "3 to 64"},
			{"market of another store", `name: "x", status: ACTIVE, startAt: "2024-01-01", stopAt: "2025-01-01", method: AUTO, type: DISCOUNT,
				entryPointStrategy: APPLY_ALL_THAT_APPLY, store: {id: 1}, addMarkets: [{id: 2}]`, "input.addMarkets.0", "belongs to store 2"},
			{"percent over 100", `name: "x", status: ACTIVE, startAt: "2024-01-01", stopAt: "2025-01-01", method: AUTO, type: DISCOUNT,
				entryPointStrategy: APPLY_ALL_THAT_APPLY, store: {id: 1}, actions: [{result: {selectedProducts: {discount: {percentOff: 120}}}}]`,
				"input.actions.0.result.selectedProducts.discount.percentOff", "at most 100"},
			{"two results", `name: "x", status: ACTIVE, startAt: "2024-01-01", stopAt: "2025-01-01", method: AUTO, type: DISCOUNT,
				entryPointStrategy: APPLY_ALL_THAT_APPLY, store: {id: 1}, actions: [{result: {freeShipping: {}, selectedProducts: {discount: {percentOff: 1}}}}]`,
				"input.actions.0.result", "exactly one result"},
			{"credit by hand", `name: "x", status: ACTIVE, startAt: "2024-01-01", stopAt: "2025-01-01", method: CODE, code: "MONEY", type: CREDIT,
				entryPointStrategy: APPLY_ALL_THAT_APPLY, store: {id: 1}`, "input.type", "issued by selling gift certificates"},
			{"unknown store", `name: "x", status: ACTIVE, startAt: "2024-01-01", stopAt: "2025-01-01", method: AUTO, type: DISCOUNT,
				entryPointStrategy: APPLY_ALL_THAT_APPLY, store: {id: 99}`, "input.store.id", "Could not find Store with ID 99"},
		}
		for _, tc := range tests {
			r := c.Do(`mutation { createVoucher(input: {`+tc.input+`}) { userErrors { message path } voucher { id } } }`, nil)
			ue := r.UserErrors("createVoucher")
			found := false
			for _, e := range ue {
				if strings.Join(toStrings(e["path"]), ".") == tc.path && strings.Contains(e["message"].(string), tc.message) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: userErrors %v, want one at %s saying %q", tc.name, ue, tc.path, tc.message)
			}
			if v := gqltest.Get(r.Data, "createVoucher", "voucher"); v != nil {
				t.Errorf("%s: a voucher was made: %v", tc.name, v)
			}
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM voucher`); n != 0 {
			t.Errorf("bad input left %d vouchers", n)
		}
	})
}

// TestSchemaPermissionsAreKnown: every @perm the schema names can be given
// to a token.
func TestSchemaPermissionsAreKnown(t *testing.T) {
	t.Parallel()
	schema := gqltest.Schema()
	for _, typ := range schema.Types {
		for _, f := range typ.Fields {
			for _, dir := range f.Directives.ForNames("perm") {
				name := dir.Arguments.ForName("name").Value.Raw
				if !auth.Known(name) {
					t.Errorf("%s.%s needs %s, which no token can hold", typ.Name, f.Name, name)
				}
			}
		}
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// hashCode is how a code is stored in d.
func hashCode(t *testing.T, d *db.DB, code string) string {
	t.Helper()
	h, err := voucher.HashCode(context.Background(), d.Read(), code)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
