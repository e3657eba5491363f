package gql_test

import (
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

func TestMutationsThatSucceedAreAudited(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		gq := gqltest.New(t, d, "erp")
		gq.MustOK(`mutation { createSizeChart(input: {name: "One Size" horizontalLabels: ["One Size"]}) { sizeChart { id } userErrors { message } } }`, nil)
		// A refused mutation (userErrors) changes nothing and is not logged.
		gq.Do(`mutation { createSizeChart(input: {name: "" horizontalLabels: []}) { sizeChart { id } userErrors { message } } }`, nil)
		// Queries are not logged.
		gq.MustOK(`{ sizeCharts { id } }`, nil)
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'API'`); n != 1 {
			t.Fatalf("%d API audit rows; want 1", n)
		}
		got := dbtest.String(t, d, `SELECT actor || ' ' || object_type || ' ' || object_id || ' ' || detail FROM audit_log WHERE action = 'API'`)
		want := "erp SizeChart " + dbtest.String(t, d, `SELECT CAST(MAX(id) AS TEXT) FROM size_chart`) + " createSizeChart through the Integration API"
		if got != want {
			t.Errorf("audit row %q; want %q", got, want)
		}
	})
}
