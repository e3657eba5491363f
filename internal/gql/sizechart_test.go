package gql_test

import (
	"fmt"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

func labelList(prefix string, n int) string {
	l := make([]string, n)
	for i := range l {
		l[i] = fmt.Sprintf("%q", fmt.Sprintf("%s%d", prefix, i))
	}
	return "[" + strings.Join(l, ", ") + "]"
}

func createChart(name string, h, v int) string {
	vertical := ""
	if v > 0 {
		vertical = "verticalLabels: " + labelList("L", v)
	}
	return fmt.Sprintf(`mutation { createSizeChart(input: {name: %q, horizontalLabels: %s %s}) { sizeChart { id } userErrors { message path } } }`,
		name, labelList("W", h), vertical)
}

func TestASizeChartOfThousandsOfSizesIsWrittenWhole(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := gqltest.New(t, d, "pim")
		r := c.MustOK(createChart("Jeans", 100, 50), nil)
		id := gqltest.Get(r.Data, "createSizeChart", "sizeChart", "id").(float64)
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM size WHERE size_chart_id = $1`, int64(id)); n != 5000 {
			t.Fatalf("%d sizes stored; want 100 × 50 = 5000", n)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM id_conversion c JOIN size s ON s.id = c.internal_id
			WHERE c.object_type = 'Size' AND c.external_id = 'Jeans|' || s.name AND s.size_chart_id = $1`, int64(id)); n != 5000 {
			t.Errorf("%d sizes have the external id <chart>|<size>; want 5000", n)
		}
		if n := dbtest.Int(t, d, `SELECT position FROM size WHERE size_chart_id = $1 AND name = 'W99xL49'`, int64(id)); n != 4999 {
			t.Errorf("the last size is at position %d; want 4999", n)
		}
		// Another chart of the same name takes the external ids over, with
		// one warning per size.
		r = c.Do(`mutation { createSizeChart(input: {name: "Jeans", horizontalLabels: ["W0", "W1"], verticalLabels: ["L0"]}) { sizeChart { id } userWarnings { message } userErrors { message } } }`, nil)
		if w := gqltest.Get(r.Data, "createSizeChart", "userWarnings"); len(w.([]any)) != 2 {
			t.Errorf("warnings %v; want one per size that moved", w)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM id_conversion WHERE object_type = 'Size' AND external_id LIKE 'Jeans|%'`); n != 5000 {
			t.Errorf("%d external ids for Jeans sizes; want still 5000 (two moved)", n)
		}
		for _, tt := range []struct {
			query, message string
		}{
			{createChart("Too many labels", 1001, 0), "at most 1000 labels"},
			{createChart("Too many sizes", 101, 50), "at most 5000 sizes"},
		} {
			r := c.Do(tt.query, nil)
			if msg, _ := gqltest.Get(r.Data, "createSizeChart", "userErrors", 0, "message").(string); !strings.Contains(msg, tt.message) {
				t.Errorf("body %.300s; want a userError saying %q", r.Raw, tt.message)
			}
		}
	})
}

// BenchmarkCreateSizeChart measures createSizeChart of 100 × 50 labels
// (5,000 sizes) over HTTP, on each engine.
func BenchmarkCreateSizeChart(b *testing.B) {
	dbtest.EachBench(b, func(b *testing.B, d *db.DB) {
		c := gqltest.New(b, d, "bench")
		i := 0
		for b.Loop() {
			i++
			c.MustOK(createChart(fmt.Sprintf("Chart %d", i), 100, 50), nil)
		}
	})
}
