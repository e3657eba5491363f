package gql

import (
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"

	"seam/internal/gql/exec"
)

// FuzzQueryCost costs and checks any document the schema validates: it
// never panics, counts at least 1, and reads no more selections than the
// document has characters: fragments are never expanded, so no document
// takes long to cost however its fragments nest.
func FuzzQueryCost(f *testing.F) {
	schema := exec.NewExecutableSchema(exec.Config{}).Schema()
	for _, s := range []string{
		`{ products(limit: 3) { id variants { id productSizes { id } } } }`,
		`{ ...F0 } fragment F0 on Query { ...F1 ...F1 } fragment F1 on Query { __typename }`,
		`query ($n: Int) { products(limit: $n) { id } orderConnection(first: 5) { edges { node { id } } } }`,
		`{ products(where: {name: {contains: "x"}}, limit: {}) { id } }`,
		`{ stockChanges(where: {createdAt: {from: "2024-01-01"}}) { id } }`,
		`mutation { createSizeChart(input: {name: "x", horizontalLabels: ["a"]}) { sizeChart { sizes { id } } } }`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		doc, errs := gqlparser.LoadQuery(schema, query)
		if errs != nil {
			return
		}
		for _, op := range doc.Operations {
			k, nodes := costOf(doc, op, nil)
			if k.complexity < 1 {
				t.Fatalf("complexity %d of %q; want at least 1", k.complexity, query)
			}
			if nodes > int64(strings.Count(query, "")) {
				t.Fatalf("%d selections read in a document of %d characters: fragments were expanded", nodes, len(query))
			}
			_ = checkInputs(&graphql.OperationContext{Doc: doc, Operation: op}, schema)
		}
	})
}
