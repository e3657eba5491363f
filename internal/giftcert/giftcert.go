// Package giftcert holds gift certificates (seed 004): what a store sells
// (a predetermined amount per currency, or any amount within bounds), and
// the credit a purchase issues: a CREDIT voucher whose balance is a
// ledger, spent after tax like a payment.
package giftcert

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/idconv"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

// Input creates or changes a gift certificate.
type Input struct {
	Store              *seam.Ref
	Code               *string
	Name               *string
	Type               *string
	CurrencyOfSaleOnly *bool
	ShowGiftAmount     *bool
	ValidityDays       *int
	Status             *string
	// Amounts are a predetermined certificate's amounts, one per currency.
	Amounts []money.Input
	// Bounds are an any-amount certificate's limits per currency; a
	// currency without bounds takes DefaultMin to DefaultMax major units.
	Bounds []BoundsInput
}

// BoundsInput limits the amount of an any-amount certificate in one
// currency.
type BoundsInput struct {
	Min *money.Input
	Max *money.Input
}

// Defaults of an any-amount certificate, in major units, and of validity.
const (
	DefaultMin          = 1
	DefaultMax          = 10_000
	DefaultValidityDays = 365
)

var codeForm = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// Create makes a gift certificate with its amounts.
func Create(ctx context.Context, d *db.DB, actor seam.Actor, in Input) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		now := db.Now()
		g := store.GiftCertificate{ValidityDays: DefaultValidityDays, Status: "ACTIVE", CreatedAt: now, UpdatedAt: now}
		if in.Store == nil {
			p.Add(path.Key("store"), "A gift certificate needs a store.")
		} else if sid, ok, err := idconv.Collect(ctx, tx, &p, actor, "Store", in.Store, path.Key("store")); err != nil {
			return err
		} else if ok && !actor.MayUseStore(sid) {
			p.Merge(actor.StoreError(path.Key("store"), "it", sid))
		} else if ok {
			g.StoreID = sid
		}
		if in.Type == nil {
			p.Add(path.Key("type"), "type is required: predeterminedAmount or anyAmount.")
		} else {
			g.Type = *in.Type
		}
		if in.Code == nil || in.Name == nil {
			p.Add(path, "A gift certificate needs a code (such as gift-2) and a name.")
		}
		fields(&p, path, in, &g)
		amounts := amountsOf(&p, path, g.Type, in)
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertGiftCertificate(ctx, tx, &g); err != nil {
			if db.IsUniqueViolation(err) {
				return seam.Invalid(path.Key("code"), "Store %d already sells a gift certificate %q.", g.StoreID, g.Code)
			}
			return err
		}
		id = g.ID
		return store.SetGiftAmounts(ctx, tx, g.ID, withID(amounts, g.ID))
	})
	return id, seam.Wrap(err, "create gift certificate")
}

// Update changes a gift certificate; amounts or bounds given replace the
// old ones. Its type and store cannot change. Codes issued before keep
// what they were bought with.
func Update(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in Input) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		if _, err := db.Lock(ctx, tx, "gift_certificate", id); err != nil {
			if errors.Is(err, seam.ErrNotFound) {
				return seam.Invalid(seam.P("id"), "Could not find GiftCertificate with ID %d.", id)
			}
			return err
		}
		gs, err := store.GiftCertificatesByIDs(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		if len(gs) == 0 {
			return seam.Invalid(seam.P("id"), "Could not find GiftCertificate with ID %d.", id)
		}
		g := gs[0]
		var p seam.Problems
		if !actor.MayUseStore(g.StoreID) {
			p.Merge(actor.StoreError(seam.P("id"), fmt.Sprintf("gift certificate %d", id), g.StoreID))
		}
		if in.Store != nil || (in.Type != nil && *in.Type != g.Type) {
			p.Add(path, "A gift certificate's store and type cannot change; create another one.")
		}
		fields(&p, path, in, &g)
		var amounts []store.GiftAmount
		replace := in.Amounts != nil || in.Bounds != nil
		if replace {
			amounts = amountsOf(&p, path, g.Type, in)
		}
		if err := p.Err(); err != nil {
			return err
		}
		g.UpdatedAt = db.Now()
		if err := store.UpdateGiftCertificate(ctx, tx, &g); err != nil {
			if db.IsUniqueViolation(err) {
				return seam.Invalid(path.Key("code"), "Store %d already sells a gift certificate %q.", g.StoreID, g.Code)
			}
			return err
		}
		if replace {
			return store.SetGiftAmounts(ctx, tx, g.ID, withID(amounts, g.ID))
		}
		return nil
	})
	return seam.Wrap(err, fmt.Sprintf("update gift certificate %d", id))
}

func fields(p *seam.Problems, path seam.Path, in Input, g *store.GiftCertificate) {
	if in.Code != nil {
		if !codeForm.MatchString(*in.Code) {
			p.Add(path.Key("code"), "A code is 1 to 64 letters, digits, - and _, starting with a letter or digit, such as gift-2; got %q.", *in.Code)
		}
		g.Code = *in.Code
	}
	if in.Name != nil {
		if strings.TrimSpace(*in.Name) == "" || utf8.RuneCountInString(*in.Name) > 200 || strings.IndexFunc(*in.Name, unicode.IsControl) >= 0 {
			p.Add(path.Key("name"), "A name is 1 to 200 characters on one line (it is the e-mail's subject).")
		}
		g.Name = strings.TrimSpace(*in.Name)
	}
	if g.Type != "" && g.Type != store.GiftPredetermined && g.Type != store.GiftAnyAmount {
		p.Add(path.Key("type"), "type must be predeterminedAmount or anyAmount, got %q.", g.Type)
	}
	if in.CurrencyOfSaleOnly != nil {
		g.CurrencyOfSaleOnly = *in.CurrencyOfSaleOnly
	}
	if in.ShowGiftAmount != nil {
		g.ShowGiftAmount = *in.ShowGiftAmount
	}
	if in.ValidityDays != nil {
		if *in.ValidityDays < 1 || *in.ValidityDays > 3650 {
			p.Add(path.Key("validityDays"), "validityDays is 1 to 3650, got %d.", *in.ValidityDays)
		}
		g.ValidityDays = *in.ValidityDays
	}
	if in.Status != nil {
		if *in.Status != "ACTIVE" && *in.Status != "INACTIVE" {
			p.Add(path.Key("status"), "status must be ACTIVE or INACTIVE.")
		}
		g.Status = *in.Status
	}
}

// amountsOf checks the amounts (predetermined) or bounds (any amount).
func amountsOf(p *seam.Problems, path seam.Path, typ string, in Input) []store.GiftAmount {
	var out []store.GiftAmount
	seen := map[string]bool{}
	dup := func(field seam.Path, cur string) bool {
		if seen[cur] {
			p.Add(field, "%s is given twice; one per currency.", cur)
			return true
		}
		seen[cur] = true
		return false
	}
	switch typ {
	case store.GiftPredetermined:
		if len(in.Bounds) > 0 {
			p.Add(path.Key("bounds"), "A predeterminedAmount certificate has amounts, not bounds.")
		}
		if len(in.Amounts) == 0 {
			p.Add(path.Key("amounts"), "A predeterminedAmount certificate needs its amount in at least one currency.")
		}
		for i, a := range in.Amounts {
			ap := path.Key("amounts").Index(i)
			amt, err := catalog.Amount(ap, a)
			if p.Merge(err) || dup(ap.Key("currencyIsoCode"), amt.Currency) {
				continue
			}
			if amt.Minor <= 0 {
				p.Add(ap.Key("value"), "An amount must be more than 0.")
				continue
			}
			out = append(out, store.GiftAmount{Currency: amt.Currency, AmountMinor: &amt.Minor})
		}
	case store.GiftAnyAmount:
		if len(in.Amounts) > 0 {
			p.Add(path.Key("amounts"), "An anyAmount certificate has bounds, not amounts.")
		}
		for i, b := range in.Bounds {
			bp := path.Key("bounds").Index(i)
			if b.Min == nil || b.Max == nil {
				p.Add(bp, "Bounds need min and max.")
				continue
			}
			lo, err1 := catalog.Amount(bp.Key("min"), *b.Min)
			hi, err2 := catalog.Amount(bp.Key("max"), *b.Max)
			if p.Merge(err1) || p.Merge(err2) {
				continue
			}
			if lo.Currency != hi.Currency {
				p.Add(bp, "min and max must be in the same currency, got %s and %s.", lo.Currency, hi.Currency)
				continue
			}
			if lo.Minor <= 0 || hi.Minor < lo.Minor {
				p.Add(bp, "Bounds need 0 < min ≤ max, got %s to %s.", lo, hi)
				continue
			}
			if dup(bp.Key("min", "currencyIsoCode"), lo.Currency) {
				continue
			}
			out = append(out, store.GiftAmount{Currency: lo.Currency, MinMinor: &lo.Minor, MaxMinor: &hi.Minor})
		}
	}
	slices.SortFunc(out, func(a, b store.GiftAmount) int { return strings.Compare(a.Currency, b.Currency) })
	return out
}

func withID(as []store.GiftAmount, id int64) []store.GiftAmount {
	for i := range as {
		as[i].GiftCertificateID = id
	}
	return as
}

// Bounds returns the amounts an any-amount certificate takes in a
// currency: its own bounds, or DefaultMin to DefaultMax major units.
func Bounds(amounts []store.GiftAmount, currency string) (lo, hi money.Amount, err error) {
	for _, a := range amounts {
		if a.Currency == currency && a.MinMinor != nil && a.MaxMinor != nil {
			return money.New(*a.MinMinor, currency), money.New(*a.MaxMinor, currency), nil
		}
	}
	digits, err := money.Digits(currency)
	if err != nil {
		return lo, hi, err
	}
	unit := int64(1)
	for range digits {
		unit *= 10
	}
	return money.New(DefaultMin*unit, currency), money.New(DefaultMax*unit, currency), nil
}
