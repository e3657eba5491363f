package checkout

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"seam/internal/customer"
	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/money"
	"seam/internal/mutant"
	"seam/internal/payment"
	"seam/internal/seam"
	"seam/internal/store"
)

// PaymentInput is POST /payment.
type PaymentInput struct {
	PaymentMethod      *int64
	ReturnURL          string
	FailURL            string
	TermsAndConditions bool
	Address            *Address
	ShippingAddress    *Address
	// Fields are the provider's own fields (paymentMethodSpecificFields).
	Fields map[string]any
	// BaseURL is Seam's public URL, for pages it serves itself.
	BaseURL string
	// GiftMessage is saved on the order (and a gift certificate's
	// e-mail).
	GiftMessage *string
}

// creditOnly is the "provider" of an order that credit pays in full.
type creditOnly struct{}

func (creditOnly) Start(context.Context, payment.Start) (payment.Action, error) {
	return payment.Action{Kind: payment.ActionSuccess}, nil
}

func (creditOnly) Complete(_ context.Context, in payment.Complete) (payment.Result, error) {
	if in.Amount.Minor != 0 {
		return payment.Result{Message: "Credit does not cover this order any more; pay the rest."}, nil
	}
	return payment.Result{Authorized: true}, nil
}

func (creditOnly) Cancel(context.Context, string) error { return nil }

// Capture implements payment.Capturer: credit has nothing to capture.
func (creditOnly) Capture(context.Context, string, money.Amount) error { return nil }

// Unavailable is a line stock could not cover.
type Unavailable struct {
	Item             string
	Line             string
	Product          string
	OriginalQuantity int64
	Unavailable      int64
	Available        int64
}

// SoldOutError lists the lines stock could not cover; nothing was taken.
type SoldOutError struct{ Lines []Unavailable }

func (e *SoldOutError) Error() string {
	return fmt.Sprintf("%d line(s) are not in stock in the quantity asked for", len(e.Lines))
}

// Is makes errors.Is(err, seam.ErrSoldOut) true.
func (e *SoldOutError) Is(t error) bool { return t == seam.ErrSoldOut }

// PaymentFailedError says why a payment was not authorized.
type PaymentFailedError struct{ Message string }

func (e *PaymentFailedError) Error() string { return e.Message }

// Outcome is what POST /payment and POST /payment-result did.
type Outcome struct {
	Action payment.Action
	// Order is set once the selection is paid.
	Order *store.Order
}

// Pay checks the selection can be ordered, reserves its stock (all or
// nothing, one conditional update per warehouse and size) and starts the
// payment. Stock that cannot be covered is a *SoldOutError. A payment in
// progress is replaced: its stock released, its provider side voided.
func (s *Service) Pay(ctx context.Context, id string, in PaymentInput) (Outcome, error) {
	if !in.TermsAndConditions {
		return Outcome{}, invalid("termsAndConditions", "The shopper must accept the terms and conditions (termsAndConditions: true).")
	}
	for field, u := range map[string]string{"paymentReturnPage": in.ReturnURL, "paymentFailedPage": in.FailURL} {
		if err := checkPageURL(field, u); err != nil {
			return Outcome{}, err
		}
	}
	if in.Address != nil || in.ShippingAddress != nil || in.PaymentMethod != nil {
		// Give back a running attempt's stock first, so that the
		// selection takes the new address and method.
		if _, err := s.releaseAttempt(ctx, id, ""); err != nil && !isNotFound(err) {
			return Outcome{}, err
		}
	}
	if in.Address != nil || in.ShippingAddress != nil {
		if err := s.SetAddress(ctx, id, in.Address, in.ShippingAddress); err != nil {
			return Outcome{}, err
		}
	}
	if in.PaymentMethod != nil {
		if err := s.SetPaymentMethod(ctx, id, *in.PaymentMethod); err != nil {
			return Outcome{}, err
		}
	}
	if in.GiftMessage != nil {
		if err := checkGiftMessage(*in.GiftMessage); err != nil {
			return Outcome{}, err
		}
		if err := s.edit(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
			sel.GiftMessage = nil
			if *in.GiftMessage != "" {
				sel.GiftMessage = in.GiftMessage
			}
			return nil
		}); err != nil {
			return Outcome{}, err
		}
	}
	ref := newID(16)
	var v View
	var replaced attempt
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		sel, err := store.GetSelection(ctx, tx, id, true)
		if isNotFound(err) {
			return notFound("no selection %q", id)
		} else if err != nil {
			return err
		}
		switch sel.Status {
		case store.SelectionPaid:
			return conflict("the selection is already paid (order %d)", *sel.OrderID)
		case store.SelectionPaying:
			// A new attempt replaces the one in progress. Its stock and
			// the new attempt's are locked together first, so that the
			// transaction takes its stock rows in the canonical order.
			if err := lockSelectionStock(ctx, tx, sel.ID); err != nil {
				return err
			}
			if replaced, err = releaseTx(ctx, tx, sel.ID, ""); err != nil {
				return err
			}
		}
		if v, err = s.view(ctx, tx, id); err != nil {
			return err
		}
		if err := s.linkUsable(ctx, tx, sel); err != nil {
			return err
		}
		if err := orderable(v); err != nil {
			return err
		}
		if err := reserve(ctx, tx, v); err != nil {
			return err
		}
		ok, err := store.StartPayment(ctx, tx, id, ref, v.Totals.ToPay.Minor, db.Time(s.Now().Add(s.ReservationTTL)))
		if err != nil {
			return err
		}
		if !ok {
			return conflict("the selection changed while payment started; try again")
		}
		return nil
	})
	if err != nil {
		return Outcome{}, seam.Wrap(err, "start payment")
	}
	s.void(ctx, replaced)
	if v.Totals.ToPay.Minor == 0 {
		// Credit pays it all: no card, no provider.
		return s.complete(ctx, id, creditOnly{}, payment.Complete{Ref: ref, Amount: v.Totals.ToPay}, payment.Action{})
	}
	name := v.PaymentMethod.Provider
	provider, ok := s.Payments[name]
	if !ok {
		_, rerr := s.releaseAttempt(ctx, id, ref)
		return Outcome{}, errors.Join(conflict("payment method %q uses provider %q, which this server does not run", v.PaymentMethod.Name, name), rerr)
	}
	action, err := provider.Start(ctx, payment.Start{Ref: ref, Amount: v.Totals.ToPay, SelectionID: id, Email: v.Address.Email,
		ReturnURL: in.ReturnURL, FailURL: in.FailURL, BaseURL: in.BaseURL, Fields: in.Fields})
	if err != nil {
		_, rerr := s.releaseAttempt(ctx, id, ref)
		return Outcome{}, errors.Join(fmt.Errorf("start payment with %s: %w", name, err), rerr)
	}
	if action.External != "" {
		if err := s.DB.Tx(ctx, func(tx *db.Tx) error { return store.SetPaymentExternal(ctx, tx, id, ref, name, action.External) }); err != nil {
			s.void(ctx, attempt{provider: name, external: action.External})
			_, rerr := s.releaseAttempt(ctx, id, ref)
			return Outcome{}, errors.Join(fmt.Errorf("record payment attempt: %w", err), rerr)
		}
	}
	switch action.Kind {
	case payment.ActionFailed:
		if _, err := s.releaseAttempt(ctx, id, ref); err != nil {
			return Outcome{}, err
		}
		return Outcome{Action: action}, nil
	case payment.ActionSuccess:
		return s.complete(ctx, id, provider, payment.Complete{Ref: ref, External: action.External, Amount: v.Totals.ToPay}, action)
	}
	return Outcome{Action: action}, nil
}

// checkPageURL accepts an empty page or an absolute http(s) URL: the
// shopper is sent there, so anything else (javascript:, relative paths)
// is refused.
func checkPageURL(field, raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return invalid(field, "%s must be an absolute http or https URL such as https://shop.example/thanks.", field)
	}
	return nil
}

// orderable checks that a priced selection can become an order.
func orderable(v View) error {
	var p seam.Problems
	switch {
	case v.Gift != nil && v.Gift.Amount.Currency != v.Pricelist.CurrencyCode:
		// repriceGift keeps them equal; never sell in the wrong currency.
		p.Add(seam.P("giftCertificate"), "The gift certificate is priced in %s but the selection pays in %s; add it again.",
			v.Gift.Amount.Currency, v.Pricelist.CurrencyCode)
	case v.Gift != nil:
		// A gift certificate ships nothing: no shipping method needed.
	case len(v.Lines) == 0:
		p.Add(seam.P("items"), "The selection is empty.")
	case v.Country == nil:
		p.Add(seam.P("country"), "Choose the country to ship to.")
	case v.Shipping == nil:
		p.Add(seam.P("shippingMethod"), "Nothing ships to %s from this shop; choose another country.", v.Country.Name)
	}
	if v.PaymentMethod == nil && v.Totals.ToPay.Minor > 0 {
		p.Add(seam.P("paymentMethod"), "The shop has no payment method.")
	}
	for _, hint := range slices.Sorted(maps.Keys(v.Unusable)) {
		p.Add(seam.P("voucher"), "Voucher …%s cannot be used any more: %s Remove it (DELETE /vouchers/{code}) to pay without it.", hint, v.Unusable[hint])
	}
	need := postalAddress
	if v.Gift != nil {
		need = contactOnly
	}
	if v.Selection.Address == "" && need == contactOnly {
		p.Add(seam.P("address"), "Give the buyer's address (address) with email and name; the code is e-mailed there.")
	} else if v.Selection.Address == "" {
		p.Add(seam.P("address"), "Give the billing address (address) with email, name, street, zip code and city.")
	} else if err := checkAddress("address", &v.Address, need); err != nil {
		p.Merge(err)
	}
	if need == postalAddress && v.Selection.Address != "" {
		stateNeeded(&p, v)
	}
	return p.Err()
}

// stateNeeded refuses an order in a country taxed by state (the United
// States) that has no tax state yet: neither PUT /countries/{c}/states/{s}
// nor an address named one, so the order would carry no state sales tax.
// The address that lacks the state is named: the billing address when it
// has none, and the shipping address too when one is given that differs
// from the billing address (its state is the one taxed). A gift
// certificate ships nothing and needs no state.
func stateNeeded(p *seam.Problems, v View) {
	if !v.StateRequired || v.Selection.StateID != nil || v.Country == nil {
		return
	}
	named := false
	if strings.TrimSpace(v.Address.State) == "" {
		p.Add(seam.P("address", "state"), "%s taxes by state: give the buyer's state (address.state, its code as NY) or choose it with PUT /countries/%s/states/{state}.",
			v.Country.Name, v.Country.Code)
		named = true
	}
	if v.ShippingAddress != (Address{}) && v.ShippingAddress != v.Address && strings.TrimSpace(v.ShippingAddress.State) == "" {
		p.Add(seam.P("shippingAddress", "state"), "%s taxes by state: give the state the order ships to (shippingAddress.state, its code as NY).", v.Country.Name)
		named = true
	}
	if !named {
		// An address names a state, but not in the selection's country.
		p.Add(seam.P("address", "state"), "%s taxes by state and no address names a state of %s: give the buyer's state (its code as NY) with country %s.",
			v.Country.Name, v.Country.Name, v.Country.Code)
	}
}

// reserve allocates the stock of every line, warehouse by warehouse in
// priority order, with one conditional update each. It first locks every
// stock row of the selection's sizes in the canonical order (size, then
// warehouse), so that two carts holding the same sizes in another order
// queue instead of deadlocking. A line that cannot be covered makes a
// *SoldOutError, and the caller's transaction takes back what was taken.
func reserve(ctx context.Context, tx *db.Tx, v View) error {
	var short []Unavailable
	warehouses, err := store.ListWarehouses(ctx, tx, store.WarehouseFilter{}, []store.Sort{{Field: "priority"}}, store.Page{})
	if err != nil {
		return err
	}
	rank := map[int64]int{}
	for i, w := range warehouses {
		rank[w.ID] = i
	}
	sizes := make([]int64, len(v.Lines))
	for i, l := range v.Lines {
		sizes[i] = l.Line.ProductSizeID
	}
	locked, err := store.LockStockOfSizes(ctx, tx, sizes)
	if err != nil {
		return err
	}
	levelsOf := map[int64][]*store.StockLevel{}
	for i := range locked {
		levelsOf[locked[i].ProductSizeID] = append(levelsOf[locked[i].ProductSizeID], &locked[i])
	}
	for _, l := range v.Lines {
		levels := levelsOf[l.Line.ProductSizeID]
		slices.SortStableFunc(levels, func(a, b *store.StockLevel) int { return cmp.Compare(rank[a.WarehouseID], rank[b.WarehouseID]) })
		need := l.Line.Quantity
		for _, lv := range levels {
			take := min(need, lv.FreeToAllocate())
			if take <= 0 {
				continue
			}
			// The rows are locked, so the conditional update takes what
			// the read showed; it stays the guard all the same.
			ok, err := store.Allocate(ctx, tx, lv.WarehouseID, lv.ProductSizeID, take)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("stock of size %d in warehouse %d changed under its lock: %w", lv.ProductSizeID, lv.WarehouseID, seam.ErrConflict)
			}
			// Two lines of one size share the level.
			lv.Allocated += take
			if err := store.InsertReservation(ctx, tx, store.Reservation{SelectionID: v.Selection.ID, WarehouseID: lv.WarehouseID,
				ProductSizeID: lv.ProductSizeID, Quantity: take}); err != nil {
				return err
			}
			need -= take
			if need == 0 {
				break
			}
		}
		if need > 0 {
			// Every warehouse gave all it had free: that is what is
			// available for the line.
			short = append(short, Unavailable{Item: l.Item, Line: l.Line.Line, Product: strconv.FormatInt(l.Product.ID, 10),
				OriginalQuantity: l.Line.Quantity, Unavailable: need, Available: l.Line.Quantity - need})
		}
	}
	if len(short) > 0 {
		return &SoldOutError{Lines: short}
	}
	return nil
}

// lockSelectionStock locks the stock rows of every size a selection holds
// lines or reservations of, in the canonical order (store.LockStock).
func lockSelectionStock(ctx context.Context, tx *db.Tx, id string) error {
	lines, err := store.Lines(ctx, tx, id)
	if err != nil {
		return err
	}
	rs, err := store.Reservations(ctx, tx, id)
	if err != nil {
		return err
	}
	sizes := make([]int64, 0, len(lines)+len(rs))
	for _, l := range lines {
		sizes = append(sizes, l.ProductSizeID)
	}
	for _, r := range rs {
		sizes = append(sizes, r.ProductSizeID)
	}
	_, err = store.LockStockOfSizes(ctx, tx, sizes)
	return err
}

// releaseTimeout bounds giving back the stock of a payment attempt.
const releaseTimeout = time.Minute

// attempt is the provider's side of a payment attempt, to void once its
// stock is given back.
type attempt struct{ provider, external string }

// Release gives back the stock reserved for a selection in payment, opens
// it again and voids the payment at its provider; a selection not in
// payment is left alone.
func (s *Service) Release(ctx context.Context, id string) error {
	_, err := s.releaseAttempt(ctx, id, "")
	return err
}

// releaseAttempt releases payment attempt ref ("" for whichever is in
// progress) in its own transaction, then voids it at the provider. It
// returns what it voided.
func (s *Service) releaseAttempt(ctx context.Context, id, ref string) (attempt, error) {
	// Giving stock back must not fail because the request that took it
	// ran out of time (a deadline passed while it waited for the
	// database): it gets its own minute, so that the stock is back before
	// the request answers.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	var a attempt
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		a, err = releaseTx(ctx, tx, id, ref)
		return err
	})
	if err != nil {
		return attempt{}, err
	}
	s.void(ctx, a)
	return a, nil
}

// releaseTx gives back the stock of payment attempt ref ("" for whichever
// is in progress) and opens the selection again, only while that attempt is
// the selection's: a late answer about an older attempt cannot undo a newer
// one. It returns the attempt for the caller to void after commit.
func releaseTx(ctx context.Context, tx *db.Tx, id, ref string) (attempt, error) {
	sel, err := store.GetSelection(ctx, tx, id, true)
	if err != nil {
		return attempt{}, err
	}
	if sel.Status != store.SelectionPaying || (ref != "" && (sel.PaymentRef == nil || *sel.PaymentRef != ref)) {
		return attempt{}, nil
	}
	var a attempt
	if sel.PaymentProvider != nil && sel.PaymentExternal != nil {
		a = attempt{provider: *sel.PaymentProvider, external: *sel.PaymentExternal}
	}
	rs, err := store.Reservations(ctx, tx, id)
	if err != nil {
		return attempt{}, err
	}
	keys := make([]store.StockKey, len(rs))
	for i, r := range rs {
		keys[i] = store.StockKey{ProductSizeID: r.ProductSizeID, WarehouseID: r.WarehouseID}
	}
	if _, err := store.LockStock(ctx, tx, keys, false); err != nil {
		return attempt{}, err
	}
	for _, r := range rs {
		if err := store.Release(ctx, tx, r.WarehouseID, r.ProductSizeID, r.Quantity); err != nil {
			return attempt{}, err
		}
	}
	if err := store.DeleteReservations(ctx, tx, id); err != nil {
		return attempt{}, err
	}
	_, err = store.ReopenSelection(ctx, tx, id)
	return a, err
}

// void cancels an attempt at its provider. It runs after the answer is
// decided, so a failure is logged, not returned: an authorization that is
// never captured lapses at the provider.
func (s *Service) void(ctx context.Context, a attempt) {
	if a.external == "" {
		return
	}
	p, ok := s.Payments[a.provider]
	if !ok {
		s.Log.WarnContext(ctx, "cannot void a payment: its provider is not running", "provider", a.provider, "external", a.external)
		return
	}
	if err := p.Cancel(context.WithoutCancel(ctx), a.external); err != nil {
		s.Log.WarnContext(ctx, "voiding a payment failed", "provider", a.provider, "external", a.external, "err", err)
	}
}

// SweepReservations releases the stock of payments that were not finished
// in time, voids them at their provider, and reports how many it released.
func (s *Service) SweepReservations(ctx context.Context) (int, error) {
	now := s.Now()
	ids, err := store.ExpiredPayments(ctx, s.DB.Read(), now, 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		var a attempt
		released := false
		err := s.DB.Tx(ctx, func(tx *db.Tx) error {
			sel, err := store.GetSelection(ctx, tx, id, true)
			if err != nil {
				return err
			}
			// Checked again under the lock: the shopper may have started
			// a new attempt since the list was read.
			if sel.Status != store.SelectionPaying || sel.ReservedUntil == nil || !sel.ReservedUntil.Before(now) || sel.PaymentRef == nil {
				released = false
				return nil
			}
			a, err = releaseTx(ctx, tx, id, *sel.PaymentRef)
			released = err == nil
			return err
		})
		if err != nil {
			return n, fmt.Errorf("release selection %s: %w", id, err)
		}
		s.void(ctx, a)
		if released {
			n++
		}
	}
	return n, nil
}

// PaymentResult finishes a payment with the fields the shopper came back
// with and places the order. A selection already paid answers its order
// again, so calling twice never makes a second order.
func (s *Service) PaymentResult(ctx context.Context, id string, fields map[string]any) (Outcome, error) {
	sel, err := store.GetSelection(ctx, s.DB.Read(), id, false)
	if isNotFound(err) {
		return Outcome{}, notFound("no selection %q", id)
	} else if err != nil {
		return Outcome{}, err
	}
	if sel.Status == store.SelectionPaid && !mutant.On("payment-result-repeat-refused") {
		o, err := store.GetOrder(ctx, s.DB.Read(), *sel.OrderID)
		return Outcome{Action: payment.Action{Kind: payment.ActionSuccess}, Order: &o}, err
	}
	if sel.Status != store.SelectionPaying || sel.PaymentRef == nil {
		return Outcome{}, conflict("the selection has no payment in progress; call POST /payment first")
	}
	if len(fields) == 0 {
		// A storefront bug, not the shopper's answer: keep the payment.
		return Outcome{}, invalid("paymentMethodFields", "paymentMethodFields is empty: send the fields the payment provider added to paymentReturnPage (its query string, as an object).")
	}
	methods, err := store.PaymentMethods(ctx, s.DB.Read(), sel.StoreID)
	if err != nil {
		return Outcome{}, err
	}
	var method *store.PaymentMethod
	for i := range methods {
		if (sel.PaymentMethodID == nil && i == 0) || (sel.PaymentMethodID != nil && methods[i].ID == *sel.PaymentMethodID) {
			method = &methods[i]
		}
	}
	if method == nil {
		return Outcome{}, conflict("the selection's payment method is gone")
	}
	provider, ok := s.Payments[method.Provider]
	if !ok {
		return Outcome{}, conflict("payment provider %q is not running", method.Provider)
	}
	pv, err := s.view(ctx, s.DB.Read(), id)
	if err != nil {
		return Outcome{}, err
	}
	cur := pv.Pricelist.CurrencyCode
	return s.complete(ctx, id, provider, payment.Complete{Ref: *sel.PaymentRef, Amount: money.New(*sel.PaymentAmountMinor, cur), Fields: fields}, payment.Action{})
}

// complete asks the provider for the outcome and, when authorized, places
// the order. Fields that belong to another attempt leave this one running.
func (s *Service) complete(ctx context.Context, id string, provider payment.Provider, in payment.Complete, action payment.Action) (Outcome, error) {
	res, err := provider.Complete(ctx, in)
	if err != nil {
		return Outcome{}, fmt.Errorf("complete payment: %w", err)
	}
	if res.Foreign {
		return Outcome{}, invalid("paymentMethodFields", "%s The payment in progress goes on.", res.Message)
	}
	if !res.Authorized {
		if _, err := s.releaseAttempt(ctx, id, in.Ref); err != nil {
			return Outcome{}, err
		}
		msg := res.Message
		if msg == "" {
			msg = "The payment was not authorized."
		}
		return Outcome{}, &PaymentFailedError{Message: msg}
	}
	o, err := s.placeOrder(ctx, id, in, res)
	if err != nil {
		if errors.Is(err, seam.ErrSoldOut) || errors.Is(err, seam.ErrConflict) || errors.Is(err, seam.ErrGone) || errors.Is(err, seam.ErrInvalid) ||
			errors.Is(err, seam.ErrUnavailable) {
			// The order cannot be made (a voucher was used up meanwhile,
			// the payment link sold to someone else, the attempt was
			// replaced or expired, the order's input is refused, the
			// database could not be had in time and the transaction
			// rolled back): give the stock back and void the
			// authorization before answering, so that nothing stays held.
			voided, rerr := s.releaseAttempt(context.WithoutCancel(ctx), id, in.Ref)
			if res.External != "" && res.External != voided.external {
				if cerr := provider.Cancel(context.WithoutCancel(ctx), res.External); cerr != nil {
					s.Log.WarnContext(ctx, "voiding a payment failed", "external", res.External, "err", cerr)
				}
			}
			err = errors.Join(err, rerr)
		}
		return Outcome{}, err
	}
	if s.OrderPlaced != nil {
		s.OrderPlaced(context.WithoutCancel(ctx), o)
		// The hook may have moved the order on (a gift certificate
		// order is captured and shipped): answer it as it is now.
		if now, err := store.GetOrder(ctx, s.DB.Read(), o.ID); err == nil {
			o = now
		}
	}
	action.Kind = payment.ActionSuccess
	return Outcome{Action: action, Order: &o}, nil
}

// placeOrder turns a paid selection into an order in one transaction: the
// order, its lines, the reserved stock as the lines' allocations, voucher
// uses and the authorization. Only the call that moves the selection from
// PAYING to PAID makes the order; any other gets that order.
func (s *Service) placeOrder(ctx context.Context, id string, in payment.Complete, res payment.Result) (store.Order, error) {
	var o store.Order
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		sel, err := store.GetSelection(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if sel.Status == store.SelectionPaid {
			o, err = store.GetOrder(ctx, tx, *sel.OrderID)
			return err
		}
		if sel.Status != store.SelectionPaying || sel.PaymentRef == nil || *sel.PaymentRef != in.Ref {
			return conflict("the payment was replaced or its stock released before it finished; start the payment again")
		}
		v, err := s.view(ctx, tx, id)
		if err != nil {
			return err
		}
		if hints := slices.Sorted(maps.Keys(v.Unusable)); len(hints) > 0 {
			hint := hints[0]
			return conflict("voucher …%s stopped applying while the payment ran (%s); the payment was voided, remove the voucher and pay again",
				hint, strings.TrimSuffix(v.Unusable[hint], "."))
		}
		if v.Totals.ToPay.Minor != *sel.PaymentAmountMinor {
			return conflict("the selection's total changed during payment")
		}
		o, err = s.insertOrder(ctx, tx, v, res)
		if err != nil {
			return err
		}
		if err := s.useLinks(ctx, tx, sel, o); err != nil {
			return err
		}
		ok, err := store.MarkPaid(ctx, tx, id, o.ID)
		if err != nil {
			return err
		}
		if !ok {
			return conflict("the selection changed while the order was placed")
		}
		// The shopper's session goes on with a new selection (issue 12
		// A3); the paid one stays its receipt.
		if err := store.SessionsOrderPlaced(ctx, tx, id); err != nil {
			return err
		}
		if err := store.DeleteReservations(ctx, tx, id); err != nil {
			return err
		}
		_, err = event.Record(ctx, tx, event.Event{StoreID: &o.StoreID, MarketID: &o.MarketID, ObjectType: "Order", ObjectID: o.Hash, Action: event.Created,
			Actor: event.ActorCheckout, Payload: map[string]any{"number": o.Number, "status": o.Status}})
		if err != nil || v.Gift == nil {
			return err
		}
		return giftShipmentCreated(ctx, tx, o)
	})
	return o, seam.Wrap(err, "place order")
}

func (s *Service) insertOrder(ctx context.Context, tx *db.Tx, v View, res payment.Result) (store.Order, error) {
	number, err := store.NextCounter(ctx, tx, "order_number")
	if err != nil {
		return store.Order{}, err
	}
	now := db.Now()
	shipAddr := v.ShippingAddress
	if shipAddr.Address1 == "" {
		shipAddr = v.Address
	}
	addr, _ := json.Marshal(v.Address)
	ship, _ := json.Marshal(shipAddr)
	status := store.OrderPending
	if v.Store.AutoconfirmOrders {
		status = store.OrderConfirmed
	}
	o := store.Order{Hash: newID(16), Number: number, StoreID: v.Store.ID, MarketID: v.Market.ID, PricelistID: v.Pricelist.ID,
		SelectionID: &v.Selection.ID, Currency: v.Pricelist.CurrencyCode, PricesIncludeTax: v.Pricelist.PricesIncludeTax, VatExempt: v.VatExempt,
		Status: status, Email: v.Address.Email, Language: v.Selection.Language, CountryID: v.Selection.CountryID, StateID: v.Selection.StateID,
		Address: string(addr), ShippingAddress: string(ship), ItemsTotal: v.Totals.Items.Minor, Discount: v.Totals.Discount.Minor,
		Shipping: v.Totals.Shipping.Minor, Tax: v.Totals.Tax.Minor, GrandTotal: v.Totals.GrandTotal.Minor, Credit: v.Totals.Credit.Minor,
		Comment: v.Selection.Comment, GiftMessage: v.Selection.GiftMessage, CreatedAt: now, UpdatedAt: now}
	if v.Shipping != nil {
		o.ShippingOptionID, o.ShippingName = &v.Shipping.Option.ID, &v.Shipping.Option.Name
	}
	switch {
	case v.Totals.ToPay.Minor == 0 && len(v.Credits) > 0:
		// Gift certificates paid it all: no payment method was used.
		name := "Gift certificate"
		o.PaymentMethodName = &name
	case v.PaymentMethod != nil:
		o.PaymentMethodID, o.PaymentMethodName = &v.PaymentMethod.ID, &v.PaymentMethod.Name
	}
	cid, err := customer.Guest(ctx, tx, event.ActorCheckout, v.Store.ID, v.Address.Email, v.Address.FirstName, v.Address.LastName)
	if err != nil {
		return o, fmt.Errorf("customer: %w", err)
	}
	o.CustomerID = &cid
	if err := store.InsertOrder(ctx, tx, &o); err != nil {
		return o, err
	}
	reservations, err := store.Reservations(ctx, tx, v.Selection.ID)
	if err != nil {
		return o, err
	}
	for i, l := range v.Lines {
		ol := store.OrderLine{OrderID: o.ID, Position: i, DisplayVariantID: &l.Line.DisplayVariantID, ProductID: l.Product.Product.ID,
			ProductVariantID: l.Product.Variant.ID, ProductSizeID: l.Line.ProductSizeID, ProductName: l.Product.Product.Name,
			VariantName: l.Product.Variant.Name, SizeName: l.Size.Size.Name, SKU: l.Size.SKU, EAN: l.Size.EAN, Quantity: l.Line.Quantity,
			UnitPrice: l.Unit.Minor, UnitOriginalPrice: l.UnitBefore.Minor, Discount: l.Discount.Minor, LineValue: l.Net().Minor,
			TaxPercent: l.TaxRate.Trim(0).String(), Tax: l.Tax.Minor}
		if err := store.InsertOrderLine(ctx, tx, &ol); err != nil {
			return o, err
		}
		need := l.Line.Quantity
		for j := range reservations {
			r := &reservations[j]
			if r.ProductSizeID != l.Line.ProductSizeID || r.Quantity == 0 || need == 0 {
				continue
			}
			take := min(need, r.Quantity)
			if err := store.InsertAllocation(ctx, tx, store.Allocation{OrderLineID: ol.ID, WarehouseID: r.WarehouseID, ProductSizeID: r.ProductSizeID, Quantity: take}); err != nil {
				return o, err
			}
			r.Quantity -= take
			need -= take
		}
		if need > 0 {
			return o, fmt.Errorf("line %s: %d units not reserved", l.Line.Line, need)
		}
	}
	var vouchers []int64
	for _, av := range v.Vouchers {
		vouchers = append(vouchers, av.Voucher.ID)
	}
	for _, c := range v.Credits {
		vouchers = append(vouchers, c.Voucher.ID)
	}
	if err := store.LockVouchers(ctx, tx, vouchers); err != nil {
		return o, err
	}
	for _, av := range v.Vouchers {
		ok, err := store.UseVoucher(ctx, tx, av.Voucher.ID)
		if err != nil {
			return o, err
		}
		if !ok {
			return o, conflict("voucher …%s was used up while the payment ran", av.CodeHint)
		}
		if err := store.InsertOrderVoucher(ctx, tx, o.ID, av.Voucher.ID, av.Discount.Minor); err != nil {
			return o, err
		}
	}
	if err := debitCredits(ctx, tx, v, o); err != nil {
		return o, err
	}
	if v.Totals.ToPay.Minor > 0 {
		method := ""
		if v.PaymentMethod != nil {
			method = v.PaymentMethod.Provider
		}
		if err := store.InsertPaymentEntry(ctx, tx, &store.PaymentEntry{OrderID: o.ID, EntryType: "AUTHORIZATION", Status: "SUCCESS",
			Value: v.Totals.ToPay.Minor, Currency: o.Currency, ExternalReference: &res.External, PaymentMethod: &method, CreatedAt: now}); err != nil {
			return o, err
		}
	}
	if v.Gift != nil {
		if err := s.sellGift(ctx, tx, v, &o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// Receipt returns the order of a paid selection.
func (s *Service) Receipt(ctx context.Context, id string) (store.Order, error) {
	sel, err := store.GetSelection(ctx, s.DB.Read(), id, false)
	if isNotFound(err) {
		return store.Order{}, notFound("no selection %q", id)
	} else if err != nil {
		return store.Order{}, err
	}
	if sel.OrderID == nil {
		return store.Order{}, notFound("the selection has no order yet")
	}
	return store.GetOrder(ctx, s.DB.Read(), *sel.OrderID)
}
