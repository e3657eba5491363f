package gql

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"seam/internal/checkout"
	"seam/internal/gql/model"
	"seam/internal/order"
	"seam/internal/seam"
	"seam/internal/store"
)

// updateOrder runs updateDirectToConsumerOrder and updateWholesaleOrder
// (whose order argument hides the order package in their resolvers).
func (r *Resolver) updateOrder(ctx context.Context, ref order.Ref, wholesale bool, in order.UpdateInput) (store.Order, []seam.UserError, error) {
	return order.Update(ctx, r.checkout(), start(ctx), ref, wholesale, in)
}

// asOrder gives an order the GraphQL type of its store: WholesaleOrder in a
// WHOLESALE store, DirectToConsumerOrder otherwise.
func (r *Resolver) asOrder(ctx context.Context, o store.Order) (model.AnyOrder, error) {
	st, err := loads(ctx).store.Load(ctx, o.StoreID)
	if err != nil {
		return nil, err
	}
	if st.Type == store.StoreWholesale {
		w := model.WholesaleOrder(o)
		return &w, nil
	}
	return &o, nil
}

// checkout is the checkout service order changes void payments through;
// without one (tests of the Integration API alone) nothing is voided.
func (r *Resolver) checkout() *checkout.Service {
	if r.Checkout != nil {
		return r.Checkout
	}
	return checkout.New(r.DB, nil)
}

// orderFilter converts an OrderFilter, narrowed to the token's store.
func orderFilter(ctx context.Context, w *model.OrderFilter) store.OrderFilter {
	f := store.OrderFilter{StoreIDs: storeScope(ctx, nil)}
	if w != nil {
		f.Hashes, f.Numbers, f.Statuses, f.StoreIDs = w.ID, w.Number, w.Status, storeScope(ctx, w.StoreID)
		if w.OrderDate != nil {
			f.From, f.To = w.OrderDate.From, w.OrderDate.To
		}
	}
	return f
}

// connectionSort reads orderConnection's sort: it pages by number, oldest
// (the default) or newest first; it reports newest first.
func connectionSort(ctx context.Context, sort []string) (bool, error) {
	switch {
	case len(sort) == 0 || slices.Equal(sort, []string{"number_ASC"}):
		return false, nil
	case slices.Equal(sort, []string{"number_DESC"}):
		return true, nil
	}
	return false, inputError(ctx, "sort", "orderConnection pages by order number: sort takes [number_ASC] or [number_DESC], got %v.", sort)
}

// numberCursorOf is the cursor of an order: base64 of "number:<n>", as
// Centra's orderConnection gives.
func numberCursorOf(number int64) string {
	return base64.StdEncoding.EncodeToString([]byte("number:" + strconv.FormatInt(number, 10)))
}

// numberCursor decodes an orderConnection after/before argument.
func numberCursor(ctx context.Context, arg string, c *string) (*int64, error) {
	if c == nil {
		return nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(*c)
	rest, ok := strings.CutPrefix(string(raw), "number:")
	n, perr := strconv.ParseInt(rest, 10, 64)
	if err != nil || !ok || perr != nil {
		return nil, inputError(ctx, arg, "%s is not a cursor this connection gave out.", arg)
	}
	return &n, nil
}
