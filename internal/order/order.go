// Package order holds what happens to orders after checkout: finding them
// by any of their identifiers, confirming, locking, editing their lines and
// addresses, and cancelling them, which gives back their stock, their gift
// certificate credit and their payment authorization.
package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/seam"
	"seam/internal/store"
)

// Cancel cancels an order that has not shipped, in one transaction: its
// allocated stock goes back to free stock, what gift certificates paid is
// credited back to them (the ledger's CREDIT_BACK), and the order is
// CANCELLED. After commit its payment authorization is voided. A second
// cancel changes nothing and says so. A locked order is refused unless
// actor is an Integration API token.
func Cancel(ctx context.Context, svc *checkout.Service, actor seam.Actor, orderID int64, reason string) (store.Order, error) {
	var o store.Order
	var auth authorization
	err := svc.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := db.Lock(ctx, tx, "orders", orderID); err != nil {
			if errors.Is(err, seam.ErrNotFound) {
				return seam.Invalid(seam.P("order"), "Could not find Order with ID %d.", orderID)
			}
			return err
		}
		var err error
		if o, err = store.GetOrder(ctx, tx, orderID); err != nil {
			return err
		}
		if !actor.MayUseStore(o.StoreID) {
			return actor.StoreError(seam.P("order"), fmt.Sprintf("order %d", o.Number), o.StoreID)
		}
		if err := Writable(o, actor, seam.P("order")); err != nil {
			return err
		}
		if auth, err = cancelTx(ctx, tx, &o, seam.P("order")); err != nil {
			return err
		}
		_, err = event.Record(ctx, tx, event.Event{StoreID: &o.StoreID, MarketID: &o.MarketID, ObjectType: "Order", ObjectID: o.Hash, Action: event.Updated, Actor: actor.Name,
			Payload: map[string]any{"number": o.Number, "status": o.Status, "reason": reason}})
		return err
	})
	if err != nil {
		return o, seam.Wrap(err, fmt.Sprintf("cancel order %d", orderID))
	}
	void(ctx, svc, o, auth)
	return o, nil
}

// authorization is the provider's side of an order's payment, to void
// after the cancellation commits.
type authorization struct{ provider, external string }

// cancelTx cancels a locked, loaded order inside tx (see Cancel) and
// returns the authorization to void after commit.
func cancelTx(ctx context.Context, tx *db.Tx, o *store.Order, path seam.Path) (authorization, error) {
	var auth authorization
	switch {
	case o.Status == store.OrderCancelled:
		return auth, seam.Invalid(path, "Order %d is cancelled already.", o.Number)
	case !slices.Contains([]string{store.OrderPending, store.OrderConfirmed}, o.Status):
		return auth, seam.Invalid(path, "Order %d is %s: only PENDING or CONFIRMED orders can be cancelled; return it instead.", o.Number, o.Status)
	}
	if _, err := store.OrderGiftOf(ctx, tx, o.ID); err == nil {
		return auth, seam.Invalid(path, "Order %d bought a gift certificate whose code was sent; it cannot be cancelled.", o.Number)
	} else if !errors.Is(err, seam.ErrNotFound) {
		return auth, err
	}
	if err := releaseStock(ctx, tx, o.ID); err != nil {
		return auth, err
	}
	now := db.Now()
	if err := creditBack(ctx, tx, o.ID, now); err != nil {
		return auth, err
	}
	ok, err := store.SetOrderStatus(ctx, tx, o.ID, []string{store.OrderPending, store.OrderConfirmed}, store.OrderCancelled, now)
	if err != nil {
		return auth, err
	}
	if !ok {
		return auth, fmt.Errorf("order %d changed while it was cancelled: %w", o.Number, seam.ErrConflict)
	}
	o.Status, o.UpdatedAt = store.OrderCancelled, now
	entries, err := store.PaymentEntriesByOrderIDs(ctx, tx, []int64{o.ID})
	if err != nil {
		return auth, err
	}
	for _, e := range entries {
		if e.EntryType == "AUTHORIZATION" && e.ExternalReference != nil && *e.ExternalReference != "" {
			auth.external = *e.ExternalReference
			if e.PaymentMethod != nil {
				auth.provider = *e.PaymentMethod
			}
			ref := auth.external
			if err := store.InsertPaymentEntry(ctx, tx, &store.PaymentEntry{OrderID: o.ID, EntryType: "CANCEL", Status: "SUCCESS", Value: e.Value,
				Currency: e.Currency, ExternalReference: &ref, PaymentMethod: e.PaymentMethod, CreatedAt: now}); err != nil {
				return auth, err
			}
		}
	}
	return auth, nil
}

// void cancels a cancelled order's authorization at its provider. It runs
// after commit, so a failure is logged: an authorization never captured
// lapses at the provider.
func void(ctx context.Context, svc *checkout.Service, o store.Order, auth authorization) {
	if auth.external == "" || svc == nil {
		return
	}
	if p, ok := svc.Payments[auth.provider]; ok {
		if err := p.Cancel(context.WithoutCancel(ctx), auth.external); err != nil {
			svc.Log.WarnContext(ctx, "voiding a cancelled order's payment failed", "order", o.Number, "provider", auth.provider, "err", err)
		}
	}
}

// releaseStock gives an order's allocated stock back to free stock.
func releaseStock(ctx context.Context, tx *db.Tx, orderID int64) error {
	lines, err := store.OrderLinesByOrderIDs(ctx, tx, []int64{orderID})
	if err != nil {
		return err
	}
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.ID
	}
	allocs, err := store.AllocationsByLineIDs(ctx, tx, ids)
	if err != nil {
		return err
	}
	keys := make([]store.StockKey, len(allocs))
	for i, a := range allocs {
		keys[i] = store.StockKey{ProductSizeID: a.ProductSizeID, WarehouseID: a.WarehouseID}
	}
	if _, err := store.LockStock(ctx, tx, keys, false); err != nil {
		return err
	}
	for _, a := range allocs {
		if err := store.Release(ctx, tx, a.WarehouseID, a.ProductSizeID, a.Quantity); err != nil {
			return err
		}
	}
	return store.DeleteAllocationsOfOrder(ctx, tx, orderID)
}

// creditBack puts back on each gift certificate what it paid for the
// order, less what was credited back before.
func creditBack(ctx context.Context, tx *db.Tx, orderID int64, now time.Time) error {
	entries, err := store.CreditEntries(ctx, tx, nil, []int64{orderID})
	if err != nil {
		return err
	}
	owed := map[int64]int64{}
	currency := map[int64]string{}
	var order []int64
	for _, e := range entries {
		if _, seen := owed[e.VoucherID]; !seen {
			order = append(order, e.VoucherID)
		}
		switch e.Kind {
		case store.CreditDebit:
			owed[e.VoucherID] += e.AmountMinor
		case store.CreditBackKind:
			owed[e.VoucherID] -= e.AmountMinor
		}
		currency[e.VoucherID] = e.Currency
	}
	if err := store.LockVouchers(ctx, tx, order); err != nil {
		return err
	}
	for _, vid := range order {
		amount := owed[vid]
		if amount <= 0 {
			continue
		}
		after, err := store.CreditBack(ctx, tx, vid, amount)
		if err != nil {
			return err
		}
		if err := store.InsertCreditEntry(ctx, tx, store.CreditEntry{VoucherID: vid, OrderID: &orderID, Kind: store.CreditBackKind, AmountMinor: amount,
			Currency: currency[vid], BalanceAfter: after, CreatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}
