package gql

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The cost model of the Integration API. Every field costs 1; a list field
// costs 1 plus its page size times the cost of one of its items, so that a
// query's complexity is an upper bound of the objects it can resolve:
//
//   - a list with a limit argument (products, orders, prices, …) counts its
//     limit (or the argument's default);
//   - a connection (orderConnection, stockChangeConnection) counts first or
//     last (default 20) and its edges count once;
//   - a list without a limit (variants, productSizes, lines, …) counts the
//     size in listSizes, or defaultListSize.
//
// Fragments are costed as if expanded, but each fragment is costed once and
// remembered, so that no document, however many times its fragments spread
// one another, takes longer to cost than to read.
const (
	// MaxDepth is how deeply fields may nest, counted after fragments are
	// expanded: { products { variants { id } } } is 3 deep.
	MaxDepth = 15
	// MaxComplexity bounds the complexity of one request even for a token
	// without a complexity quota; a token's quota per 10 s bounds it more
	// tightly.
	MaxComplexity = 1_000_000
	// defaultListSize is the page size assumed for a list that has no
	// limit argument and no entry in listSizes.
	defaultListSize = 10
	// saturated is where complexity stops counting: far over any limit and
	// far from overflowing int64.
	saturated = math.MaxInt64 / 4
)

// listSizes are the sizes counted for lists without a limit argument, by
// "Type.field": what a typical catalog or order holds. A list of scalars
// costs 1 whatever its size.
var listSizes = map[string]int64{
	"Product.variants":              5,
	"Product.displays":              5,
	"ProductVariant.productSizes":   10,
	"ProductVariant.prices":         5,
	"ProductVariant.stock":          10,
	"ProductSizeStock.warehouses":   5,
	"SizeChart.sizes":               10,
	"OrderConnection.edges":         1,
	"StockChangeConnection.edges":   1,
	"Query.rateLimits":              6,
	"DirectToConsumerOrder.lines":   10,
	"WholesaleOrder.lines":          10,
	"Selection.lines":               10,
	"Shipment.lines":                10,
	"Return.lines":                  10,
	"StockChange.lines":             10,
	"Display.productVariants":       5,
	"BundleSection.productVariants": 5,
}

// queryCost is what costing a selection set found.
type queryCost struct {
	complexity int64
	depth      int
}

// coster costs one operation with its variables.
type coster struct {
	vars  map[string]any
	frags map[string]*ast.FragmentDefinition
	memo  map[string]queryCost
	// open marks fragments being costed, so that a cycle (which validation
	// refuses anyway) cannot recurse for ever.
	open map[string]bool
	// nodes counts the selections read, once each: the work costing took.
	nodes int64
}

// costOf returns the complexity and depth of an operation of doc, and how
// many selections the document holds.
func costOf(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) (queryCost, int64) {
	c := &coster{vars: vars, frags: map[string]*ast.FragmentDefinition{}, memo: map[string]queryCost{}, open: map[string]bool{}}
	for _, f := range doc.Fragments {
		if _, ok := c.frags[f.Name]; !ok {
			c.frags[f.Name] = f
		}
	}
	out := c.set(op.SelectionSet)
	out.complexity = max(1, out.complexity)
	return out, c.nodes
}

func (c *coster) set(set ast.SelectionSet) queryCost {
	var out queryCost
	for _, sel := range set {
		var k queryCost
		switch s := sel.(type) {
		case *ast.Field:
			k = c.field(s)
		case *ast.InlineFragment:
			k = c.set(s.SelectionSet)
		case *ast.FragmentSpread:
			k = c.spread(s.Name)
		}
		out.complexity = satAdd(out.complexity, k.complexity)
		out.depth = max(out.depth, k.depth)
	}
	return out
}

func (c *coster) spread(name string) queryCost {
	if k, ok := c.memo[name]; ok {
		return k
	}
	f := c.frags[name]
	if f == nil || c.open[name] {
		return queryCost{}
	}
	c.open[name] = true
	k := c.set(f.SelectionSet)
	delete(c.open, name)
	c.memo[name] = k
	return k
}

func (c *coster) field(f *ast.Field) queryCost {
	c.nodes++
	child := c.set(f.SelectionSet)
	n := c.pageSize(f)
	return queryCost{complexity: satAdd(1, satMul(n, child.complexity)), depth: 1 + child.depth}
}

// pageSize is how many items a field's list holds at most: 1 for a field
// that is not a list.
func (c *coster) pageSize(f *ast.Field) int64 {
	d := f.Definition
	if d == nil {
		return 1
	}
	if d.Arguments.ForName("limit") != nil {
		return c.intArg(f, "limit", defaultLimit)
	}
	if d.Arguments.ForName("first") != nil {
		if n := c.intArg(f, "first", 0); n > 0 {
			return n
		}
		return c.intArg(f, "last", defaultLimit)
	}
	if d.Type == nil || d.Type.Elem == nil {
		return 1
	}
	if f.ObjectDefinition != nil {
		if n, ok := listSizes[f.ObjectDefinition.Name+"."+f.Name]; ok {
			return n
		}
	}
	return defaultListSize
}

// intArg reads an Int argument, its default, or def; values below 1 count
// as 1 (the resolver refuses them).
func (c *coster) intArg(f *ast.Field, name string, def int64) int64 {
	var v any
	if a := f.Arguments.ForName(name); a != nil && a.Value != nil {
		if a.Value.Kind == ast.Variable {
			v = c.vars[a.Value.Raw]
		} else if x, err := a.Value.Value(c.vars); err == nil {
			v = x
		}
	} else if ad := f.Definition.Arguments.ForName(name); ad != nil && ad.DefaultValue != nil {
		if x, err := ad.DefaultValue.Value(nil); err == nil {
			v = x
		}
	}
	n, ok := asInt(v)
	if !ok {
		return max(def, 1)
	}
	return min(max(n, 1), saturated)
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case float64:
		if x >= math.MinInt64 && x <= math.MaxInt64 {
			return int64(x), true
		}
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func satAdd(a, b int64) int64 { return min(a+b, saturated) }

func satMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > saturated/b {
		return saturated
	}
	return min(a*b, saturated)
}

// overLimits refuses an operation over MaxDepth or over limit complexity,
// saying by how much.
func overLimits(k queryCost, limit int64) *gqlerror.Error {
	if k.depth > MaxDepth {
		return &gqlerror.Error{
			Message:    fmt.Sprintf("The query nests fields %d deep, %d over the maximum depth of %d. Ask for fewer levels.", k.depth, k.depth-MaxDepth, MaxDepth),
			Extensions: map[string]any{"code": "QUERY_TOO_DEEP", "depth": k.depth, "maxDepth": MaxDepth},
		}
	}
	if k.complexity > limit {
		shown := strconv.FormatInt(k.complexity, 10)
		over := strconv.FormatInt(k.complexity-limit, 10)
		if k.complexity >= saturated {
			shown, over = "over "+strconv.FormatInt(saturated, 10), "more than "+strconv.FormatInt(saturated-limit, 10)
		}
		return &gqlerror.Error{
			Message: fmt.Sprintf("The query's QUERY_COMPLEXITY is %s, %s over the limit of %d per request. Ask for fewer rows (limit) or fewer nested lists, or split it.",
				shown, over, limit),
			Extensions: map[string]any{"code": "QUERY_TOO_COMPLEX", "complexity": k.complexity, "maxComplexity": limit},
		}
	}
	return nil
}
