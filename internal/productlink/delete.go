package productlink

import (
	"context"
	"errors"
	"strconv"
	"time"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/seam"
	"seam/internal/store"
)

// Delete removes a product's link: its page then says it no longer exists
// and a buyer who is paying cannot finish. A malformed uuid is an input
// error on uuid; an unknown or already deleted link, or one of another
// store than the actor's, is seam.ErrNotFound.
func Delete(ctx context.Context, d *db.DB, actor seam.Actor, productID int64, uuid string, now time.Time) error {
	return remove(ctx, d, actor, productID, now, func(tx *db.Tx) (store.ProductLink, error) { return Find(ctx, tx, productID, uuid) })
}

// DeleteByID removes a product's link by its id, for the back office,
// which never holds the uuid after the link was made. The rules are
// Delete's.
func DeleteByID(ctx context.Context, d *db.DB, actor seam.Actor, productID, linkID int64, now time.Time) error {
	return remove(ctx, d, actor, productID, now, func(tx *db.Tx) (store.ProductLink, error) {
		l, err := store.GetProductLink(ctx, tx, linkID)
		if err == nil && l.ProductID != productID {
			return l, notFound("product %d has no payment link %d", productID, linkID)
		}
		if errors.Is(err, seam.ErrNotFound) {
			return l, notFound("product %d has no payment link %d", productID, linkID)
		}
		return l, err
	})
}

func remove(ctx context.Context, d *db.DB, actor seam.Actor, productID int64, now time.Time, find func(tx *db.Tx) (store.ProductLink, error)) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		l, err := find(tx)
		if err != nil {
			return err
		}
		if !actor.MayUseStore(l.StoreID) {
			return notFound("product %d has no payment link with this uuid in this token's store", productID)
		}
		ok, err := store.DeleteProductLink(ctx, tx, l.ID, actor.Name, now)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("the payment link was already deleted")
		}
		payload := map[string]any{"id": l.ID, "product_id": l.ProductID, "uuid_hint": l.UUIDHint, "sales": l.Sales}
		id := strconv.FormatInt(l.ID, 10)
		if err := audit(ctx, tx, actor.Name, "DELETE", ObjectType, id, payload, now); err != nil {
			return err
		}
		_, err = event.Record(ctx, tx, event.Event{StoreID: &l.StoreID, ObjectType: ObjectType, ObjectID: id, Action: event.Deleted,
			Actor: actor.Name, Payload: payload})
		return err
	})
	return wrap(err, "delete product payment link")
}
