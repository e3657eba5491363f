package store

import (
	"context"
	"time"

	"seam/internal/db"
)

// AttributeType defines custom attributes of one object type: their
// elements, and whether values are defined once and assigned by id
// (mapped) or set on each object (dynamic).
type AttributeType struct {
	ID          int64
	Name        string
	Description string
	ObjectType  string
	IsMapped    bool
	IsMulti     bool
	Readonly    bool
	// Source is "config" (the configuration file) or "api".
	Source    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AttributeElement is one field of an attribute type.
type AttributeElement struct {
	TypeID      int64
	Position    int
	Key         string
	Description string
	Kind        string
	IsMulti     bool
	// Options is a JSON list of {"value", "name"} for SELECT elements.
	Options string
}

// MappedAttribute is a value set of a mapped attribute type, assigned to
// objects by id.
type MappedAttribute struct {
	ID        int64
	TypeID    int64
	Name      string
	CreatedAt time.Time
}

// AttributeValue is an element value: of a mapped attribute (ObjectID is
// the mapped attribute's id, ObjectType empty) or set on an object.
type AttributeValue struct {
	ObjectType string
	ObjectID   int64
	TypeID     int64
	Key        string
	Value      string
}

// AttributeAssignment is a mapped attribute assigned to an object.
type AttributeAssignment struct {
	ObjectType  string
	ObjectID    int64
	AttributeID int64
}

const attributeTypeSelect = `SELECT id, name, description, object_type, is_mapped, is_multi, readonly, source, created_at, updated_at FROM attribute_type`

func scanAttributeType(s scanner) (AttributeType, error) {
	var t AttributeType
	err := s.Scan(&t.ID, &t.Name, &t.Description, &t.ObjectType, &t.IsMapped, &t.IsMulti, &t.Readonly, &t.Source, &t.CreatedAt, &t.UpdatedAt)
	return t, err
}

// AttributeTypes lists every attribute type, by id.
func AttributeTypes(ctx context.Context, q db.Q) ([]AttributeType, error) {
	return all(ctx, q, scanAttributeType, attributeTypeSelect+` ORDER BY id`)
}

// AttributeTypeByName finds an attribute type; seam.ErrNotFound when none.
func AttributeTypeByName(ctx context.Context, q db.Q, name string) (AttributeType, error) {
	return one(ctx, q, scanAttributeType, attributeTypeSelect+` WHERE name = $1`, name)
}

// SaveAttributeType inserts t, or replaces the type of the same name, with
// its elements; it sets t.ID.
func SaveAttributeType(ctx context.Context, q db.Q, t *AttributeType, elements []AttributeElement) error {
	err := q.QueryRowContext(ctx, `INSERT INTO attribute_type (name, description, object_type, is_mapped, is_multi, readonly, source, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
		ON CONFLICT (name) DO UPDATE SET description = excluded.description, object_type = excluded.object_type, is_mapped = excluded.is_mapped,
			is_multi = excluded.is_multi, readonly = excluded.readonly, source = excluded.source, updated_at = excluded.updated_at
		RETURNING id`, t.Name, t.Description, t.ObjectType, t.IsMapped, t.IsMulti, t.Readonly, t.Source, db.Time(t.UpdatedAt)).Scan(&t.ID)
	if err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM attribute_type_element WHERE type_id = $1`, t.ID); err != nil {
		return err
	}
	for i, e := range elements {
		if _, err := q.ExecContext(ctx, `INSERT INTO attribute_type_element (type_id, position, key, description, kind, is_multi, options)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.ID, i, e.Key, e.Description, e.Kind, e.IsMulti, e.Options); err != nil {
			return err
		}
	}
	return nil
}

// AttributeElements returns the elements of attribute types, in order.
func AttributeElements(ctx context.Context, q db.Q, typeIDs []int64) ([]AttributeElement, error) {
	return byIDs(ctx, q, func(s scanner) (AttributeElement, error) {
		var e AttributeElement
		err := s.Scan(&e.TypeID, &e.Position, &e.Key, &e.Description, &e.Kind, &e.IsMulti, &e.Options)
		return e, err
	}, `SELECT type_id, position, key, description, kind, is_multi, options FROM attribute_type_element`, "type_id", typeIDs, " ORDER BY type_id, position")
}

const mappedAttributeSelect = `SELECT id, type_id, name, created_at FROM mapped_attribute`

func scanMappedAttribute(s scanner) (MappedAttribute, error) {
	var m MappedAttribute
	err := s.Scan(&m.ID, &m.TypeID, &m.Name, &m.CreatedAt)
	return m, err
}

// InsertMappedAttribute adds a mapped attribute with its element values;
// it sets m.ID. A second one of the same name in the type is a unique
// violation.
func InsertMappedAttribute(ctx context.Context, q db.Q, m *MappedAttribute, values []AttributeValue) error {
	id, err := insertID(ctx, q, `INSERT INTO mapped_attribute (type_id, name, created_at) VALUES ($1, $2, $3) RETURNING id`, m.TypeID, m.Name, db.Time(m.CreatedAt))
	if err != nil {
		return err
	}
	m.ID = id
	for _, v := range values {
		if _, err := q.ExecContext(ctx, `INSERT INTO mapped_attribute_value (attribute_id, element_key, value) VALUES ($1, $2, $3)`, id, v.Key, v.Value); err != nil {
			return err
		}
	}
	return nil
}

// MappedAttributesByIDs loads mapped attributes by id.
func MappedAttributesByIDs(ctx context.Context, q db.Q, ids []int64) ([]MappedAttribute, error) {
	return byIDs(ctx, q, scanMappedAttribute, mappedAttributeSelect, "id", ids, "")
}

// MappedAttributesOfTypes lists the mapped attributes of types, by id.
func MappedAttributesOfTypes(ctx context.Context, q db.Q, typeIDs []int64) ([]MappedAttribute, error) {
	return byIDs(ctx, q, scanMappedAttribute, mappedAttributeSelect, "type_id", typeIDs, " ORDER BY id")
}

// MappedAttributeValues returns the element values of mapped attributes
// (ObjectID is the mapped attribute's id).
func MappedAttributeValues(ctx context.Context, q db.Q, ids []int64) ([]AttributeValue, error) {
	return byIDs(ctx, q, func(s scanner) (AttributeValue, error) {
		var v AttributeValue
		err := s.Scan(&v.ObjectID, &v.TypeID, &v.Key, &v.Value)
		return v, err
	}, `SELECT v.attribute_id, m.type_id, v.element_key, v.value FROM mapped_attribute_value v JOIN mapped_attribute m ON m.id = v.attribute_id`,
		"v.attribute_id", ids, "")
}

// SetAttributeValue sets one element value on an object and reports
// whether it changed.
func SetAttributeValue(ctx context.Context, q db.Q, v AttributeValue) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO attribute_value (object_type, object_id, type_id, element_key, value) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (object_type, object_id, type_id, element_key) DO UPDATE SET value = excluded.value
		WHERE attribute_value.value <> excluded.value`, v.ObjectType, v.ObjectID, v.TypeID, v.Key, v.Value)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// DeleteAttributeValues removes an object's values of an attribute type
// and reports how many there were.
func DeleteAttributeValues(ctx context.Context, q db.Q, objectType string, objectID, typeID int64) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM attribute_value WHERE object_type = $1 AND object_id = $2 AND type_id = $3`, objectType, objectID, typeID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// AssignMappedAttribute assigns a mapped attribute to an object and
// reports whether it was not assigned already. With only set, the object's
// other attributes of the type are unassigned first (a type that is not
// multi holds one attribute per object).
func AssignMappedAttribute(ctx context.Context, q db.Q, a AttributeAssignment, typeID int64, only bool) (bool, error) {
	if only {
		if _, err := q.ExecContext(ctx, `DELETE FROM attribute_assignment WHERE object_type = $1 AND object_id = $2 AND attribute_id <> $3
			AND attribute_id IN (SELECT id FROM mapped_attribute WHERE type_id = $4)`, a.ObjectType, a.ObjectID, a.AttributeID, typeID); err != nil {
			return false, err
		}
	}
	res, err := q.ExecContext(ctx, `INSERT INTO attribute_assignment (object_type, object_id, attribute_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		a.ObjectType, a.ObjectID, a.AttributeID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// UnassignMappedAttribute removes a mapped attribute from an object and
// reports whether it was assigned.
func UnassignMappedAttribute(ctx context.Context, q db.Q, a AttributeAssignment) (bool, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM attribute_assignment WHERE object_type = $1 AND object_id = $2 AND attribute_id = $3`,
		a.ObjectType, a.ObjectID, a.AttributeID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// ObjectAttributeValues returns the dynamic values set on objects of a type.
func ObjectAttributeValues(ctx context.Context, q db.Q, objectType string, ids []int64) ([]AttributeValue, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, args := db.In(2, ids)
	return all(ctx, q, func(s scanner) (AttributeValue, error) {
		var v AttributeValue
		err := s.Scan(&v.ObjectType, &v.ObjectID, &v.TypeID, &v.Key, &v.Value)
		return v, err
	}, `SELECT object_type, object_id, type_id, element_key, value FROM attribute_value WHERE object_type = $1 AND object_id IN (`+marks+`)
		ORDER BY object_id, type_id`, append([]any{objectType}, args...)...)
}

// ObjectAttributeAssignments returns the mapped attributes assigned to
// objects of a type.
func ObjectAttributeAssignments(ctx context.Context, q db.Q, objectType string, ids []int64) ([]AttributeAssignment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, args := db.In(2, ids)
	return all(ctx, q, func(s scanner) (AttributeAssignment, error) {
		var a AttributeAssignment
		err := s.Scan(&a.ObjectType, &a.ObjectID, &a.AttributeID)
		return a, err
	}, `SELECT object_type, object_id, attribute_id FROM attribute_assignment WHERE object_type = $1 AND object_id IN (`+marks+`)
		ORDER BY object_id, attribute_id`, append([]any{objectType}, args...)...)
}
