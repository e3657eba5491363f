package store

import (
	"context"

	"seam/internal/db"
)

// IDConversion maps an integration's own id for an object to Seam's id.
type IDConversion struct {
	ID          int64
	Integration string
	ObjectType  string
	ExternalID  string
	InternalID  int64
}

const idConversionSelect = `SELECT id, integration, object_type, external_id, internal_id FROM id_conversion`

func scanIDConversion(s scanner) (IDConversion, error) {
	var c IDConversion
	err := s.Scan(&c.ID, &c.Integration, &c.ObjectType, &c.ExternalID, &c.InternalID)
	return c, err
}

// SetIDConversion maps externalID to internalID for an integration and
// object type. The mapping is one to one: an earlier entry for either id is
// replaced.
func SetIDConversion(ctx context.Context, q db.Q, c *IDConversion) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM id_conversion WHERE integration = $1 AND object_type = $2 AND (external_id = $3 OR internal_id = $4)`,
		c.Integration, c.ObjectType, c.ExternalID, c.InternalID); err != nil {
		return err
	}
	id, err := insertID(ctx, q, `INSERT INTO id_conversion (integration, object_type, external_id, internal_id) VALUES ($1, $2, $3, $4) RETURNING id`,
		c.Integration, c.ObjectType, c.ExternalID, c.InternalID)
	c.ID = id
	return err
}

// ExternalToInternal finds the internal id an integration's external id
// maps to; an unknown external id is seam.ErrNotFound.
func ExternalToInternal(ctx context.Context, q db.Q, integration, objectType, externalID string) (int64, error) {
	return one(ctx, q, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	}, `SELECT internal_id FROM id_conversion WHERE integration = $1 AND object_type = $2 AND external_id = $3`, integration, objectType, externalID)
}

// IDConversionFilter narrows a list of ID conversions.
type IDConversionFilter struct {
	Integration string
	ObjectTypes []string
	ExternalID  *StringMatch
	InternalIDs []int64
}

// ListIDConversions lists an integration's ID conversions.
func ListIDConversions(ctx context.Context, q db.Q, f IDConversionFilter, p Page) ([]IDConversion, error) {
	var w where
	w.add("integration = ?", f.Integration)
	in(&w, "object_type", f.ObjectTypes)
	in(&w, "internal_id", f.InternalIDs)
	f.ExternalID.apply(&w, "external_id")
	return list(ctx, q, scanIDConversion, idConversionSelect, &w, " ORDER BY id", p)
}

// ExternalIDs returns the external ids an integration has for objects of a
// type, keyed by internal id.
func ExternalIDs(ctx context.Context, q db.Q, integration, objectType string, internalIDs []int64) (map[int64]string, error) {
	if len(internalIDs) == 0 {
		return map[int64]string{}, nil
	}
	marks, args := db.In(3, internalIDs)
	rows, err := all(ctx, q, scanIDConversion, idConversionSelect+` WHERE integration = $1 AND object_type = $2 AND internal_id IN (`+marks+`)`,
		append([]any{integration, objectType}, args...)...)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.InternalID] = r.ExternalID
	}
	return out, nil
}

// DeleteIDConversion removes one entry, chosen by its own id, its internal
// id or its external id; it reports how many rows went.
func DeleteIDConversion(ctx context.Context, q db.Q, integration, objectType string, id, internalID *int64, externalID *string) (int64, error) {
	var w where
	w.add("integration = ?", integration)
	w.add("object_type = ?", objectType)
	switch {
	case id != nil:
		w.add("id = ?", *id)
	case internalID != nil:
		w.add("internal_id = ?", *internalID)
	case externalID != nil:
		w.add("external_id = ?", *externalID)
	default:
		return 0, nil
	}
	res, err := q.ExecContext(ctx, `DELETE FROM id_conversion`+w.sql(), w.args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Exists reports whether table has a row with id. Table names come from
// code, never from input.
func Exists(ctx context.Context, q db.Q, table string, id int64) (bool, error) {
	return exists(ctx, q, table, id)
}
