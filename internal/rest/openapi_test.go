package rest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"seam/internal/rest/resttest"
)

// TestOpenAPIDocumentsEveryRoute compares the routes routes.go registers
// with the operations of openapi.yaml, both ways: a call the document
// leaves out is a call no storefront can find, and one the server lacks is
// a promise it breaks.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	var documented []string
	for path, item := range resttest.Spec(t).Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(documented)
	if diff := cmp.Diff(registeredRoutes(t), documented); diff != "" {
		t.Errorf("routes.go (-) and openapi.yaml (+) differ:\n%s", diff)
	}
}

// registeredRoutes reads the patterns routes.go registers, relative to
// rest.Prefix, leaving out the test payment page (HTML for shoppers) and
// the catch-all 404.
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "routes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		switch sel.Sel.Name {
		case "route":
			method, path := literal(t, call.Args[0]), literal(t, call.Args[1])
			out = append(out, method+" "+path)
			if both, ok := call.Args[2].(*ast.Ident); ok && (both.Name == "both" || both.Name == "true") {
				out = append(out, method+" /selections/{selection}"+path)
			}
		case "read":
			out = append(out, literal(t, call.Args[0])+" "+literal(t, call.Args[1]))
		case "HandleFunc":
			pattern := literal(t, call.Args[0])
			if method, path, ok := strings.Cut(pattern, " "); ok && !strings.HasPrefix(path, "/test-payment/") {
				out = append(out, method+" "+path)
			}
		}
		return true
	})
	slices.Sort(out)
	return out
}

// literal evaluates a string constant expression of routes.go, reading
// Prefix as "".
func literal(t *testing.T, e ast.Expr) string {
	t.Helper()
	switch e := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(e.Value)
		if err != nil {
			t.Fatal(err)
		}
		return s
	case *ast.Ident:
		if e.Name == "Prefix" {
			return ""
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			return literal(t, e.X) + literal(t, e.Y)
		}
	}
	t.Fatalf("routes.go: cannot read the route pattern %T %v", e, e)
	return ""
}
