package gql_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

// TestAnAnswerOverTheSizeCapIsCutWithAnError: 170 aliases of a chart of
// 1,000 labels of 200 characters would be 34 MB, over the 32 MiB cap.
func TestAnAnswerOverTheSizeCapIsCutWithAnError(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "pim")
		labels := make([]string, 1000)
		for i := range labels {
			labels[i] = fmt.Sprintf("%04d%s", i, strings.Repeat("x", 196))
		}
		r := c.MustOK(`mutation ($l: [String!]!) { createSizeChart(input: {name: "Wide", horizontalLabels: $l}) { sizeChart { id } userErrors { message } } }`,
			map[string]any{"l": labels})
		id := int64(gqltest.Get(r.Data, "createSizeChart", "sizeChart", "id").(float64))
		var q strings.Builder
		q.WriteString("{")
		for i := range 170 {
			fmt.Fprintf(&q, " a%d: sizeCharts(where: {id: [%d]}, limit: 1) { horizontalLabels }", i, id)
		}
		q.WriteString(" }")
		r = c.Do(q.String(), nil)
		if r.Status != http.StatusOK || r.Data != nil || len(r.Errors) != 1 {
			t.Fatalf("status %d, %d bytes, errors %v; want 200 with no data and one error", r.Status, len(r.Raw), r.Errors)
		}
		if gqltest.Get(r.Errors, 0, "extensions", "code") != "RESPONSE_TOO_LARGE" || len(r.Raw) > 10_000 {
			t.Errorf("error %v (%d bytes); want RESPONSE_TOO_LARGE in a small answer", r.Errors[0], len(r.Raw))
		}
		// Under the cap the same query answers in full.
		r = c.MustOK(strings.Replace(q.String(), " a1: ", " b: ", 1)[:strings.Index(q.String(), " a20: ")]+" }", nil)
		if len(r.Data) != 20 {
			t.Errorf("%d aliases answered; want 20", len(r.Data))
		}
	})
}
