// Package idconv maps each integration's own ids to Seam's ids (ID
// conversion) and resolves the {id} / {externalId} references that every
// Integration API input uses.
package idconv

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/store"
)

// Types maps each object type that ID conversion knows to its table.
var Types = map[string]string{
	"Brand":           "brand",
	"Bundle":          "bundle",
	"Category":        "category",
	"Collection":      "collection",
	"Country":         "country",
	"Display":         "display",
	"Folder":          "folder",
	"Market":          "market",
	"Order":           "orders",
	"PriceAlteration": "price_alteration",
	"Pricelist":       "pricelist",
	"Product":         "product",
	"ProductSize":     "product_size",
	"ProductVariant":  "product_variant",
	"ShippingOption":  "shipping_option",
	"Size":            "size",
	"SizeChart":       "size_chart",
	"State":           "state",
	"StockChange":     "stock_change",
	"Store":           "store",
	"TaxGroup":        "tax_group",
	"Voucher":         "voucher",
	"Warehouse":       "warehouse",
}

// TypeNames returns the known object types in alphabetical order.
func TypeNames() []string {
	out := make([]string, 0, len(Types))
	for t := range Types {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// MaxExternalIDLength is the longest external id accepted, in characters
// (not bytes), as the schema documents.
const MaxExternalIDLength = 255

// CheckExternalID validates an external id.
func CheckExternalID(path seam.Path, id string) error {
	n := utf8.RuneCountInString(id)
	switch {
	case id == "":
		return seam.Invalid(path, "externalId must not be empty.")
	case n > MaxExternalIDLength:
		return seam.Invalid(path, "externalId is %d characters long; the limit is %d.", n, MaxExternalIDLength)
	}
	return nil
}

// Resolve returns the Seam id that ref points at, checking that the object
// exists. It accepts {id} or {externalId}; callers that also accept a code
// or name handle those first. Problems are UserErrors on path.
func Resolve(ctx context.Context, q db.Q, actor seam.Actor, objectType string, ref *seam.Ref, path seam.Path) (int64, error) {
	table, ok := Types[objectType]
	if !ok {
		return 0, fmt.Errorf("idconv: unknown object type %q", objectType)
	}
	if err := ExactlyOne(ref, path); err != nil {
		return 0, err
	}
	switch {
	case ref.ID != nil:
		found, err := store.Exists(ctx, q, table, *ref.ID)
		if err != nil {
			return 0, err
		}
		if !found {
			return 0, seam.Invalid(path.Key("id"), "Could not find %s with ID %d.", objectType, *ref.ID)
		}
		return *ref.ID, nil
	case ref.ExternalID != nil:
		id, err := store.ExternalToInternal(ctx, q, actor.Name, objectType, *ref.ExternalID)
		if errors.Is(err, seam.ErrNotFound) {
			return 0, seam.Invalid(path.Key("externalId"), "Could not find %s with external ID %q for integration %q.", objectType, *ref.ExternalID, actor.Name)
		}
		if err != nil {
			return 0, fmt.Errorf("resolve %s external id: %w", objectType, err)
		}
		found, err := store.Exists(ctx, q, table, id)
		if err != nil {
			return 0, err
		}
		if !found {
			return 0, seam.Invalid(path.Key("externalId"), "External ID %q points at %s %d, which no longer exists.", *ref.ExternalID, objectType, id)
		}
		return id, nil
	default:
		return 0, seam.Invalid(path, "Use id or externalId to point at a %s.", objectType)
	}
}

// ExactlyOne checks that a reference sets exactly one field.
func ExactlyOne(ref *seam.Ref, path seam.Path) error {
	if ref == nil {
		return seam.Invalid(path, "Exactly one input field should be provided, got none.")
	}
	n := 0
	for _, set := range []bool{ref.ID != nil, ref.ExternalID != nil, ref.Code != nil, ref.Name != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return seam.Invalid(path, "Exactly one input field should be provided, got %d.", n)
	}
	return nil
}

// Assign maps the actor's external id to a newly created or updated object.
// An external id that already names another existing object of the type is
// refused, so that a retried create cannot quietly make a second object;
// setIdConversions moves ids on purpose.
func Assign(ctx context.Context, q db.Q, actor seam.Actor, objectType string, internalID int64, externalID *string, path seam.Path) error {
	if externalID == nil {
		return nil
	}
	if err := CheckExternalID(path, *externalID); err != nil {
		return err
	}
	old, err := store.ExternalToInternal(ctx, q, actor.Name, objectType, *externalID)
	switch {
	case err == nil && old != internalID:
		found, err := store.Exists(ctx, q, Types[objectType], old)
		if err != nil {
			return err
		}
		if found {
			return seam.Invalid(path, "externalId %q already names %s %d; use another, or move it with setIdConversions.", *externalID, objectType, old)
		}
	case err != nil && !errors.Is(err, seam.ErrNotFound):
		return err
	}
	return store.SetIDConversion(ctx, q, &store.IDConversion{
		Integration: actor.Name, ObjectType: objectType, ExternalID: *externalID, InternalID: internalID,
	})
}

// Entry is one ID conversion to set.
type Entry struct {
	ObjectType string
	InternalID int64
	ExternalID string
}

// Set writes ID conversions for the actor's integration in one transaction;
// an entry for an object that does not exist is refused, and so is an
// external id or object given twice, since each entry would replace the
// one before it.
func Set(ctx context.Context, d *db.DB, actor seam.Actor, entries []Entry) ([]store.IDConversion, error) {
	var out []store.IDConversion
	err := d.Tx(ctx, func(tx *db.Tx) error {
		out = out[:0]
		var p seam.Problems
		type key struct{ objectType, externalID string }
		type object struct {
			objectType string
			id         int64
		}
		externals, internals := map[key]int{}, map[object]int{}
		for i, e := range entries {
			path := seam.P("input").Index(i)
			table, ok := Types[e.ObjectType]
			if !ok {
				p.Add(path.Key("objectType"), "Unknown object type %q.", e.ObjectType)
				continue
			}
			if err := CheckExternalID(path.Key("externalId"), e.ExternalID); err != nil {
				p.Merge(err)
				continue
			}
			if j, dup := externals[key{e.ObjectType, e.ExternalID}]; dup {
				p.Add(path.Key("externalId"), "externalId %q is given for a %s twice (entries %d and %d); an external id maps to one object.", e.ExternalID, e.ObjectType, j, i)
				continue
			}
			if j, dup := internals[object{e.ObjectType, e.InternalID}]; dup {
				p.Add(path.Key("internalId"), "%s %d is given twice (entries %d and %d); an object has one external id per integration.", e.ObjectType, e.InternalID, j, i)
				continue
			}
			externals[key{e.ObjectType, e.ExternalID}], internals[object{e.ObjectType, e.InternalID}] = i, i
			found, err := store.Exists(ctx, tx, table, e.InternalID)
			if err != nil {
				return err
			}
			if !found {
				p.Add(path.Key("internalId"), "Could not find %s with ID %d.", e.ObjectType, e.InternalID)
				continue
			}
			c := store.IDConversion{Integration: actor.Name, ObjectType: e.ObjectType, ExternalID: e.ExternalID, InternalID: e.InternalID}
			if err := store.SetIDConversion(ctx, tx, &c); err != nil {
				return fmt.Errorf("set id conversion: %w", err)
			}
			out = append(out, c)
		}
		return p.Err()
	})
	return out, err
}

// Unset is one ID conversion to remove, chosen by exactly one of its own id,
// the internal id or the external id.
type Unset struct {
	ObjectType string
	ID         *int64
	InternalID *int64
	ExternalID *string
}

// Remove deletes ID conversions of the actor's integration; an entry that
// matches nothing is a warning, not an error.
func Remove(ctx context.Context, d *db.DB, actor seam.Actor, entries []Unset) ([]seam.UserError, error) {
	var warnings []seam.UserError
	err := d.Tx(ctx, func(tx *db.Tx) error {
		warnings = warnings[:0]
		var p seam.Problems
		for i, e := range entries {
			path := seam.P("input").Index(i)
			if _, ok := Types[e.ObjectType]; !ok {
				p.Add(path.Key("objectType"), "Unknown object type %q.", e.ObjectType)
				continue
			}
			set := 0
			for _, b := range []bool{e.ID != nil, e.InternalID != nil, e.ExternalID != nil} {
				if b {
					set++
				}
			}
			if set != 1 {
				p.Add(path.Key("idConversion"), "Exactly one of id, internalId and externalId should be provided, got %d.", set)
				continue
			}
			n, err := store.DeleteIDConversion(ctx, tx, actor.Name, e.ObjectType, e.ID, e.InternalID, e.ExternalID)
			if err != nil {
				return fmt.Errorf("unset id conversion: %w", err)
			}
			if n == 0 {
				p.Warn(path.Key("idConversion"), "No %s ID conversion matched; nothing to remove.", e.ObjectType)
			}
		}
		warnings = p.Warnings
		return p.Err()
	})
	return warnings, err
}

// Collect resolves ref for an operation that gathers every input problem in
// p before it gives up: an unknown or ambiguous reference is added to p and
// reported as not ok; other errors are returned. A nil ref is not ok and
// adds nothing (the caller decides whether it was required).
func Collect(ctx context.Context, q db.Q, p *seam.Problems, actor seam.Actor, objectType string, ref *seam.Ref, path seam.Path) (int64, bool, error) {
	if ref == nil {
		return 0, false, nil
	}
	id, err := Resolve(ctx, q, actor, objectType, ref, path)
	if p.Merge(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return id, true, nil
}

// Optional is Collect for an optional reference field: nil when ref is nil
// or a problem was collected.
func Optional(ctx context.Context, q db.Q, p *seam.Problems, actor seam.Actor, objectType string, ref *seam.Ref, path seam.Path) (*int64, error) {
	id, ok, err := Collect(ctx, q, p, actor, objectType, ref, path)
	if !ok {
		return nil, err
	}
	return &id, nil
}

// Clearable is Optional for a reference that an update may clear: an empty
// reference ({} or {id: null}) means none.
func Clearable(ctx context.Context, q db.Q, p *seam.Problems, actor seam.Actor, objectType string, ref *seam.Ref, path seam.Path) (*int64, error) {
	if ref.IsZero() {
		return nil, nil
	}
	return Optional(ctx, q, p, actor, objectType, ref, path)
}
