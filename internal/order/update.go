package order

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/seam"
	"seam/internal/store"
)

// AddressInput changes an order address; fields left nil stay as they
// are, "" clears one.
type AddressInput struct {
	FirstName, LastName, CompanyName, Address1, Address2 *string
	City, ZipCode, StateOrProvince, PhoneNumber, Email   *string
	VatNumber                                            *string
	Country                                              *seam.Ref
}

// CustomerInfo names the order's shopper.
type CustomerInfo struct {
	FirstName, LastName, Email *string
}

// UpdateInput is updateDirectToConsumerOrder's and updateWholesaleOrder's
// input. Nil fields stay as they are.
type UpdateInput struct {
	ShippingAddress *AddressInput
	BillingAddress  *AddressInput
	// Customer points the order at another existing customer of its store.
	Customer     *seam.Ref
	CustomerInfo *CustomerInfo
	IsInternal   *bool
	AddLines     []AddLine
	CancelLines  []CancelLine
	// CancellationComment says why lines are cancelled.
	CancellationComment *string
}

// Update changes an order in one transaction: basic fields and addresses,
// then new lines, then cancelled lines; totals and tax follow the lines.
// Cancelling every remaining unit cancels the order (stock, credit and
// authorization given back). Nothing changes when any part is refused.
// wholesale says which mutation was called: it must match the order's
// store.
func Update(ctx context.Context, svc *checkout.Service, actor seam.Actor, ref Ref, wholesale bool, in UpdateInput) (store.Order, []seam.UserError, error) {
	var o store.Order
	var warnings []seam.UserError
	var auth authorization
	err := svc.DB.Tx(ctx, func(tx *db.Tx) error {
		warnings = warnings[:0]
		auth = authorization{}
		var err error
		if o, err = lockForChange(ctx, tx, actor, ref, seam.P("order")); err != nil {
			return err
		}
		st, err := store.GetStore(ctx, tx, o.StoreID)
		if err != nil {
			return err
		}
		if (st.Type == store.StoreWholesale) != wholesale {
			kind, use := "a direct-to-consumer", "updateDirectToConsumerOrder"
			if st.Type == store.StoreWholesale {
				kind, use = "a wholesale", "updateWholesaleOrder"
			}
			return seam.Invalid(seam.P("order"), "Order %d is %s order; change it with %s.", o.Number, kind, use)
		}
		switch o.Status {
		case store.OrderCancelled, store.OrderShipped, store.OrderArchived:
			return seam.Invalid(seam.P("order"), "Order %d is %s and can no longer be changed.", o.Number, o.Status)
		}
		var p seam.Problems
		changes := map[string]any{"number": o.Number}
		if err := basics(ctx, tx, &p, actor, &o, in, changes); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		lines := &lineSet{order: &o, tx: tx}
		if err := lines.load(ctx); err != nil {
			return err
		}
		if err := lines.lockStock(ctx, actor, in.AddLines, in.CancelLines); err != nil {
			return err
		}
		if err := lines.add(ctx, &p, actor, in.AddLines); err != nil {
			return err
		}
		if err := lines.cancel(ctx, &p, actor, in.CancelLines); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		warnings = append(warnings, p.Warnings...)
		if len(in.AddLines) > 0 {
			changes["addedLines"] = len(in.AddLines)
		}
		if len(in.CancelLines) > 0 {
			changes["cancelledLines"] = len(in.CancelLines)
		}
		if in.CancellationComment != nil {
			o.CancellationComment = in.CancellationComment
		}
		o.UpdatedAt = db.Now()
		if err := store.UpdateOrder(ctx, tx, o); err != nil {
			return err
		}
		if left, shipped := lines.remaining(); len(in.CancelLines) > 0 && left == 0 && shipped == 0 {
			// Nothing was shipped and nothing is left: the order is
			// cancelled. (Fulfilment completes an order whose rest
			// shipped.)
			if auth, err = cancelTx(ctx, tx, &o, seam.P("input", "cancelLines")); err != nil {
				return err
			}
		}
		changes["status"] = o.Status
		_, err = event.Record(ctx, tx, event.Event{StoreID: &o.StoreID, MarketID: &o.MarketID, ObjectType: "Order", ObjectID: o.Hash, Action: event.Updated,
			Actor: actor.Name, Payload: changes})
		return err
	})
	if err != nil {
		return o, nil, seam.Wrap(err, "update order")
	}
	void(ctx, svc, o, auth)
	return o, warnings, nil
}

// basics applies the addresses, customer and flags of an update.
func basics(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, o *store.Order, in UpdateInput, changes map[string]any) error {
	for _, a := range []struct {
		name string
		in   *AddressInput
		into *string
	}{{"shippingAddress", in.ShippingAddress, &o.ShippingAddress}, {"billingAddress", in.BillingAddress, &o.Address}} {
		if a.in == nil {
			continue
		}
		addr := checkout.ParseAddress(*a.into)
		if err := applyAddress(ctx, tx, p, actor, &addr, a.in, seam.P("input", a.name)); err != nil {
			return err
		}
		b, err := json.Marshal(addr)
		if err != nil {
			return err
		}
		*a.into = string(b)
		changes[a.name] = true
	}
	if in.IsInternal != nil {
		o.IsInternal = *in.IsInternal
		changes["isInternal"] = *in.IsInternal
	}
	if in.Customer != nil {
		path := seam.P("input", "customer")
		if in.Customer.ID == nil || in.Customer.ExternalID != nil {
			p.Add(path, "Point at the customer with its id.")
		} else {
			cs, err := store.CustomersByIDs(ctx, tx, []int64{*in.Customer.ID})
			if err != nil {
				return err
			}
			if len(cs) == 0 || cs[0].StoreID != o.StoreID {
				p.Add(path.Key("id"), "Could not find Customer with ID %d in the order's store.", *in.Customer.ID)
			} else {
				o.CustomerID, o.Email = &cs[0].ID, cs[0].Email
				changes["customer"] = cs[0].ID
			}
		}
	}
	if ci := in.CustomerInfo; ci != nil {
		path := seam.P("input", "customerInfo")
		email := o.Email
		if ci.Email != nil {
			email = strings.TrimSpace(*ci.Email)
			if !checkout.ValidEmail(email) {
				p.Add(path.Key("email"), "%q is not an e-mail address.", email)
				return nil
			}
		}
		c := store.Customer{StoreID: o.StoreID, Email: email, UpdatedAt: db.Now()}
		if ci.FirstName != nil {
			c.FirstName = *ci.FirstName
		}
		if ci.LastName != nil {
			c.LastName = *ci.LastName
		}
		id, err := store.UpsertCustomer(ctx, tx, c)
		if err != nil {
			return fmt.Errorf("customer: %w", err)
		}
		if in.Customer != nil && in.Customer.ID != nil && *in.Customer.ID != id {
			p.Add(path.Key("email"), "customer names customer %d but customerInfo.email %q is customer %d; give one of them.", *in.Customer.ID, email, id)
			return nil
		}
		o.CustomerID, o.Email = &id, strings.ToLower(email)
		changes["customer"] = id
	}
	return nil
}

// applyAddress changes the fields of an address that the input sets.
func applyAddress(ctx context.Context, q db.Q, p *seam.Problems, actor seam.Actor, a *checkout.Address, in *AddressInput, path seam.Path) error {
	set := func(into *string, v *string) {
		if v != nil {
			*into = strings.TrimSpace(*v)
		}
	}
	set(&a.FirstName, in.FirstName)
	set(&a.LastName, in.LastName)
	set(&a.Company, in.CompanyName)
	set(&a.Address1, in.Address1)
	set(&a.Address2, in.Address2)
	set(&a.City, in.City)
	set(&a.ZipCode, in.ZipCode)
	set(&a.State, in.StateOrProvince)
	set(&a.PhoneNumber, in.PhoneNumber)
	set(&a.VatNumber, in.VatNumber)
	if in.Email != nil {
		e := strings.TrimSpace(*in.Email)
		if e != "" && !checkout.ValidEmail(e) {
			p.Add(path.Key("email"), "%q is not an e-mail address.", e)
		}
		a.Email = e
	}
	if in.Country != nil {
		if in.Country.Code != nil {
			c, err := store.CountryByCode(ctx, q, strings.ToUpper(*in.Country.Code))
			if err != nil {
				p.Add(path.Key("country", "code"), "Could not find Country with code %q.", *in.Country.Code)
				return nil
			}
			a.Country = c.Code
			return nil
		}
		if in.Country.ID == nil {
			p.Add(path.Key("country"), "Point at the country with its code or id.")
			return nil
		}
		cs, err := store.CountriesByIDs(ctx, q, []int64{*in.Country.ID})
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			p.Add(path.Key("country", "id"), "Could not find Country with ID %d.", *in.Country.ID)
			return nil
		}
		a.Country = cs[0].Code
	}
	return nil
}
