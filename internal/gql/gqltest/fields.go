package gqltest

import (
	"fmt"
	"strconv"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"seam/internal/gql"
	"seam/internal/gql/exec"
)

// Schema is the Integration API schema.
func Schema() *ast.Schema {
	r := &gql.Resolver{}
	return exec.NewExecutableSchema(r.Config()).Schema()
}

// MissingFields lists the fields a query selects that its response data
// lacks (a null value counts as present; below it nothing is expected).
func MissingFields(schema *ast.Schema, query string, data map[string]any) ([]string, error) {
	doc, errs := gqlparser.LoadQuery(schema, query)
	if errs != nil {
		return nil, errs
	}
	var missing []string
	for _, op := range doc.Operations {
		walk(op.SelectionSet, data, "", &missing)
	}
	return missing, nil
}

func walk(sel ast.SelectionSet, v any, path string, missing *[]string) {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			walk(sel, e, path+"["+strconv.Itoa(i)+"]", missing)
		}
	case map[string]any:
		for _, s := range sel {
			switch f := s.(type) {
			case *ast.Field:
				key := f.Alias
				if key == "" {
					key = f.Name
				}
				val, ok := x[key]
				if !ok {
					*missing = append(*missing, path+"."+key)
					continue
				}
				if len(f.SelectionSet) > 0 && val != nil {
					walk(f.SelectionSet, val, path+"."+key, missing)
				}
			case *ast.FragmentSpread:
				walk(f.Definition.SelectionSet, x, path, missing)
			case *ast.InlineFragment:
				walk(f.SelectionSet, x, path, missing)
			default:
				*missing = append(*missing, fmt.Sprintf("%s: unknown selection %T", path, s))
			}
		}
	}
}
