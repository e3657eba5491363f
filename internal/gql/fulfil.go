package gql

import (
	"context"
	"slices"

	"seam/internal/fulfil"
	"seam/internal/gql/model"
	"seam/internal/money"
	"seam/internal/store"
)

// fulfil is the fulfilment service on the resolver's database and payment
// providers.
func (r *Resolver) fulfil() *fulfil.Service {
	return &fulfil.Service{DB: r.DB, Payments: r.Payments, Now: r.Now, Log: r.Log}
}

// shipDirect puts a just-confirmed order of a "direct to shipment" store
// into its shipment and returns the order as it is then.
func (r *Resolver) shipDirect(ctx context.Context, o store.Order) (store.Order, error) {
	id, err := r.fulfil().ShipDirect(ctx, start(ctx), o.ID)
	if err != nil || id == 0 {
		return o, err
	}
	return store.GetOrder(ctx, r.DB.Read(), o.ID)
}

// readsOrder checks (and reports as used) Order:read, which shipment
// mutations need besides Shipment:write: they read the order.
func readsOrder(ctx context.Context) error {
	_, err := permDirective(ctx, nil, func(context.Context) (any, error) { return nil, nil }, "Order:read")
	return err
}

// shipmentPayload answers a shipment mutation with the shipment as it is
// now.
func (r *mutationResolver) shipmentPayload(ctx context.Context, id int64, err error) (*model.ShipmentPayload, error) {
	out := &model.ShipmentPayload{}
	if stop, err := failed(err, &out.UserErrors, &out.UserWarnings); stop {
		return out, err
	}
	out.Shipment, err = one(ctx, loads(ctx).shipment, id)
	return out, err
}

// returnPayload answers a return mutation with the return as it is now.
func (r *mutationResolver) returnPayload(ctx context.Context, id int64, err error) (*model.ReturnPayload, error) {
	out := &model.ReturnPayload{}
	if stop, err := failed(err, &out.UserErrors, &out.UserWarnings); stop {
		return out, err
	}
	out.Return, err = one(ctx, loads(ctx).returnByID, id)
	return out, err
}

// money is an amount in the currency of a shipment.
func (r *Resolver) money(ctx context.Context, shipmentID, minor int64) (*model.Money, error) {
	sh, err := one(ctx, loads(ctx).shipment, shipmentID)
	if err != nil {
		return nil, err
	}
	return &model.Money{A: money.New(minor, shipmentCurrency(sh))}, nil
}

func shipmentCurrency(sh *store.Shipment) string {
	if sh.Currency == nil {
		return ""
	}
	return *sh.Currency
}

// paymentsOfTypes keeps the payment history entries of the types a filter
// names (all without one).
func paymentsOfTypes(rows []store.PaymentEntry, where *model.PaymentHistoryFilter) []store.PaymentEntry {
	if where == nil || where.EntryType == nil {
		return rows
	}
	var out []store.PaymentEntry
	for _, e := range rows {
		if slices.Contains(where.EntryType, e.EntryType) {
			out = append(out, e)
		}
	}
	return out
}
