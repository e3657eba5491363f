package gql

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"seam/internal/gql/model"
	"seam/internal/money"
)

// MaxSearch is the longest text a StringMatch (equals or contains) may
// hold, in characters.
const MaxSearch = 200

// scalars are the parsers execution uses for each input scalar; checkInputs
// runs every argument through them before anything runs, so that a value
// of the wrong type is a 400 and never an error in the middle of an answer.
var scalars = map[string]func(any) error{
	"Int":        func(v any) error { _, err := graphql.UnmarshalInt64(v); return err },
	"Float":      func(v any) error { var n money.Number; return n.UnmarshalGQL(v) },
	"String":     func(v any) error { _, err := model.UnmarshalString(v); return err },
	"Boolean":    func(v any) error { _, err := graphql.UnmarshalBoolean(v); return err },
	"ID":         func(v any) error { _, err := graphql.UnmarshalID(v); return err },
	"Date":       func(v any) error { _, err := model.UnmarshalDate(v); return err },
	"DateTimeTz": func(v any) error { _, err := model.UnmarshalDateTimeTz(v); return err },
}

// checkInputs checks every argument of an operation, literal or variable,
// against its type, and the length of every StringMatch. Each selection
// set and fragment is read once.
func checkInputs(op *graphql.OperationContext, schema *ast.Schema) *gqlerror.Error {
	c := inputChecker{schema: schema, frags: map[string]*ast.FragmentDefinition{}, seen: map[string]bool{}}
	for _, f := range op.Doc.Fragments {
		c.frags[f.Name] = f
	}
	for _, vd := range op.Operation.VariableDefinitions {
		if err := c.variable(op.Variables[vd.Variable], vd.Type, "$"+vd.Variable); err != nil {
			return err
		}
	}
	return c.set(op.Operation.SelectionSet)
}

type inputChecker struct {
	schema *ast.Schema
	frags  map[string]*ast.FragmentDefinition
	seen   map[string]bool
}

func (c *inputChecker) set(set ast.SelectionSet) *gqlerror.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			for _, a := range s.Arguments {
				if err := c.literal(a.Value, s.Name+"("+a.Name+":)"); err != nil {
					return err
				}
			}
			if err := c.set(s.SelectionSet); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := c.set(s.SelectionSet); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if c.seen[s.Name] || c.frags[s.Name] == nil {
				continue
			}
			c.seen[s.Name] = true
			if err := c.set(c.frags[s.Name].SelectionSet); err != nil {
				return err
			}
		}
	}
	return nil
}

// literal checks a value written in the document; variables in it are
// checked on their own.
func (c *inputChecker) literal(v *ast.Value, path string) *gqlerror.Error {
	if v == nil || v.Kind == ast.Variable || v.Kind == ast.NullValue || v.Definition == nil {
		return nil
	}
	def := v.Definition
	isList := v.ExpectedType != nil && v.ExpectedType.Elem != nil
	switch {
	case v.Kind == ast.ListValue && isList:
		for i, ch := range v.Children {
			if err := c.literal(ch.Value, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case def.Kind == ast.InputObject:
		if v.Kind != ast.ObjectValue {
			return wrongType(v, path, def.Name)
		}
		if err := checkMatch(def.Name, path, func(name string) any {
			if ch := v.Children.ForName(name); ch != nil && ch.Kind == ast.StringValue {
				return ch.Raw
			}
			return nil
		}); err != nil {
			return err
		}
		for _, ch := range v.Children {
			if err := c.literal(ch.Value, path+"."+ch.Name); err != nil {
				return err
			}
		}
		return nil
	case def.Kind == ast.Scalar:
		if v.Kind == ast.ObjectValue || v.Kind == ast.ListValue {
			return wrongType(v, path, def.Name)
		}
		parse := scalars[def.Name]
		if parse == nil {
			return nil
		}
		raw, err := v.Value(nil)
		if err == nil {
			err = parse(raw)
		}
		if err != nil {
			return inputErr(fmt.Sprintf("%s: %s is not a valid %s: %v", path, v.String(), def.Name, err), v.Position)
		}
	}
	return nil
}

// variable checks a variable's value (decoded JSON) against its type.
func (c *inputChecker) variable(v any, t *ast.Type, path string) *gqlerror.Error {
	if v == nil || t == nil {
		return nil
	}
	if t.Elem != nil {
		l, ok := v.([]any)
		if !ok {
			return c.variable(v, t.Elem, path)
		}
		for i, e := range l {
			if err := c.variable(e, t.Elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	def := c.schema.Types[t.NamedType]
	if def == nil {
		return nil
	}
	switch def.Kind {
	case ast.InputObject:
		m, ok := v.(map[string]any)
		if !ok {
			return inputErr(fmt.Sprintf("Variable %s: %s is not a valid %s.", path, jsonText(v), def.Name), nil)
		}
		if err := checkMatch(def.Name, "Variable "+path, func(name string) any { return m[name] }); err != nil {
			return err
		}
		for _, f := range def.Fields {
			if err := c.variable(m[f.Name], f.Type, path+"."+f.Name); err != nil {
				return err
			}
		}
	case ast.Scalar:
		if parse := scalars[def.Name]; parse != nil {
			if err := parse(v); err != nil {
				return inputErr(fmt.Sprintf("Variable %s: %s is not a valid %s: %v", path, jsonText(v), def.Name, err), nil)
			}
		}
	}
	return nil
}

// checkMatch bounds the text of a StringMatch.
func checkMatch(typeName, path string, get func(string) any) *gqlerror.Error {
	if typeName != "StringMatch" {
		return nil
	}
	for _, name := range []string{"equals", "contains"} {
		if s, ok := get(name).(string); ok && utf8.RuneCountInString(s) > MaxSearch {
			return inputErr(fmt.Sprintf("%s.%s: the text has %d characters; at most %d are allowed.", path, name, utf8.RuneCountInString(s), MaxSearch), nil)
		}
	}
	return nil
}

func wrongType(v *ast.Value, path, typeName string) *gqlerror.Error {
	shown := v.String()
	if len(shown) > 100 {
		shown = shown[:100] + "…"
	}
	return inputErr(fmt.Sprintf("%s: %s is not a valid %s.", path, shown, typeName), v.Position)
}

func inputErr(msg string, pos *ast.Position) *gqlerror.Error {
	e := &gqlerror.Error{Message: msg, Extensions: map[string]any{"category": "validation"}}
	if pos != nil {
		e.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
	}
	return e
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 100 {
		return string(b[:100]) + "…"
	}
	return string(b)
}
