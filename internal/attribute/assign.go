package attribute

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"seam/internal/customer"
	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/mutant"
	"seam/internal/seam"
	"seam/internal/store"
)

// AssignInput assigns attributes to one object (assignAttributes).
// ObjectID is the object's id; for an Order, its number.
type AssignInput struct {
	ObjectType        *string
	ObjectID          *int64
	MappedAttributes  []MappedRef
	DynamicAttributes []DynamicValue
}

// UnassignInput removes attributes from one object (unassignAttributes).
type UnassignInput struct {
	ObjectType        *string
	ObjectID          *int64
	MappedAttributes  []MappedRef
	DynamicAttributes []DynamicRef
}

// MappedRef names a mapped attribute of a type.
type MappedRef struct {
	AttributeTypeName *string
	AttributeID       *int64
}

// DynamicValue sets one element of a dynamic attribute.
type DynamicValue struct {
	AttributeTypeName     *string
	AttributeElementKey   *string
	AttributeElementValue *string
}

// DynamicRef names a dynamic attribute type whose values go.
type DynamicRef struct {
	AttributeTypeName *string
}

// Object is an object that carries attributes: its type and Seam id (an
// order's internal id, not its number).
type Object struct {
	Type string
	ID   int64
}

// target is the object an assignment changes and what its event needs.
type target struct {
	Object
	storeID  *int64
	marketID *int64
	eventID  string
	customer *store.Customer
}

// Assign sets dynamic values and assigns mapped attributes on one object,
// all or nothing, and records the object's UPDATED event when anything
// changed.
func Assign(ctx context.Context, d *db.DB, actor seam.Actor, in AssignInput) (Object, error) {
	var obj Object
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var p seam.Problems
		path := seam.P("input")
		tg, err := resolve(ctx, tx, &p, actor, in.ObjectType, in.ObjectID, path)
		if err != nil {
			return err
		}
		obj = tg.Object
		if len(in.MappedAttributes) == 0 && len(in.DynamicAttributes) == 0 {
			p.Add(path, "Give mappedAttributes or dynamicAttributes to assign.")
		}
		types := map[string]Type{}
		var values []store.AttributeValue
		for i, v := range in.DynamicAttributes {
			vp := path.Key("dynamicAttributes").Index(i)
			t, ok, err := usable(ctx, tx, &p, types, tg, v.AttributeTypeName, false, vp.Key("attributeTypeName"))
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if v.AttributeElementKey == nil || v.AttributeElementValue == nil {
				p.Add(vp, "Give attributeElementKey and attributeElementValue.")
				continue
			}
			val, ok := checkValue(&p, t, *v.AttributeElementKey, *v.AttributeElementValue, vp.Key("attributeElementKey"), vp.Key("attributeElementValue"))
			if ok && !mutant.On("attribute-value-dropped") {
				values = append(values, store.AttributeValue{ObjectType: tg.Type, ObjectID: tg.ID, TypeID: t.ID, Key: *v.AttributeElementKey, Value: val})
			}
		}
		type assignment struct {
			a    store.AttributeAssignment
			t    Type
			only bool
		}
		var mapped []assignment
		for i, m := range in.MappedAttributes {
			mp := path.Key("mappedAttributes").Index(i)
			t, ok, err := usable(ctx, tx, &p, types, tg, m.AttributeTypeName, true, mp.Key("attributeTypeName"))
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if ok, err := mappedOf(ctx, tx, &p, t, m.AttributeID, mp.Key("attributeId")); err != nil || !ok {
				if err != nil {
					return err
				}
				continue
			}
			if !t.IsMulti && slices.ContainsFunc(mapped, func(x assignment) bool { return x.t.ID == t.ID }) {
				p.Add(mp, "%s holds one attribute per object; assign one of them.", t.Name)
				continue
			}
			mapped = append(mapped, assignment{store.AttributeAssignment{ObjectType: tg.Type, ObjectID: tg.ID, AttributeID: *m.AttributeID}, t, !t.IsMulti})
		}
		if err := p.Err(); err != nil {
			return err
		}
		var changed []string
		for _, v := range values {
			ch, err := store.SetAttributeValue(ctx, tx, v)
			if err != nil {
				return fmt.Errorf("set %s %d attribute: %w", tg.Type, tg.ID, err)
			}
			if ch {
				changed = append(changed, typeName(types, v.TypeID)+"."+v.Key)
			}
		}
		for _, m := range mapped {
			ch, err := store.AssignMappedAttribute(ctx, tx, m.a, m.t.ID, m.only)
			if err != nil {
				return fmt.Errorf("assign attribute %d to %s %d: %w", m.a.AttributeID, tg.Type, tg.ID, err)
			}
			if ch {
				changed = append(changed, m.t.Name+"#"+strconv.FormatInt(m.a.AttributeID, 10))
			}
		}
		return touched(ctx, tx, tg, actor, map[string]any{"assigned": changed}, len(changed) > 0)
	})
	return obj, seam.Wrap(err, "assign attributes")
}

// Unassign removes dynamic values (by type) and mapped attributes from one
// object, all or nothing; naming what the object does not carry is an
// input problem.
func Unassign(ctx context.Context, d *db.DB, actor seam.Actor, in UnassignInput) (Object, error) {
	var obj Object
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var p seam.Problems
		path := seam.P("input")
		tg, err := resolve(ctx, tx, &p, actor, in.ObjectType, in.ObjectID, path)
		if err != nil {
			return err
		}
		obj = tg.Object
		if len(in.MappedAttributes) == 0 && len(in.DynamicAttributes) == 0 {
			p.Add(path, "Give mappedAttributes or dynamicAttributes to unassign.")
		}
		types := map[string]Type{}
		var dynamic []Type
		for i, v := range in.DynamicAttributes {
			t, ok, err := usable(ctx, tx, &p, types, tg, v.AttributeTypeName, false, path.Key("dynamicAttributes").Index(i).Key("attributeTypeName"))
			if err != nil {
				return err
			}
			if ok {
				dynamic = append(dynamic, t)
			}
		}
		var mapped []store.AttributeAssignment
		for i, m := range in.MappedAttributes {
			mp := path.Key("mappedAttributes").Index(i)
			t, ok, err := usable(ctx, tx, &p, types, tg, m.AttributeTypeName, true, mp.Key("attributeTypeName"))
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if ok, err := mappedOf(ctx, tx, &p, t, m.AttributeID, mp.Key("attributeId")); err != nil || !ok {
				if err != nil {
					return err
				}
				continue
			}
			mapped = append(mapped, store.AttributeAssignment{ObjectType: tg.Type, ObjectID: tg.ID, AttributeID: *m.AttributeID})
		}
		if err := p.Err(); err != nil {
			return err
		}
		var removed []string
		for i, t := range dynamic {
			n, err := store.DeleteAttributeValues(ctx, tx, tg.Type, tg.ID, t.ID)
			if err != nil {
				return fmt.Errorf("unassign %s from %s %d: %w", t.Name, tg.Type, tg.ID, err)
			}
			if n == 0 {
				p.Add(path.Key("dynamicAttributes").Index(i), "%s %d has no %s values.", tg.Type, *in.ObjectID, t.Name)
			}
			removed = append(removed, t.Name)
		}
		for i, a := range mapped {
			ok, err := store.UnassignMappedAttribute(ctx, tx, a)
			if err != nil {
				return fmt.Errorf("unassign attribute %d from %s %d: %w", a.AttributeID, tg.Type, tg.ID, err)
			}
			if !ok {
				p.Add(path.Key("mappedAttributes").Index(i), "Attribute %d is not assigned to %s %d.", a.AttributeID, tg.Type, *in.ObjectID)
			}
			removed = append(removed, "#"+strconv.FormatInt(a.AttributeID, 10))
		}
		if err := p.Err(); err != nil {
			return err
		}
		return touched(ctx, tx, tg, actor, map[string]any{"unassigned": removed}, true)
	})
	return obj, seam.Wrap(err, "unassign attributes")
}

// resolve finds the object an assignment is about; problems go to p and
// give a zero target.
func resolve(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, objectType *string, objectID *int64, path seam.Path) (target, error) {
	if objectType == nil || !slices.Contains(ObjectTypes, *objectType) {
		p.Add(path.Key("objectType"), "objectType must be one of %s.", strings.Join(ObjectTypes, ", "))
		return target{}, nil
	}
	if objectID == nil {
		p.Add(path.Key("objectId"), "Give the %s's id.", *objectType)
		return target{}, nil
	}
	id := *objectID
	tg := target{Object: Object{Type: *objectType, ID: id}, eventID: strconv.FormatInt(id, 10)}
	var err error
	switch *objectType {
	case Customer:
		var cs []store.Customer
		if cs, err = store.CustomersByIDs(ctx, tx, []int64{id}); err == nil && len(cs) == 0 {
			err = seam.ErrNotFound
		}
		if err == nil {
			tg.customer, tg.storeID = &cs[0], &cs[0].StoreID
		}
	case Order:
		var o store.Order
		if o, err = store.OrderByNumber(ctx, tx, id); err == nil {
			tg.ID, tg.eventID, tg.storeID, tg.marketID = o.ID, o.Hash, &o.StoreID, &o.MarketID
		}
	case Product:
		_, err = store.GetProduct(ctx, tx, id)
	case ProductVariant:
		_, err = store.GetVariant(ctx, tx, id)
	}
	if errors.Is(err, seam.ErrNotFound) {
		what := "ID"
		if *objectType == Order {
			what = "number"
		}
		p.Add(path.Key("objectId"), "Could not find %s with %s %d.", *objectType, what, id)
		return target{}, nil
	}
	if err != nil {
		return target{}, fmt.Errorf("%s %d: %w", *objectType, id, err)
	}
	if tg.storeID != nil && !actor.MayUseStore(*tg.storeID) {
		p.Merge(actor.StoreError(path.Key("objectId"), fmt.Sprintf("%s %d", *objectType, id), *tg.storeID))
		return target{}, nil
	}
	return tg, nil
}

// usable loads the named type (caching it in types) and checks that it can
// be assigned to tg through the API as mapped or dynamic.
func usable(ctx context.Context, tx *db.Tx, p *seam.Problems, types map[string]Type, tg target, name *string, mapped bool, path seam.Path) (Type, bool, error) {
	if name == nil {
		p.Add(path, "Name the attribute type.")
		return Type{}, false, nil
	}
	t, ok := types[*name]
	if !ok {
		var err error
		if t, err = typeNamed(ctx, tx, *name, path); err != nil {
			if p.Merge(err) {
				return Type{}, false, nil
			}
			return Type{}, false, err
		}
		types[*name] = t
	}
	switch {
	case tg.Type == "":
		return Type{}, false, nil
	case t.ObjectType != tg.Type:
		p.Add(path, "%s is an attribute type of %s, not of %s.", t.Name, t.ObjectType, tg.Type)
	case t.IsMapped && !mapped:
		p.Add(path, "%s is a mapped attribute type: assign one of its attributes by id in mappedAttributes.", t.Name)
	case !t.IsMapped && mapped:
		p.Add(path, "%s is a dynamic attribute type: set its elements in dynamicAttributes.", t.Name)
	case t.Readonly:
		p.Add(path, "%s is read-only.", t.Name)
	default:
		return t, true, nil
	}
	return Type{}, false, nil
}

// mappedOf checks that id names a mapped attribute of t.
func mappedOf(ctx context.Context, tx *db.Tx, p *seam.Problems, t Type, id *int64, path seam.Path) (bool, error) {
	if id == nil {
		p.Add(path, "Give the mapped attribute's id.")
		return false, nil
	}
	ms, err := store.MappedAttributesByIDs(ctx, tx, []int64{*id})
	if err != nil {
		return false, err
	}
	if len(ms) == 0 || ms[0].TypeID != t.ID {
		p.Add(path, "%s has no attribute with ID %d.", t.Name, *id)
		return false, nil
	}
	return true, nil
}

func typeName(types map[string]Type, id int64) string {
	for _, t := range types {
		if t.ID == id {
			return t.Name
		}
	}
	return strconv.FormatInt(id, 10)
}

// touched records the object's UPDATED event when changed.
func touched(ctx context.Context, tx *db.Tx, tg target, actor seam.Actor, payload any, changed bool) error {
	if !changed {
		return nil
	}
	if tg.customer != nil {
		return customer.Touched(ctx, tx, *tg.customer, actor.Name, payload)
	}
	_, err := event.Record(ctx, tx, event.Event{StoreID: tg.storeID, MarketID: tg.marketID, ObjectType: tg.Type, ObjectID: tg.eventID, Action: event.Updated,
		Actor: actor.Name, Payload: payload})
	return err
}
