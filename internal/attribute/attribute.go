// Package attribute holds custom attributes: attribute types (defined by
// the configuration file or the Integration API) and the values objects
// carry. A mapped type's values are defined once and assigned to objects by
// id; a dynamic type's element values are set on each object, as in Centra.
package attribute

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"seam/internal/db"
	"seam/internal/store"
)

// Element kinds.
const (
	KindInput    = "INPUT"
	KindTextarea = "TEXTAREA"
	KindBoolean  = "BOOLEAN"
	KindSelect   = "SELECT"
	KindFile     = "FILE"
	KindImage    = "IMAGE"
)

// Kinds lists the element kinds.
var Kinds = []string{KindInput, KindTextarea, KindBoolean, KindSelect, KindFile, KindImage}

// Object types that carry attributes.
const (
	Customer       = "Customer"
	Order          = "Order"
	Product        = "Product"
	ProductVariant = "ProductVariant"
)

// ObjectTypes lists the object types that carry attributes.
var ObjectTypes = []string{Customer, Order, Product, ProductVariant}

// Type is an attribute type with its elements.
type Type struct {
	store.AttributeType
	Elements []ElementDef
}

// Element returns the type's element with key.
func (t Type) Element(key string) (ElementDef, bool) {
	i := slices.IndexFunc(t.Elements, func(e ElementDef) bool { return e.Key == key })
	if i < 0 {
		return ElementDef{}, false
	}
	return t.Elements[i], true
}

// ElementDef is one field of an attribute type.
type ElementDef struct {
	Key         string
	Description string
	Kind        string
	IsMulti     bool
	Options     []Option
}

// Option is a choice of a SELECT element.
type Option struct {
	Value string `json:"value"`
	Name  string `json:"name"`
}

// Attribute is what an object carries of one attribute type: a mapped
// attribute (Mapped set) or its dynamic values.
type Attribute struct {
	Type       Type
	Mapped     *store.MappedAttribute
	ObjectType string
	Elements   []Element
}

// Element is an element's value; Set is false for an element of a dynamic
// type that the object has no value for.
type Element struct {
	ElementDef
	Value string
	Set   bool
}

// Types loads every attribute type with its elements, by id.
func Types(ctx context.Context, q db.Q) ([]Type, error) {
	rows, err := store.AttributeTypes(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("attribute types: %w", err)
	}
	return withElements(ctx, q, rows)
}

func withElements(ctx context.Context, q db.Q, rows []store.AttributeType) ([]Type, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	els, err := store.AttributeElements(ctx, q, ids)
	if err != nil {
		return nil, fmt.Errorf("attribute elements: %w", err)
	}
	out := make([]Type, len(rows))
	for i, r := range rows {
		out[i].AttributeType = r
		for _, e := range els {
			if e.TypeID != r.ID {
				continue
			}
			d := ElementDef{Key: e.Key, Description: e.Description, Kind: e.Kind, IsMulti: e.IsMulti}
			if err := json.Unmarshal([]byte(e.Options), &d.Options); err != nil {
				return nil, fmt.Errorf("attribute type %s element %s options: %w", r.Name, e.Key, err)
			}
			out[i].Elements = append(out[i].Elements, d)
		}
	}
	return out, nil
}

// Of returns the attributes objects of a type carry, by object id: mapped
// attributes and, one per type, dynamic values, ordered by type and then
// mapped attribute id. Objects without attributes get an empty list.
func Of(ctx context.Context, q db.Q, objectType string, ids []int64) (map[int64][]Attribute, error) {
	values, err := store.ObjectAttributeValues(ctx, q, objectType, ids)
	if err != nil {
		return nil, fmt.Errorf("%s attribute values: %w", objectType, err)
	}
	assigned, err := store.ObjectAttributeAssignments(ctx, q, objectType, ids)
	if err != nil {
		return nil, fmt.Errorf("%s attribute assignments: %w", objectType, err)
	}
	mappedIDs := make([]int64, len(assigned))
	for i, a := range assigned {
		mappedIDs[i] = a.AttributeID
	}
	mapped, err := store.MappedAttributesByIDs(ctx, q, mappedIDs)
	if err != nil {
		return nil, fmt.Errorf("mapped attributes: %w", err)
	}
	mappedValues, err := store.MappedAttributeValues(ctx, q, mappedIDs)
	if err != nil {
		return nil, fmt.Errorf("mapped attribute values: %w", err)
	}
	types, err := Types(ctx, q)
	if err != nil {
		return nil, err
	}
	typeByID := map[int64]Type{}
	for _, t := range types {
		typeByID[t.ID] = t
	}
	out := make(map[int64][]Attribute, len(ids))
	for _, id := range ids {
		out[id] = []Attribute{}
	}
	// Dynamic values, one attribute per object and type.
	for _, t := range types {
		for _, id := range ids {
			var got []store.AttributeValue
			for _, v := range values {
				if v.ObjectID == id && v.TypeID == t.ID {
					got = append(got, v)
				}
			}
			if len(got) > 0 {
				out[id] = append(out[id], Attribute{Type: t, ObjectType: objectType, Elements: elements(t, got)})
			}
		}
	}
	for _, a := range assigned {
		i := slices.IndexFunc(mapped, func(m store.MappedAttribute) bool { return m.ID == a.AttributeID })
		if i < 0 {
			continue
		}
		m := mapped[i]
		t := typeByID[m.TypeID]
		var got []store.AttributeValue
		for _, v := range mappedValues {
			if v.ObjectID == m.ID {
				got = append(got, v)
			}
		}
		out[a.ObjectID] = append(out[a.ObjectID], Attribute{Type: t, Mapped: &m, ObjectType: objectType, Elements: elements(t, got)})
	}
	for id := range out {
		slices.SortStableFunc(out[id], func(a, b Attribute) int {
			if a.Type.ID != b.Type.ID {
				return int(a.Type.ID - b.Type.ID)
			}
			return int(mappedID(a) - mappedID(b))
		})
	}
	return out, nil
}

func mappedID(a Attribute) int64 {
	if a.Mapped == nil {
		return 0
	}
	return a.Mapped.ID
}

// elements lists a type's elements in order with the values given.
func elements(t Type, values []store.AttributeValue) []Element {
	out := make([]Element, len(t.Elements))
	for i, d := range t.Elements {
		out[i].ElementDef = d
		for _, v := range values {
			if v.Key == d.Key {
				out[i].Value, out[i].Set = v.Value, true
			}
		}
	}
	return out
}

// MappedByIDs loads mapped attributes with their values, by id.
func MappedByIDs(ctx context.Context, q db.Q, ids []int64) ([]Attribute, error) {
	rows, err := store.MappedAttributesByIDs(ctx, q, ids)
	if err != nil {
		return nil, fmt.Errorf("mapped attributes: %w", err)
	}
	return mappedWithValues(ctx, q, rows)
}

// MappedOfTypes loads the mapped attributes of types with their values,
// by id.
func MappedOfTypes(ctx context.Context, q db.Q, typeIDs []int64) ([]Attribute, error) {
	rows, err := store.MappedAttributesOfTypes(ctx, q, typeIDs)
	if err != nil {
		return nil, fmt.Errorf("mapped attributes: %w", err)
	}
	return mappedWithValues(ctx, q, rows)
}

func mappedWithValues(ctx context.Context, q db.Q, rows []store.MappedAttribute) ([]Attribute, error) {
	ids := make([]int64, len(rows))
	for i, m := range rows {
		ids[i] = m.ID
	}
	values, err := store.MappedAttributeValues(ctx, q, ids)
	if err != nil {
		return nil, fmt.Errorf("mapped attribute values: %w", err)
	}
	types, err := Types(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]Attribute, 0, len(rows))
	for _, m := range rows {
		i := slices.IndexFunc(types, func(t Type) bool { return t.ID == m.TypeID })
		if i < 0 {
			return nil, fmt.Errorf("mapped attribute %d: type %d is missing", m.ID, m.TypeID)
		}
		var got []store.AttributeValue
		for _, v := range values {
			if v.ObjectID == m.ID {
				got = append(got, v)
			}
		}
		out = append(out, Attribute{Type: types[i], Mapped: &m, ObjectType: types[i].ObjectType, Elements: elements(types[i], got)})
	}
	slices.SortFunc(out, func(a, b Attribute) int { return int(a.Mapped.ID - b.Mapped.ID) })
	return out, nil
}
