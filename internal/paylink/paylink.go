// Package paylink holds selection payment links (seed 000): an operator
// builds a selection through the Integration API, makes a link to it, and
// every buyer who opens the link claims a copy; the first copy paid uses
// the link up and removes the original.
package paylink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"seam/internal/catalog"
	"seam/internal/checkout"
	"seam/internal/customer"
	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/secret"
	"seam/internal/store"
)

// SelectionInput creates or changes an operator's selection. On update,
// lines given replace the lines.
type SelectionInput struct {
	Store     *seam.Ref
	Market    *seam.Ref
	Pricelist *seam.Ref
	Country   *seam.Ref
	Customer  *CustomerInput
	Lines     []LineInput
	Comment   *string
}

// CustomerInput names the buyer: an existing customer by id, or by e-mail
// address (made when new).
type CustomerInput struct {
	ID        *int64
	Email     *string
	FirstName *string
	LastName  *string
}

// LineInput is a line: an item or a product size, a quantity and
// optionally a special unit price in the pricelist's currency.
type LineInput struct {
	ProductSize *seam.Ref
	Item        *string
	Quantity    int64
	UnitPrice   *money.Input
}

// MaxLines is the most lines an operator's selection holds.
const MaxLines = 200

// CreateSelection builds a selection for payment links.
func CreateSelection(ctx context.Context, d *db.DB, actor seam.Actor, in SelectionInput) (string, error) {
	var id string
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		spec := checkout.Spec{Origin: store.OriginOperator, CreatedBy: actor.Name, Comment: in.Comment}
		if in.Store == nil || in.Market == nil || in.Pricelist == nil {
			return seam.Invalid(path, "A selection needs store, market and pricelist.")
		}
		var err error
		if spec.StoreID, err = storeOf(ctx, tx, &p, actor, in.Store, path.Key("store")); err != nil {
			return err
		}
		var pl store.Pricelist
		if spec.MarketID, pl, err = marketAndPricelist(ctx, tx, &p, actor, spec.StoreID, in.Market, in.Pricelist, path); err != nil {
			return err
		}
		spec.PricelistID = pl.ID
		if in.Country != nil {
			cid, err := catalog.ResolveCountry(ctx, tx, actor, in.Country, path.Key("country"))
			if !p.Merge(err) && err != nil {
				return err
			}
			if err == nil {
				spec.CountryID = &cid
			}
		}
		if in.Customer != nil {
			if spec.CustomerID, err = buyer(ctx, tx, &p, actor.Name, spec.StoreID, in.Customer, path.Key("customer")); err != nil {
				return err
			}
		}
		if len(in.Lines) == 0 {
			p.Add(path.Key("lines"), "A selection needs at least one line.")
		}
		if err := p.Err(); err != nil {
			return err
		}
		if spec.Lines, err = lines(ctx, tx, &p, actor, spec.StoreID, spec.MarketID, pl, in.Lines, path.Key("lines")); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		sel, err := checkout.CreateSelection(ctx, tx, spec)
		if err != nil {
			return err
		}
		id = sel.ID
		return audit(ctx, tx, actor.Name, "CREATE", "Selection", sel.ID, sel.StoreID, &sel.MarketID, nil)
	})
	return id, seam.Wrap(err, "create selection")
}

// UpdateSelection changes an operator's selection: country, customer,
// comment, and (all of them) its lines. Copies already claimed keep what
// they were.
func UpdateSelection(ctx context.Context, d *db.DB, actor seam.Actor, id string, in SelectionInput) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		sel, err := store.GetSelection(ctx, tx, id, true)
		if errors.Is(err, seam.ErrNotFound) || (err == nil && sel.Origin != store.OriginOperator) {
			return seam.Invalid(seam.P("id"), "Could not find Selection with id %q.", id)
		} else if err != nil {
			return err
		}
		var p seam.Problems
		if !actor.MayUseStore(sel.StoreID) {
			p.Merge(actor.StoreError(seam.P("id"), "selection "+id, sel.StoreID))
		}
		if sel.DeletedAt != nil {
			p.Add(seam.P("id"), "Selection %s was sold through its payment link and removed.", id)
		}
		if in.Store != nil || in.Market != nil || in.Pricelist != nil {
			p.Add(path, "A selection's store, market and pricelist cannot change; create another selection.")
		}
		if in.Country != nil {
			if in.Country.IsZero() {
				sel.CountryID = nil
			} else if cid, err := catalog.ResolveCountry(ctx, tx, actor, in.Country, path.Key("country")); !p.Merge(err) && err != nil {
				return err
			} else if err == nil {
				sel.CountryID = &cid
			}
		}
		if in.Customer != nil {
			if sel.CustomerID, err = buyer(ctx, tx, &p, actor.Name, sel.StoreID, in.Customer, path.Key("customer")); err != nil {
				return err
			}
		}
		if in.Comment != nil {
			sel.Comment = in.Comment
		}
		if err := p.Err(); err != nil {
			return err
		}
		if in.Lines != nil {
			pl, err := store.GetPricelist(ctx, tx, sel.PricelistID)
			if err != nil {
				return err
			}
			if len(in.Lines) == 0 {
				p.Add(path.Key("lines"), "A selection needs at least one line.")
			}
			specs, err := lines(ctx, tx, &p, actor, sel.StoreID, sel.MarketID, pl, in.Lines, path.Key("lines"))
			if err != nil {
				return err
			}
			if err := p.Err(); err != nil {
				return err
			}
			if err := checkout.ReplaceLines(ctx, tx, sel.ID, specs); err != nil {
				return err
			}
		}
		sel.UpdatedAt = db.Now()
		if err := store.UpdateSelection(ctx, tx, &sel); err != nil {
			return err
		}
		return audit(ctx, tx, actor.Name, "UPDATE", "Selection", sel.ID, sel.StoreID, &sel.MarketID, nil)
	})
	return seam.Wrap(err, "update selection "+id)
}

func storeOf(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, ref *seam.Ref, path seam.Path) (int64, error) {
	id, ok, err := idconv.Collect(ctx, tx, p, actor, "Store", ref, path)
	if err != nil || !ok {
		return 0, err
	}
	if !actor.MayUseStore(id) {
		p.Merge(actor.StoreError(path, "it", id))
	}
	return id, nil
}

// marketAndPricelist resolves a market and a pricelist of the store.
func marketAndPricelist(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, storeID int64, market, pricelist *seam.Ref,
	path seam.Path) (int64, store.Pricelist, error) {
	mid, okM, err := idconv.Collect(ctx, tx, p, actor, "Market", market, path.Key("market"))
	if err != nil {
		return 0, store.Pricelist{}, err
	}
	plID, okP, err := idconv.Collect(ctx, tx, p, actor, "Pricelist", pricelist, path.Key("pricelist"))
	if err != nil || !okM || !okP || storeID == 0 {
		return mid, store.Pricelist{}, err
	}
	ms, err := store.MarketsByIDs(ctx, tx, []int64{mid})
	if err != nil {
		return 0, store.Pricelist{}, err
	}
	if len(ms) == 1 && ms[0].StoreID != storeID {
		p.Add(path.Key("market"), "Market %d belongs to store %d, not store %d.", mid, ms[0].StoreID, storeID)
	}
	pl, err := store.GetPricelist(ctx, tx, plID)
	if err != nil {
		return 0, store.Pricelist{}, err
	}
	if pl.StoreID != storeID {
		p.Add(path.Key("pricelist"), "Pricelist %d belongs to store %d, not store %d.", plID, pl.StoreID, storeID)
	}
	return mid, pl, nil
}

// buyer finds the customer, or makes an unregistered one by e-mail address
// (recording its event by actor).
func buyer(ctx context.Context, tx *db.Tx, p *seam.Problems, actor string, storeID int64, in *CustomerInput, path seam.Path) (*int64, error) {
	switch {
	case in.ID != nil && in.Email != nil:
		p.Add(path, "Give the customer's id or e-mail address, not both.")
	case in.ID != nil:
		cs, err := store.CustomersByIDs(ctx, tx, []int64{*in.ID})
		if err != nil {
			return nil, err
		}
		if len(cs) == 0 || cs[0].StoreID != storeID {
			p.Add(path.Key("id"), "Could not find Customer with ID %d in store %d.", *in.ID, storeID)
			return nil, nil
		}
		return in.ID, nil
	case in.Email != nil:
		if !checkout.ValidEmail(*in.Email) {
			p.Add(path.Key("email"), "%q is not an e-mail address.", *in.Email)
			return nil, nil
		}
		var first, last string
		if in.FirstName != nil {
			first = strings.TrimSpace(*in.FirstName)
		}
		if in.LastName != nil {
			last = strings.TrimSpace(*in.LastName)
		}
		id, err := customer.Guest(ctx, tx, actor, storeID, *in.Email, first, last)
		return &id, err
	default:
		p.Add(path, "Give the customer's id or e-mail address.")
	}
	return nil, nil
}

// lines checks the lines of an operator's selection: each item must be
// sold in the market and pricelist, quantities 1 to checkout.MaxQuantity,
// special prices in the pricelist's currency.
func lines(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, storeID, marketID int64, pl store.Pricelist, in []LineInput,
	path seam.Path) ([]checkout.LineSpec, error) {
	if len(in) > MaxLines {
		p.Add(path, "A selection holds at most %d lines, got %d.", MaxLines, len(in))
		return nil, nil
	}
	var out []checkout.LineSpec
	for i, l := range in {
		lp := path.Index(i)
		if l.Quantity < 1 || l.Quantity > checkout.MaxQuantity {
			p.Add(lp.Key("quantity"), "A quantity is 1 to %d, got %d.", checkout.MaxQuantity, l.Quantity)
		}
		var item store.DisplayItem
		var ps store.ProductSize
		var err error
		switch {
		case (l.Item == nil) == (l.ProductSize == nil):
			p.Add(lp, "Give the line's item or its productSize, one of them.")
			continue
		case l.Item != nil:
			item, ps, err = checkout.Sellable(ctx, tx, storeID, marketID, pl.ID, *l.Item)
			if errors.Is(err, seam.ErrNotFound) {
				p.Add(lp.Key("item"), "Item %q is not sold in this market and pricelist.", *l.Item)
				continue
			}
		default:
			psID, ok, cerr := idconv.Collect(ctx, tx, p, actor, "ProductSize", l.ProductSize, lp.Key("productSize"))
			if cerr != nil {
				return nil, cerr
			}
			if !ok {
				continue
			}
			item, ps, err = checkout.ItemOf(ctx, tx, storeID, marketID, pl.ID, psID)
			if errors.Is(err, seam.ErrNotFound) {
				p.Add(lp.Key("productSize"), "Product size %d is not sold in this market and pricelist: no active display shows it, or it has no price.", psID)
				continue
			}
		}
		if err != nil {
			return nil, err
		}
		spec := checkout.LineSpec{DisplayVariantID: item.ID, ProductSizeID: ps.ID, Quantity: l.Quantity}
		if l.UnitPrice != nil {
			a, err := catalog.Amount(lp.Key("unitPrice"), *l.UnitPrice)
			if p.Merge(err) {
				continue
			}
			if a.Currency != pl.CurrencyCode {
				p.Add(lp.Key("unitPrice", "currencyIsoCode"), "Pricelist %d is in %s; this price is in %s.", pl.ID, pl.CurrencyCode, a.Currency)
				continue
			}
			if a.Minor < 0 {
				p.Add(lp.Key("unitPrice", "value"), "A price cannot be negative.")
				continue
			}
			spec.UnitPriceMinor = &a.Minor
		}
		out = append(out, spec)
	}
	return out, nil
}

// LinkInput makes a payment link to an operator's selection.
type LinkInput struct {
	Selection      string
	LockQuantities bool
	IgnoreShipping bool
	IgnoreTax      bool
	ExpiresAt      *time.Time
}

// Created is a new link and, this once, its secret and URL.
type Created struct {
	Link   store.PaymentLink
	Secret secret.Secret
	URL    string
}

// CreateLink makes a payment link to an operator's selection. The store's
// paymentLinkTemplate gives its URL.
func CreateLink(ctx context.Context, d *db.DB, actor seam.Actor, in LinkInput) (Created, error) {
	var out Created
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		sel, err := store.GetSelection(ctx, tx, in.Selection, false)
		if errors.Is(err, seam.ErrNotFound) || (err == nil && sel.Origin != store.OriginOperator) {
			return seam.Invalid(path.Key("selection"), "Could not find Selection with id %q; payment links sell selections made with createSelection.", in.Selection)
		} else if err != nil {
			return err
		}
		var p seam.Problems
		if !actor.MayUseStore(sel.StoreID) {
			p.Merge(actor.StoreError(path.Key("selection"), "selection "+sel.ID, sel.StoreID))
		}
		if sel.DeletedAt != nil {
			p.Add(path.Key("selection"), "Selection %s was sold through a payment link and removed.", sel.ID)
		}
		now := db.Now()
		if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
			p.Add(path.Key("expiresAt"), "expiresAt must be in the future.")
		}
		st, err := store.GetStore(ctx, tx, sel.StoreID)
		if err != nil {
			return err
		}
		if st.PaymentLinkTemplate == nil {
			p.Add(path.Key("selection"), "Store %d has no paymentLinkTemplate: set it with updateStore(id: %d, input: {paymentLinkTemplate: \"https://your.store/selection/%%basket%%/%%hash%%\"}) first.",
				st.ID, st.ID)
		}
		if err := p.Err(); err != nil {
			return err
		}
		out.Secret = secret.New("")
		l := store.PaymentLink{SelectionID: sel.ID, StoreID: sel.StoreID, Hash: out.Secret.Hash(), LockQuantities: in.LockQuantities,
			IgnoreShipping: in.IgnoreShipping, IgnoreTax: in.IgnoreTax, CreatedBy: actor.Name, CreatedAt: now}
		if in.ExpiresAt != nil {
			t := db.Time(*in.ExpiresAt)
			l.ExpiresAt = &t
		}
		if err := store.InsertPaymentLink(ctx, tx, &l); err != nil {
			return err
		}
		out.Link, out.URL = l, LinkURL(*st.PaymentLinkTemplate, sel.ID, out.Secret.Reveal())
		return audit(ctx, tx, actor.Name, "CREATE", "PaymentLink", fmt.Sprint(l.ID), sel.StoreID, nil, map[string]any{"selection": sel.ID})
	})
	return out, seam.Wrap(err, "create payment link")
}

// LinkURL fills a store's template with a selection and a link secret.
func LinkURL(template, selectionID, plain string) string {
	return strings.NewReplacer("%basket%", url.PathEscape(selectionID), "%hash%", url.PathEscape(plain)).Replace(template)
}

// RevokeLink revokes a link that was not used.
func RevokeLink(ctx context.Context, d *db.DB, actor seam.Actor, id int64) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		l, err := store.GetPaymentLink(ctx, tx, id)
		if errors.Is(err, seam.ErrNotFound) {
			return seam.Invalid(seam.P("id"), "Could not find PaymentLink with ID %d.", id)
		} else if err != nil {
			return err
		}
		if !actor.MayUseStore(l.StoreID) {
			return actor.StoreError(seam.P("id"), fmt.Sprintf("payment link %d", id), l.StoreID)
		}
		ok, err := store.RevokePaymentLink(ctx, tx, id, actor.Name, db.Now())
		if err != nil {
			return err
		}
		if !ok {
			return seam.Invalid(seam.P("id"), "Payment link %d is %s already; only an unused link can be revoked.", id, strings.ToLower(l.Status(db.Now())))
		}
		return audit(ctx, tx, actor.Name, "REVOKE", "PaymentLink", fmt.Sprint(id), l.StoreID, nil, map[string]any{"revoked": true})
	})
	return seam.Wrap(err, fmt.Sprintf("revoke payment link %d", id))
}

// secretForm is what a link secret looks like: 256 bits of URL-safe
// base64.
var secretForm = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// ErrMalformed is a link secret that cannot be one.
var ErrMalformed = errors.New("malformed payment link hash")

// Find returns the link with a plain secret, whatever its state: unknown
// is seam.ErrGone, a secret that cannot be one ErrMalformed (and
// seam.ErrInvalid).
func Find(ctx context.Context, q db.Q, selectionID, plain string) (store.PaymentLink, error) {
	if !secretForm.MatchString(plain) {
		return store.PaymentLink{}, fmt.Errorf("%w: a payment link's hash is 43 letters, digits, - and _: %w", ErrMalformed, seam.ErrInvalid)
	}
	l, err := store.PaymentLinkByHash(ctx, q, selectionID, secret.Hash(plain))
	if errors.Is(err, seam.ErrNotFound) {
		return l, fmt.Errorf("there is no such payment link: %w", seam.ErrGone)
	}
	return l, err
}

// Claim makes a fresh copy of a link's selection for one buyer: the same
// lines and special prices, market and pricelist locked, the link's
// quantity, shipping and tax rules, the customer's e-mail address filled
// in. A used, revoked, expired or unknown link is seam.ErrGone saying which.
// Each claim makes its own copy; which copy is paid first decides.
func Claim(ctx context.Context, d *db.DB, selectionID, plain, actor string, now time.Time) (string, error) {
	var id string
	err := d.Tx(ctx, func(tx *db.Tx) error {
		l, err := Find(ctx, tx, selectionID, plain)
		if err != nil {
			return err
		}
		if why := checkout.LinkProblem(l, now); why != "" {
			return fmt.Errorf("%s: %w", strings.TrimSuffix(why, "."), seam.ErrGone)
		}
		orig, err := store.GetSelection(ctx, tx, l.SelectionID, false)
		if err != nil {
			return err
		}
		if orig.DeletedAt != nil {
			return fmt.Errorf("this payment link's selection was removed: %w", seam.ErrGone)
		}
		ls, err := store.Lines(ctx, tx, orig.ID)
		if err != nil {
			return err
		}
		spec := checkout.Spec{StoreID: orig.StoreID, MarketID: orig.MarketID, PricelistID: orig.PricelistID, CountryID: orig.CountryID,
			StateID: orig.StateID, Language: orig.Language, Origin: store.OriginLink, Locked: true, LockQuantities: l.LockQuantities,
			IgnoreShipping: l.IgnoreShipping, IgnoreTax: l.IgnoreTax, PaymentLinkID: &l.ID, CustomerID: orig.CustomerID, Comment: orig.Comment,
			CreatedBy: actor}
		for _, x := range ls {
			spec.Lines = append(spec.Lines, checkout.LineSpec{DisplayVariantID: x.DisplayVariantID, ProductSizeID: x.ProductSizeID,
				Quantity: x.Quantity, UnitPriceMinor: x.UnitPriceMinor})
		}
		if orig.CustomerID != nil {
			cs, err := store.CustomersByIDs(ctx, tx, []int64{*orig.CustomerID})
			if err != nil {
				return err
			}
			if len(cs) == 1 {
				spec.Address = &checkout.Address{Email: cs[0].Email, FirstName: cs[0].FirstName, LastName: cs[0].LastName}
			}
		}
		sel, err := checkout.CreateSelection(ctx, tx, spec)
		if err != nil {
			return err
		}
		id = sel.ID
		return audit(ctx, tx, actor, "CLAIM", "PaymentLink", fmt.Sprint(l.ID), l.StoreID, nil, map[string]any{"claimed": checkout.IDHint(sel.ID)})
	})
	return id, seam.Wrap(err, "claim payment link")
}

// eventActions are the events feed's change types of audit actions.
var eventActions = map[string]string{"CREATE": event.Created, "UPDATE": event.Updated, "CLAIM": event.Updated, "REVOKE": event.Updated}

// audit writes who did what to an object, and its event, in the caller's
// transaction. Call it last: recording the event holds the feed's order
// until commit.
func audit(ctx context.Context, tx *db.Tx, actor, action, objectType, objectID string, storeID int64, marketID *int64,
	detail map[string]any) error {
	a := store.Audit{Actor: actor, Action: action, ObjectType: objectType, ObjectID: objectID, CreatedAt: db.Now()}
	if detail != nil {
		raw, err := json.Marshal(detail)
		if err != nil {
			return err
		}
		s := string(raw)
		a.Detail = &s
	}
	if err := store.InsertAudit(ctx, tx, a); err != nil {
		return err
	}
	_, err := event.Record(ctx, tx, event.Event{StoreID: &storeID, MarketID: marketID, ObjectType: objectType, ObjectID: objectID, Action: eventActions[action],
		Actor: actor, Payload: detail})
	return err
}
