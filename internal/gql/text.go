package gql

import (
	"net/http"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"seam/internal/textguard"
)

// textError is a 400 for text that no database can hold, naming where it
// is in the request (extensions.field).
func textError(field, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"field": field, "category": "input"}}
}

// checkRequestText refuses a request whose body is not UTF-8, whose
// credential or Idempotency-Key header, query text or variables hold a NUL
// or bytes that are not UTF-8, before the query is parsed.
func checkRequestText(r *http.Request, raw []byte, in body) *gqlerror.Error {
	if !utf8.Valid(raw) {
		return textError("body", "The body is not valid UTF-8; send JSON encoded as UTF-8.")
	}
	for _, h := range textguard.Headers {
		for _, v := range r.Header.Values(h) {
			if e := textguard.Check(h, v); e != nil {
				return textError(e.Field, e.Message)
			}
		}
	}
	if e := textguard.Check("query", in.Query); e != nil {
		return textError(e.Field, e.Message)
	}
	if e := textguard.Check("operationName", in.OperationName); e != nil {
		return textError(e.Field, e.Message)
	}
	if e := textguard.Value("variables", map[string]any(in.Variables)); e != nil {
		return textError(e.Field, "Variable $"+trimVariables(e.Message))
	}
	return nil
}

// trimVariables drops the "variables." that textguard.Value puts before a
// variable's path.
func trimVariables(s string) string {
	const p = "variables."
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// checkLiteralText refuses string literals (in arguments, directives and
// variable defaults, of operations and fragments alike) that hold a NUL;
// the parser already refused raw bytes that are not UTF-8. Each fragment is
// walked once, where it is defined, never where it is spread.
func checkLiteralText(doc *ast.QueryDocument) *gqlerror.Error {
	var bad *gqlerror.Error
	var value func(where string, v *ast.Value)
	value = func(where string, v *ast.Value) {
		if v == nil || bad != nil {
			return
		}
		if (v.Kind == ast.StringValue || v.Kind == ast.BlockValue || v.Kind == ast.EnumValue) && textguard.Problem(v.Raw) != "" {
			bad = textError(where, "The literal of "+where+" "+textguard.Problem(v.Raw)+"; send text without NUL characters.")
			return
		}
		for _, c := range v.Children {
			name := where
			if c.Name != "" {
				name += "." + c.Name
			}
			value(name, c.Value)
		}
	}
	args := func(owner string, as ast.ArgumentList) {
		for _, a := range as {
			value(owner+"("+a.Name+")", a.Value)
		}
	}
	dirs := func(ds ast.DirectiveList) {
		for _, d := range ds {
			args("@"+d.Name, d.Arguments)
		}
	}
	var set func(ast.SelectionSet)
	set = func(s ast.SelectionSet) {
		for _, sel := range s {
			switch f := sel.(type) {
			case *ast.Field:
				args(f.Name, f.Arguments)
				dirs(f.Directives)
				set(f.SelectionSet)
			case *ast.InlineFragment:
				dirs(f.Directives)
				set(f.SelectionSet)
			case *ast.FragmentSpread:
				dirs(f.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		for _, v := range op.VariableDefinitions {
			value("$"+v.Variable, v.DefaultValue)
		}
		dirs(op.Directives)
		set(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		dirs(f.Directives)
		set(f.SelectionSet)
	}
	return bad
}
