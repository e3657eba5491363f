package gql

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vikstrous/dataloadgen"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/gql/model"
	"seam/internal/seam"
	"seam/internal/store"
)

// targetPerms are the permissions that Event.object needs, by object type.
var targetPerms = map[string]string{
	event.TypeOrder: "Order:read", event.TypeCustomer: "Purchaser:read", event.TypeProduct: "Product:read",
	event.TypeProductVariant: "ProductVariant:read", event.TypeProductSize: "ProductSize:read", event.TypeDisplay: "Display:read",
	event.TypePrice: "Price:read", event.TypePricelist: "Pricelist:read", event.TypeStockChange: "StockChange:read",
	event.TypeVoucher: "Voucher:read", event.TypeWarehouse: "Warehouse:read", event.TypeSelection: "Selection:read",
	event.TypePaymentLink: "PaymentLink:read", "Store": "Store:read", event.TypeShipment: "Shipment:read", event.TypeReturn: "Return:read",
}

// objectReference is an event's object id as a number: an order's number,
// another object's integer id, or nil for text ids.
func objectReference(ctx context.Context, e *store.QueuedEvent) (*int64, error) {
	if e.ObjectType == event.TypeOrder {
		o, err := loads(ctx).orderByHash.Load(ctx, e.ObjectID)
		if errors.Is(err, dataloadgen.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("order of event %d: %w", e.ID, err)
		}
		return &o.Number, nil
	}
	id, err := strconv.ParseInt(e.ObjectID, 10, 64)
	if err != nil {
		return nil, nil
	}
	return &id, nil
}

// eventTarget loads the object an event is about, as it is now: nil once
// it is deleted or for types the API cannot show. The token needs the
// type's read permission.
func eventTarget(ctx context.Context, d *db.DB, e *store.QueuedEvent) (model.EventTarget, error) {
	perm, ok := targetPerms[e.ObjectType]
	if !ok || e.ChangeType == event.Deleted {
		return nil, nil
	}
	rq := requestFrom(ctx)
	if !rq.token.Can(perm) {
		return nil, &gqlerror.Error{
			Message:    fmt.Sprintf("You need %s permission to access object.", perm),
			Path:       graphql.GetPath(ctx),
			Extensions: map[string]any{"category": "authorization", "permission": perm},
		}
	}
	rq.use(perm)
	l := loads(ctx)
	q := d.Read()
	switch e.ObjectType {
	case event.TypeOrder:
		o, err := l.orderByHash.Load(ctx, e.ObjectID)
		if t, err := target(&o, err); t == nil || err != nil {
			return t, err
		}
		// A wholesale store's order is a WholesaleOrder.
		st, err := l.store.Load(ctx, o.StoreID)
		if err != nil {
			return nil, err
		}
		if st.Type == store.StoreWholesale {
			w := model.WholesaleOrder(o)
			return &w, nil
		}
		return &o, nil
	case event.TypeSelection:
		s, err := l.selection.Load(ctx, e.ObjectID)
		return target(&s, err)
	case event.TypePrice:
		return eventPrice(ctx, q, e.ObjectID)
	}
	id, err := strconv.ParseInt(e.ObjectID, 10, 64)
	if err != nil {
		return nil, nil
	}
	switch e.ObjectType {
	case event.TypeCustomer:
		return byLoader(ctx, l.customer, id)
	case event.TypeProduct:
		return byLoader(ctx, l.product, id)
	case event.TypeProductVariant:
		return byLoader(ctx, l.variant, id)
	case event.TypeProductSize:
		return byLoader(ctx, l.productSize, id)
	case event.TypeDisplay:
		return byLoader(ctx, l.display, id)
	case event.TypePricelist:
		return byLoader(ctx, l.pricelist, id)
	case event.TypeStockChange:
		return byLoader(ctx, l.stockChange, id)
	case event.TypeVoucher:
		return byLoader(ctx, l.voucher, id)
	case event.TypeWarehouse:
		return byLoader(ctx, l.warehouse, id)
	case "Store":
		return byLoader(ctx, l.store, id)
	case event.TypePaymentLink:
		return byLoader(ctx, l.paymentLink, id)
	case event.TypeShipment:
		return byLoader(ctx, l.shipment, id)
	case event.TypeReturn:
		return byLoader(ctx, l.returnByID, id)
	}
	return nil, nil
}

func byLoader[V any](ctx context.Context, l *dataloadgen.Loader[int64, V], id int64) (model.EventTarget, error) {
	v, err := l.Load(ctx, id)
	return target(&v, err)
}

// target is a loaded object, or nil when it is gone.
func target[V any](v *V, err error) (model.EventTarget, error) {
	if errors.Is(err, dataloadgen.ErrNotFound) || errors.Is(err, seam.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// eventPrice is the price a Price event ("<pricelist>:<product>") is
// about: the product's own price in the pricelist, or its first variant
// price.
func eventPrice(ctx context.Context, q db.Q, objectID string) (model.EventTarget, error) {
	pl, prod, ok := strings.Cut(objectID, ":")
	plID, err1 := strconv.ParseInt(pl, 10, 64)
	prodID, err2 := strconv.ParseInt(prod, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return nil, nil
	}
	prices, err := store.ListPrices(ctx, q, store.PriceFilter{PricelistIDs: []int64{plID}, ProductIDs: []int64{prodID}}, store.Page{})
	if err != nil || len(prices) == 0 {
		return nil, err
	}
	for i := range prices {
		if prices[i].VariantID == 0 {
			return &prices[i], nil
		}
	}
	return &prices[0], nil
}
