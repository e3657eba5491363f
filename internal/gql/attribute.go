package gql

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/vikstrous/dataloadgen"

	"seam/internal/attribute"
	"seam/internal/db"
	"seam/internal/gql/model"
	"seam/internal/seam"
)

// attributesLoader loads the attributes of objects, keyed by object type
// and id; one query set per object type.
func attributesLoader(q db.Q) *dataloadgen.Loader[extKey, []attribute.Attribute] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, keys []extKey) (map[extKey][]attribute.Attribute, error) {
		byType := map[string][]int64{}
		for _, k := range keys {
			byType[k.typ] = append(byType[k.typ], k.id)
		}
		out := make(map[extKey][]attribute.Attribute, len(keys))
		for typ, ids := range byType {
			m, err := attribute.Of(ctx, q, typ, ids)
			if err != nil {
				return nil, err
			}
			for id, list := range m {
				out[extKey{typ, id}] = list
			}
		}
		return out, nil
	}, dataloadgen.WithWait(wait))
}

// attributesOf answers an object's attributes field.
func attributesOf(ctx context.Context, objectType string, id int64) ([]model.Attribute, error) {
	list, err := loads(ctx).attributes.Load(ctx, extKey{objectType, id})
	if err != nil {
		return nil, err
	}
	out := make([]model.Attribute, len(list))
	for i, a := range list {
		out[i] = attributeModel(a)
	}
	return out, nil
}

// attributeModel converts an attribute to its GraphQL type.
func attributeModel(a attribute.Attribute) model.Attribute {
	t := a.Type
	els := make([]model.AttributeElement, len(a.Elements))
	for i, e := range a.Elements {
		els[i] = elementModel(e)
	}
	if a.Mapped != nil {
		return &model.MappedAttribute{ID: a.Mapped.ID, Name: a.Mapped.Name, Description: t.Description, ObjectType: a.ObjectType, Elements: els, Type: &t}
	}
	return &model.DynamicAttribute{Description: t.Description, ObjectType: a.ObjectType, Elements: els, Type: &t}
}

func elementModel(e attribute.Element) model.AttributeElement {
	var value *string
	if e.Set {
		value = &e.Value
	}
	switch e.Kind {
	case attribute.KindSelect:
		out := &model.AttributeChoiceElement{Key: e.Key, Description: e.Description, Kind: e.Kind, IsMulti: e.IsMulti}
		if value != nil && *value != "" {
			var names []string
			for _, v := range strings.Split(*value, ",") {
				name := v
				for _, o := range e.Options {
					if o.Value == v {
						name = o.Name
					}
				}
				names = append(names, name)
			}
			joined := strings.Join(names, ",")
			out.SelectedValue, out.SelectedValueName = value, &joined
		}
		return out
	case attribute.KindFile:
		return &model.AttributeFileElement{Key: e.Key, Description: e.Description, Kind: e.Kind, URL: value}
	case attribute.KindImage:
		out := &model.AttributeImageElement{Key: e.Key, Description: e.Description, Kind: e.Kind, URL: value}
		if value != nil {
			if mt := attribute.MimeType(*value); mt != "" {
				out.MimeType = &mt
			}
		}
		return out
	}
	return &model.AttributeStringElement{Key: e.Key, Description: e.Description, Kind: e.Kind, Value: value}
}

// paramsJSON is an element's settings as Centra's paramsJSON shows them.
func paramsJSON(e attribute.ElementDef) string {
	params := map[string]any{}
	if len(e.Options) > 0 {
		params["options"] = e.Options
	}
	b, _ := json.Marshal(params)
	return string(b)
}

// attributeObject loads the object an assignment changed.
func attributeObject(ctx context.Context, obj attribute.Object) (model.AnyObjectWithAttributes, error) {
	l := loads(ctx)
	switch obj.Type {
	case attribute.Customer:
		return one(ctx, l.customer, obj.ID)
	case attribute.Order:
		return one(ctx, l.order, obj.ID)
	case attribute.Product:
		return one(ctx, l.product, obj.ID)
	case attribute.ProductVariant:
		return one(ctx, l.variant, obj.ID)
	}
	return nil, fmt.Errorf("attributes of %s: %w", obj.Type, seam.ErrInvalid)
}

// typeMatches reports whether an attribute type passes a filter.
func typeMatches(t attribute.Type, name *model.StringMatch, isMapped *bool, objectTypes []string) bool {
	if name != nil && name.Equals != nil && t.Name != *name.Equals {
		return false
	}
	if name != nil && name.Contains != nil && !strings.Contains(strings.ToLower(t.Name), strings.ToLower(*name.Contains)) {
		return false
	}
	if isMapped != nil && t.IsMapped != *isMapped {
		return false
	}
	return objectTypes == nil || slices.Contains(objectTypes, t.ObjectType)
}
