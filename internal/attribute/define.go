package attribute

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/seam"
	"seam/internal/store"
)

// TypeInput defines an attribute type (createAttributeType, or one entry
// of the configuration file).
type TypeInput struct {
	Name        *string
	Description *string
	ObjectType  *string
	IsMapped    *bool
	IsMulti     *bool
	Readonly    *bool
	Elements    []ElementInput
}

// ElementInput defines one element of an attribute type.
type ElementInput struct {
	Key         *string
	Description *string
	Kind        *string
	IsMulti     *bool
	Options     []OptionInput
}

// OptionInput is a choice of a SELECT element.
type OptionInput struct {
	Value *string
	Name  *string
}

var namePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// check turns in into a type and its elements, adding problems under path.
func (in TypeInput) check(p *seam.Problems, path seam.Path) (store.AttributeType, []store.AttributeElement) {
	t := store.AttributeType{}
	if in.Name == nil || !namePattern.MatchString(*in.Name) {
		p.Add(path.Key("name"), "An attribute type's name is a letter followed by up to 63 letters, digits and underscores, like cus_extra.")
	} else {
		t.Name = *in.Name
	}
	if in.Description != nil {
		t.Description = strings.TrimSpace(*in.Description)
	}
	if in.ObjectType == nil || !slices.Contains(ObjectTypes, *in.ObjectType) {
		p.Add(path.Key("objectType"), "objectType must be one of %s.", strings.Join(ObjectTypes, ", "))
	} else {
		t.ObjectType = *in.ObjectType
	}
	t.IsMapped = in.IsMapped != nil && *in.IsMapped
	t.IsMulti = in.IsMulti != nil && *in.IsMulti
	t.Readonly = in.Readonly != nil && *in.Readonly
	if t.IsMulti && !t.IsMapped {
		p.Add(path.Key("isMulti"), "Only a mapped attribute type can be multi: a dynamic one holds one value per element.")
	}
	if len(in.Elements) == 0 {
		p.Add(path.Key("elements"), "An attribute type needs at least one element.")
	}
	var els []store.AttributeElement
	for i, e := range in.Elements {
		ep := path.Key("elements").Index(i)
		el := store.AttributeElement{Position: i, Options: "[]"}
		if e.Key == nil || !namePattern.MatchString(*e.Key) {
			p.Add(ep.Key("key"), "An element's key is a letter followed by up to 63 letters, digits and underscores, like ship_id.")
		} else if slices.ContainsFunc(els, func(o store.AttributeElement) bool { return o.Key == *e.Key }) {
			p.Add(ep.Key("key"), "The key %s is used twice.", *e.Key)
		} else {
			el.Key = *e.Key
		}
		if e.Description != nil {
			el.Description = strings.TrimSpace(*e.Description)
		}
		if e.Kind == nil || !slices.Contains(Kinds, *e.Kind) {
			p.Add(ep.Key("kind"), "kind must be one of %s.", strings.Join(Kinds, ", "))
		} else {
			el.Kind = *e.Kind
		}
		el.IsMulti = e.IsMulti != nil && *e.IsMulti
		switch {
		case el.Kind == KindSelect && len(e.Options) == 0:
			p.Add(ep.Key("options"), "A SELECT element needs options to choose from.")
		case el.Kind != KindSelect && (len(e.Options) > 0 || el.IsMulti):
			p.Add(ep, "Only SELECT elements have options and can be multi.")
		}
		var opts []Option
		for j, o := range e.Options {
			op := ep.Key("options").Index(j)
			if o.Value == nil || strings.TrimSpace(*o.Value) == "" || strings.Contains(*o.Value, ",") {
				p.Add(op.Key("value"), "An option's value must not be empty or hold a comma.")
				continue
			}
			if slices.ContainsFunc(opts, func(x Option) bool { return x.Value == *o.Value }) {
				p.Add(op.Key("value"), "The option %s is listed twice.", *o.Value)
				continue
			}
			name := *o.Value
			if o.Name != nil && strings.TrimSpace(*o.Name) != "" {
				name = strings.TrimSpace(*o.Name)
			}
			opts = append(opts, Option{Value: *o.Value, Name: name})
		}
		if len(opts) > 0 {
			b, _ := json.Marshal(opts)
			el.Options = string(b)
		}
		els = append(els, el)
	}
	return t, els
}

// CreateType adds an attribute type through the Integration API.
func CreateType(ctx context.Context, d *db.DB, actor seam.Actor, in TypeInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var p seam.Problems
		t, els := in.check(&p, seam.P("input"))
		if t.Name != "" {
			if _, err := store.AttributeTypeByName(ctx, tx, t.Name); err == nil {
				p.Add(seam.P("input", "name"), "There is an attribute type named %s already.", t.Name)
			} else if !errors.Is(err, seam.ErrNotFound) {
				return err
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		t.Source, t.CreatedAt, t.UpdatedAt = "api", db.Now(), db.Now()
		if err := store.SaveAttributeType(ctx, tx, &t, els); err != nil {
			return err
		}
		id = t.ID
		_, err := event.Record(ctx, tx, event.Event{ObjectType: "AttributeType", ObjectID: t.Name, Action: event.Created, Actor: actor.Name,
			Payload: map[string]any{"objectType": t.ObjectType, "isMapped": t.IsMapped}})
		return err
	})
	return id, seam.Wrap(err, "create attribute type")
}

// MappedInput defines a mapped attribute (createAttribute): a value set of
// a mapped type.
type MappedInput struct {
	TypeName *string
	Name     *string
	Elements []ValueInput
}

// ValueInput is an element's value.
type ValueInput struct {
	Key   *string
	Value *string
}

// CreateMapped adds a mapped attribute.
func CreateMapped(ctx context.Context, d *db.DB, actor seam.Actor, in MappedInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var p seam.Problems
		path := seam.P("input")
		var t Type
		if in.TypeName == nil {
			p.Add(path.Key("typeName"), "Name the mapped attribute type.")
		} else if found, err := typeNamed(ctx, tx, *in.TypeName, path.Key("typeName")); err != nil {
			if !p.Merge(err) {
				return err
			}
		} else if !found.IsMapped {
			p.Add(path.Key("typeName"), "%s is a dynamic attribute type: set its values on objects with assignAttributes.", found.Name)
		} else {
			t = found
		}
		m := store.MappedAttribute{TypeID: t.ID, CreatedAt: db.Now()}
		if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
			p.Add(path.Key("name"), "A mapped attribute needs a name.")
		} else {
			m.Name = strings.TrimSpace(*in.Name)
		}
		var values []store.AttributeValue
		if t.ID != 0 {
			for i, v := range in.Elements {
				vp := path.Key("elements").Index(i)
				if v.Key == nil || v.Value == nil {
					p.Add(vp, "Give the element's key and value.")
					continue
				}
				val, ok := checkValue(&p, t, *v.Key, *v.Value, vp.Key("key"), vp.Key("value"))
				if ok {
					values = append(values, store.AttributeValue{TypeID: t.ID, Key: *v.Key, Value: val})
				}
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertMappedAttribute(ctx, tx, &m, values); err != nil {
			if db.IsUniqueViolation(err) {
				return seam.Invalid(path.Key("name"), "%s has a mapped attribute named %q already.", t.Name, m.Name)
			}
			return err
		}
		id = m.ID
		_, err := event.Record(ctx, tx, event.Event{ObjectType: "MappedAttribute", ObjectID: strconv.FormatInt(m.ID, 10), Action: event.Created,
			Actor: actor.Name, Payload: map[string]any{"type": t.Name, "name": m.Name}})
		return err
	})
	return id, seam.Wrap(err, "create mapped attribute")
}

// typeNamed loads an attribute type by name; an unknown name is an input
// problem at path.
func typeNamed(ctx context.Context, q db.Q, name string, path seam.Path) (Type, error) {
	row, err := store.AttributeTypeByName(ctx, q, name)
	if errors.Is(err, seam.ErrNotFound) {
		return Type{}, seam.Invalid(path, "There is no attribute type named %q.", name)
	}
	if err != nil {
		return Type{}, err
	}
	types, err := withElements(ctx, q, []store.AttributeType{row})
	if err != nil {
		return Type{}, err
	}
	return types[0], nil
}

// Value limits.
const (
	maxInput    = 1000
	maxTextarea = 65535
)

// checkValue checks a value for the element key of t and returns it as
// stored, adding problems at keyPath or valuePath.
func checkValue(p *seam.Problems, t Type, key, value string, keyPath, valuePath seam.Path) (string, bool) {
	el, ok := t.Element(key)
	if !ok {
		keys := make([]string, len(t.Elements))
		for i, e := range t.Elements {
			keys[i] = e.Key
		}
		p.Add(keyPath, "Attribute type %s has no element %q; its elements are %s.", t.Name, key, strings.Join(keys, ", "))
		return "", false
	}
	bad := func(format string, args ...any) (string, bool) {
		p.Add(valuePath, "Element %s of %s is %s: %s", key, t.Name, el.Kind, fmt.Sprintf(format, args...))
		return "", false
	}
	if !utf8.ValidString(value) {
		return bad("the value is not valid UTF-8.")
	}
	switch el.Kind {
	case KindInput:
		if strings.ContainsAny(value, "\r\n") {
			return bad("one line of text, without line breaks.")
		}
		if utf8.RuneCountInString(value) > maxInput {
			return bad("at most %d characters.", maxInput)
		}
	case KindTextarea:
		if len(value) > maxTextarea {
			return bad("at most %d bytes.", maxTextarea)
		}
	case KindBoolean:
		switch strings.ToLower(strings.TrimSpace(value)) {
		case "1", "true":
			return "1", true
		case "0", "false", "":
			return "0", true
		}
		return bad("give 1 or 0 (true or false), not %q.", value)
	case KindSelect:
		chosen := []string{value}
		if el.IsMulti {
			chosen = strings.Split(value, ",")
		}
		var out []string
		for _, c := range chosen {
			c = strings.TrimSpace(c)
			if !slices.ContainsFunc(el.Options, func(o Option) bool { return o.Value == c }) {
				vals := make([]string, len(el.Options))
				for i, o := range el.Options {
					vals[i] = o.Value
				}
				return bad("%q is not one of its options (%s).", c, strings.Join(vals, ", "))
			}
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
		return strings.Join(out, ","), true
	case KindFile, KindImage:
		u, err := url.Parse(strings.TrimSpace(value))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("give the file's absolute http(s) URL.")
		}
		if el.Kind == KindImage && !strings.HasPrefix(MimeType(u.String()), "image/") {
			return bad("the URL should end in an image's extension (.jpg, .png, .webp, …).")
		}
		return u.String(), true
	}
	return value, true
}

// MimeType guesses a file's media type from its URL's extension; "" when
// unknown.
func MimeType(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	t, _, _ := strings.Cut(mime.TypeByExtension(strings.ToLower(path.Ext(u.Path))), ";")
	return t
}
