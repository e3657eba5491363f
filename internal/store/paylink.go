package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"seam/internal/db"
	"seam/internal/mutant"
)

// PaymentLink sells copies of an operator's selection until one is paid.
// Hash is the SHA-256 of the secret in the link's URL.
type PaymentLink struct {
	ID             int64
	SelectionID    string
	StoreID        int64
	Hash           string
	LockQuantities bool
	IgnoreShipping bool
	IgnoreTax      bool
	ExpiresAt      *time.Time
	CreatedBy      string
	CreatedAt      time.Time
	UsedAt         *time.Time
	OrderID        *int64
	RevokedAt      *time.Time
	RevokedBy      *string
}

// Payment link states, as the Integration API names them.
const (
	LinkActive  = "ACTIVE"
	LinkUsed    = "USED"
	LinkRevoked = "REVOKED"
	LinkExpired = "EXPIRED"
)

// Status is the link's state at now.
func (l PaymentLink) Status(now time.Time) string {
	switch {
	case l.UsedAt != nil:
		return LinkUsed
	case l.RevokedAt != nil:
		return LinkRevoked
	case l.ExpiresAt != nil && !now.Before(*l.ExpiresAt):
		return LinkExpired
	}
	return LinkActive
}

const paymentLinkSelect = `SELECT id, selection_id, store_id, hash, lock_quantities, ignore_shipping, ignore_tax, expires_at, created_by, created_at,
	used_at, order_id, revoked_at, revoked_by FROM payment_link`

func scanPaymentLink(s scanner) (PaymentLink, error) {
	var l PaymentLink
	var expires, used, revoked sql.NullTime
	var order sql.NullInt64
	var revokedBy sql.NullString
	err := s.Scan(&l.ID, &l.SelectionID, &l.StoreID, &l.Hash, &l.LockQuantities, &l.IgnoreShipping, &l.IgnoreTax, &expires, &l.CreatedBy,
		&l.CreatedAt, &used, &order, &revoked, &revokedBy)
	l.ExpiresAt, l.UsedAt, l.RevokedAt = nullTime(expires), nullTime(used), nullTime(revoked)
	l.OrderID, l.RevokedBy = nullInt(order), nullString(revokedBy)
	return l, err
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

// InsertPaymentLink stores a payment link.
func InsertPaymentLink(ctx context.Context, q db.Q, l *PaymentLink) error {
	id, err := insertID(ctx, q, `INSERT INTO payment_link (selection_id, store_id, hash, lock_quantities, ignore_shipping, ignore_tax, expires_at,
		created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		l.SelectionID, l.StoreID, l.Hash, l.LockQuantities, l.IgnoreShipping, l.IgnoreTax, l.ExpiresAt, l.CreatedBy, l.CreatedAt)
	l.ID = id
	return err
}

// GetPaymentLink loads one payment link.
func GetPaymentLink(ctx context.Context, q db.Q, id int64) (PaymentLink, error) {
	return one(ctx, q, scanPaymentLink, paymentLinkSelect+` WHERE id = $1`, id)
}

// PaymentLinkByHash finds a selection's link by the hash of its secret.
func PaymentLinkByHash(ctx context.Context, q db.Q, selectionID, hash string) (PaymentLink, error) {
	return one(ctx, q, scanPaymentLink, paymentLinkSelect+` WHERE hash = $1 AND selection_id = $2`, hash, selectionID)
}

// PaymentLinksByIDs loads payment links by id.
func PaymentLinksByIDs(ctx context.Context, q db.Q, ids []int64) ([]PaymentLink, error) {
	return byIDs(ctx, q, scanPaymentLink, paymentLinkSelect, "id", ids, "")
}

// PaymentLinksOfSelections loads the links of selections.
func PaymentLinksOfSelections(ctx context.Context, q db.Q, ids []string) ([]PaymentLink, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks, args := db.In(1, ids)
	return all(ctx, q, scanPaymentLink, paymentLinkSelect+` WHERE selection_id IN (`+marks+`) ORDER BY id`, args...)
}

// PaymentLinkFilter narrows a payment link list. Status filters by state
// at Now.
type PaymentLinkFilter struct {
	IDs          []int64
	StoreIDs     []int64
	SelectionIDs []string
	Statuses     []string
	Now          time.Time
}

// ListPaymentLinks lists payment links.
func ListPaymentLinks(ctx context.Context, q db.Q, f PaymentLinkFilter, sorts []Sort, p Page) ([]PaymentLink, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "store_id", f.StoreIDs)
	in(&w, "selection_id", f.SelectionIDs)
	if len(f.Statuses) > 0 {
		var ors []string
		var args []any
		for _, st := range f.Statuses {
			switch st {
			case LinkUsed:
				ors = append(ors, "used_at IS NOT NULL")
			case LinkRevoked:
				ors = append(ors, "(used_at IS NULL AND revoked_at IS NOT NULL)")
			case LinkExpired:
				ors = append(ors, "(used_at IS NULL AND revoked_at IS NULL AND expires_at <= ?)")
				args = append(args, db.Time(f.Now))
			case LinkActive:
				ors = append(ors, "(used_at IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?))")
				args = append(args, db.Time(f.Now))
			}
		}
		if len(ors) > 0 {
			w.add("("+strings.Join(ors, " OR ")+")", args...)
		}
	}
	return list(ctx, q, scanPaymentLink, paymentLinkSelect, &w, orderBy(sorts, map[string]string{"id": "id", "createdAt": "created_at"}, "id"), p)
}

// UsePaymentLink marks a link used by an order, only while it is unused,
// not revoked and not expired at now: one conditional statement, so only
// one buyer's order can use it. It reports whether it did.
func UsePaymentLink(ctx context.Context, q db.Q, id, orderID int64, now time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, mutant.Drop("payment-link-reuse", `UPDATE payment_link SET used_at = $2, order_id = $3
		WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`, " AND used_at IS NULL"), id, db.Time(now), orderID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RevokePaymentLink revokes a link that was not used; it reports whether
// it did.
func RevokePaymentLink(ctx context.Context, q db.Q, id int64, by string, now time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE payment_link SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL`,
		id, db.Time(now), by)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteSelection marks a selection removed (a payment link sold it), only
// while it is not: one conditional statement, so only one link's buyer can
// sell it. It reports whether it did.
func DeleteSelection(ctx context.Context, q db.Q, id string, now time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, mutant.Drop("selection-sold-twice", `UPDATE selection SET deleted_at = $2, updated_at = $2 WHERE id = $1 AND deleted_at IS NULL`,
		" AND deleted_at IS NULL"), id, db.Time(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RevokeOtherLinks revokes the unused links of a selection but one (the
// one that sold it).
func RevokeOtherLinks(ctx context.Context, q db.Q, selectionID string, keep int64, by string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE payment_link SET revoked_at = $3, revoked_by = $4
		WHERE selection_id = $1 AND id <> $2 AND used_at IS NULL AND revoked_at IS NULL`, selectionID, keep, db.Time(now), by)
	return err
}

// Audit is who did what to an object, and when.
type Audit struct {
	Actor      string
	Action     string
	ObjectType string
	ObjectID   string
	Detail     *string
	CreatedAt  time.Time
}

// InsertAudit writes an audit row.
func InsertAudit(ctx context.Context, q db.Q, a Audit) error {
	_, err := q.ExecContext(ctx, `INSERT INTO audit_log (actor, action, object_type, object_id, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		a.Actor, a.Action, a.ObjectType, a.ObjectID, a.Detail, db.Time(a.CreatedAt))
	return err
}
