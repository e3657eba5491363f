package attribute

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/store"
)

// The configuration file defines attribute types the way Centra's
// configuration does, in JSON: an object of types by name, each with desc,
// group (the object type: customer, order, product, variant), readonly,
// mapped, multi and elements, an object of elements by key with desc, type
// (input, textarea, boolean, select, file, image), multi and, for select,
// options (an object of option names by value). Order is kept:
//
//	{"cus_extra": {"desc": "Customer", "group": "customer", "readonly": false,
//	  "elements": {"id": {"desc": "External Customer ID", "type": "input"},
//	               "ship_id": {"desc": "Customer shipping ID", "type": "input"}}}}
type configType struct {
	Desc     string          `json:"desc"`
	Group    string          `json:"group"`
	Readonly bool            `json:"readonly"`
	Mapped   bool            `json:"mapped"`
	Multi    bool            `json:"multi"`
	Elements json.RawMessage `json:"elements"`
}

type configElement struct {
	Desc    string          `json:"desc"`
	Type    string          `json:"type"`
	Multi   bool            `json:"multi"`
	Options json.RawMessage `json:"options"`
}

// groups maps configuration groups to object types.
var groups = map[string]string{"customer": Customer, "order": Order, "product": Product, "variant": ProductVariant, "productvariant": ProductVariant}

// kindNames maps configuration element types to kinds.
var kindNames = map[string]string{"input": KindInput, "text": KindInput, "textarea": KindTextarea, "boolean": KindBoolean, "checkbox": KindBoolean,
	"select": KindSelect, "file": KindFile, "image": KindImage}

// ParseConfig reads a configuration file's attribute types.
func ParseConfig(data []byte) ([]TypeInput, error) {
	types, err := members(data)
	if err != nil {
		return nil, fmt.Errorf("attribute types: %w", err)
	}
	var out []TypeInput
	for _, tm := range types {
		var ct configType
		dec := json.NewDecoder(bytes.NewReader(tm.value))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ct); err != nil {
			return nil, fmt.Errorf("attribute type %s: %w", tm.key, err)
		}
		objectType, ok := groups[strings.ToLower(ct.Group)]
		if !ok {
			return nil, fmt.Errorf("attribute type %s: group %q is not one of customer, order, product, variant", tm.key, ct.Group)
		}
		in := TypeInput{Name: ptr(tm.key), Description: ptr(ct.Desc), ObjectType: &objectType, IsMapped: &ct.Mapped, IsMulti: &ct.Multi,
			Readonly: &ct.Readonly}
		if len(ct.Elements) == 0 {
			return nil, fmt.Errorf("attribute type %s: elements are missing", tm.key)
		}
		els, err := members(ct.Elements)
		if err != nil {
			return nil, fmt.Errorf("attribute type %s elements: %w", tm.key, err)
		}
		for _, em := range els {
			var ce configElement
			dec := json.NewDecoder(bytes.NewReader(em.value))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ce); err != nil {
				return nil, fmt.Errorf("attribute type %s element %s: %w", tm.key, em.key, err)
			}
			kind, ok := kindNames[strings.ToLower(ce.Type)]
			if !ok {
				return nil, fmt.Errorf("attribute type %s element %s: type %q is not one of input, textarea, boolean, select, file, image", tm.key, em.key, ce.Type)
			}
			e := ElementInput{Key: ptr(em.key), Description: ptr(ce.Desc), Kind: &kind, IsMulti: &ce.Multi}
			if len(ce.Options) > 0 {
				opts, err := members(ce.Options)
				if err != nil {
					return nil, fmt.Errorf("attribute type %s element %s options: %w", tm.key, em.key, err)
				}
				for _, o := range opts {
					var name string
					if err := json.Unmarshal(o.value, &name); err != nil {
						return nil, fmt.Errorf("attribute type %s element %s option %s: the name must be a string", tm.key, em.key, o.key)
					}
					e.Options = append(e.Options, OptionInput{Value: ptr(o.key), Name: &name})
				}
			}
			in.Elements = append(in.Elements, e)
		}
		out = append(out, in)
	}
	return out, nil
}

// LoadConfig reads the configuration file at path and saves its attribute
// types in one transaction, replacing types of the same names; types not in
// the file stay. A problem with any type saves none.
func LoadConfig(ctx context.Context, d *db.DB, path string) (int, error) {
	ins, err := ReadConfig(path)
	if err != nil {
		return 0, err
	}
	return ApplyConfig(ctx, d, path, ins)
}

// ReadConfig reads and checks the configuration file at path without a
// database, so that a mistake in it is reported before anything changes.
func ReadConfig(path string) ([]TypeInput, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("attribute types: %w", err)
	}
	ins, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, in := range ins {
		var p seam.Problems
		in.check(&p, seam.P(*in.Name))
		if err := p.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return ins, nil
}

// ApplyConfig saves the attribute types ReadConfig read from path, as
// LoadConfig does.
func ApplyConfig(ctx context.Context, d *db.DB, path string, ins []TypeInput) (int, error) {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for _, in := range ins {
			var p seam.Problems
			t, els := in.check(&p, seam.P(*in.Name))
			if err := p.Err(); err != nil {
				return err
			}
			t.Source, t.CreatedAt, t.UpdatedAt = "config", db.Now(), db.Now()
			if err := store.SaveAttributeType(ctx, tx, &t, els); err != nil {
				return fmt.Errorf("save attribute type %s: %w", t.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return len(ins), nil
}

type member struct {
	key   string
	value json.RawMessage
}

// members returns a JSON object's members in the order written.
func members(data []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("want a JSON object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var m member
		m.key = tok.(string)
		if err := dec.Decode(&m.value); err != nil {
			return nil, fmt.Errorf("%s: %w", m.key, err)
		}
		out = append(out, m)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }
