// Package voucher holds promotions: vouchers with codes (kept only as
// hashes), validity, markets, usage limits, and actions that take a
// percentage or an amount off products or the order, or make shipping free.
package voucher

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govalues/decimal"

	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/secret"
	"seam/internal/store"
)

// Voucher methods, types, strategies and action results as Centra names
// them.
var (
	Methods              = []string{"CODE", "URL", "AUTO"}
	Types                = []string{TypeDiscount, TypeCredit}
	EntryPointStrategies = []string{"APPLY_ALL_IF_ALL_APPLY", "APPLY_ALL_THAT_APPLY", "APPLY_FIRST_THAT_APPLIES"}
	ContinueStrategies   = []string{"ALL_PRODUCTS", "SELECTED_PRODUCTS", "STOP"}
)

// Result types of an action.
const (
	ResultSelectedProductsPrice = "CHANGE_SELECTED_PRODUCTS_PRICE"
	ResultFreeShipping          = "SET_FREE_SHIPPING"
)

// Where a price action applies.
const (
	ApplyOnOrder    = "ORDER"
	ApplyOnProducts = "PRODUCTS"
)

// CriterionAlways is the criterion that always holds; the only one Seam
// evaluates so far.
const CriterionAlways = "ALWAYS"

// Always reports whether an action's criteria hold for every selection.
func Always(criteria []string) bool {
	for _, c := range criteria {
		if c != CriterionAlways {
			return false
		}
	}
	return true
}

// Input creates or changes a voucher (createVoucher / updateVoucher).
type Input struct {
	Name                     *string
	Status                   *string
	StartAt                  *time.Time
	StopAt                   *time.Time
	Method                   *string
	Code                     *string
	URL                      *string
	Priority                 *int
	MaxUsages                *int
	CombineWithOtherVouchers *bool
	Reuse                    *bool
	Type                     *string
	EntryPointStrategy       *string
	ConversionHTML           *string
	Store                    *seam.Ref
	AddMarkets               []seam.Ref
	Actions                  []ActionInput
	ExternalID               *string
}

// ActionInput is one action of a voucher.
type ActionInput struct {
	EntrypointAction *EntrypointInput
	AddCriteria      []CriterionInput
	Result           *ResultInput
	ContinueStrategy *string
}

// EntrypointInput marks an action as an entry point ({id: null}) or as
// following another action.
type EntrypointInput struct {
	ID *int64
}

// CriterionInput is a condition of an action.
type CriterionInput struct {
	Always *bool
}

// ResultInput is what an action does.
type ResultInput struct {
	SelectedProducts *SelectedProductsInput
	FreeShipping     *FreeShippingInput
}

// SelectedProductsInput changes the price of the order or some products.
type SelectedProductsInput struct {
	ApplyOn  *string
	Products []seam.Ref
	Discount *DiscountInput
}

// DiscountInput is a percentage or an amount off.
type DiscountInput struct {
	PercentOff *money.Number
	AmountOff  *money.Input
}

// FreeShippingInput makes some (or, empty, all) shipping options free.
type FreeShippingInput struct {
	ShippingOptions []seam.Ref
}

// Created is what Create made: the voucher and, once, its plain code as
// given (codes match regardless of case).
type Created struct {
	ID   int64
	Code string
}

// codeAlphabet has no 0/O or 1/I/L, for codes people type.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NewCode makes a random code of n characters from an unambiguous
// alphabet, each character uniform (about 4.95 bits: 16 characters are
// 79 bits).
func NewCode(n int) string {
	// Bytes at or above the largest multiple of the alphabet's size are
	// skipped, so that every character is equally likely.
	limit := byte(256 / len(codeAlphabet) * len(codeAlphabet))
	var b strings.Builder
	buf := make([]byte, 2*n)
	for b.Len() < n {
		if _, err := rand.Read(buf); err != nil {
			panic("voucher: crypto/rand failed: " + err.Error())
		}
		for _, c := range buf {
			if c < limit && b.Len() < n {
				b.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
			}
		}
	}
	return b.String()
}

// NormalizeCode is how codes are compared: trimmed, upper case.
func NormalizeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// HashCode is the stored form of a code: secret.CodeHash under the
// server's code key, read through q.
func HashCode(ctx context.Context, q db.Q, code string) (string, error) {
	key, err := db.CodeKey(ctx, q)
	if err != nil {
		return "", err
	}
	return secret.CodeHash(key, NormalizeCode(code)), nil
}

// Hint is the end of a code, kept in plain text for people to tell codes
// apart: a third of its characters, at most four (a 12-character code
// shows 4, a human-chosen 8-character one 2), so that the hint never gives
// away most of a short code.
func Hint(code string) string {
	r := []rune(NormalizeCode(code))
	n := min(4, len(r)/3)
	return string(r[len(r)-n:])
}

// Create makes a voucher with its markets and actions. Without a code, a
// CODE voucher gets a random one.
func Create(ctx context.Context, d *db.DB, actor seam.Actor, in Input) (Created, error) {
	var out Created
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		now := db.Now()
		v := store.Voucher{CreatedAt: now, UpdatedAt: now}
		oneOf := func(field string, val *string, allowed []string, def string) string {
			if val == nil {
				if def == "" {
					p.Add(path.Key(field), "%s is required.", field)
				}
				return def
			}
			if !slices.Contains(allowed, *val) {
				p.Add(path.Key(field), "%s must be one of %s, got %q.", field, strings.Join(allowed, ", "), *val)
			}
			return *val
		}
		if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
			p.Add(path.Key("name"), "name must not be empty.")
		} else {
			v.Name = strings.TrimSpace(*in.Name)
		}
		v.Status = oneOf("status", in.Status, []string{"ACTIVE", "INACTIVE"}, "")
		v.Method = oneOf("method", in.Method, Methods, "")
		v.Type = oneOf("type", in.Type, Types, "")
		if v.Type == TypeCredit {
			// A credit voucher holds money: it is issued by selling a gift
			// certificate, with its amount and ledger.
			p.Add(path.Key("type"), "CREDIT vouchers are issued by selling gift certificates (createGiftCertificate); create a DISCOUNT voucher here.")
		}
		v.EntryPointStrategy = oneOf("entryPointStrategy", in.EntryPointStrategy, EntryPointStrategies, "")
		if in.StartAt == nil || in.StopAt == nil {
			p.Add(path, "startAt and stopAt are required.")
		} else {
			v.StartAt, v.StopAt = db.Time(*in.StartAt), db.Time(*in.StopAt)
			if !v.StopAt.After(v.StartAt) {
				p.Add(path.Key("stopAt"), "stopAt must be after startAt.")
			}
		}
		fields(&p, path, in, &v)
		if in.Store == nil {
			p.Add(path.Key("store"), "A voucher needs a store.")
		} else if sid, ok, err := idconv.Collect(ctx, tx, &p, actor, "Store", in.Store, path.Key("store")); err != nil {
			return err
		} else if ok && !actor.MayUseStore(sid) {
			p.Merge(actor.StoreError(path.Key("store"), "it", sid))
		} else if ok {
			v.StoreID = sid
		}
		if v.Method == "CODE" {
			code := ""
			if in.Code != nil {
				code = strings.TrimSpace(*in.Code)
			}
			if code == "" {
				code = NewCode(12)
			}
			if err := checkCode(&p, path.Key("code"), code); err == nil {
				h, err := HashCode(ctx, tx, code)
				if err != nil {
					return err
				}
				hint := Hint(code)
				v.CodeHash, v.CodeHint, out.Code = &h, &hint, code
			}
		} else if in.Code != nil {
			p.Add(path.Key("code"), "Only CODE vouchers have a code; this one is %s.", v.Method)
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertVoucher(ctx, tx, &v); err != nil {
			if db.IsUniqueViolation(err) {
				return seam.Invalid(path.Key("code"), "Another voucher of store %d has this code.", v.StoreID)
			}
			return err
		}
		out.ID = v.ID
		if err := markets(ctx, tx, actor, v, in.AddMarkets, path.Key("addMarkets")); err != nil {
			return err
		}
		if err := actions(ctx, tx, actor, v, in.Actions, path.Key("actions")); err != nil {
			return err
		}
		if err := idconv.Assign(ctx, tx, actor, "Voucher", v.ID, in.ExternalID, path.Key("externalId")); err != nil {
			return err
		}
		return event.Change(ctx, tx, actor, &v.StoreID, event.TypeVoucher, v.ID, event.Created)
	})
	return out, seam.Wrap(err, "create voucher")
}

// Update changes a voucher; actions given replace the old ones, markets
// given are added.
func Update(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in Input) (string, error) {
	var code string
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		if _, err := db.Lock(ctx, tx, "voucher", id); err != nil {
			return err
		}
		vs, err := store.VouchersByIDs(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return seam.Invalid(seam.P("id"), "Could not find Voucher with ID %d.", id)
		}
		v := vs[0]
		var p seam.Problems
		if !actor.MayUseStore(v.StoreID) {
			p.Merge(actor.StoreError(seam.P("id"), fmt.Sprintf("voucher %d", id), v.StoreID))
		}
		if in.Store != nil || in.Method != nil || in.Type != nil {
			p.Add(path, "A voucher's store, method and type cannot change; create another voucher.")
		}
		if in.Name != nil {
			if strings.TrimSpace(*in.Name) == "" {
				p.Add(path.Key("name"), "name must not be empty.")
			}
			v.Name = strings.TrimSpace(*in.Name)
		}
		if in.Status != nil {
			if *in.Status != "ACTIVE" && *in.Status != "INACTIVE" {
				p.Add(path.Key("status"), "status must be ACTIVE or INACTIVE.")
			}
			v.Status = *in.Status
		}
		if in.StartAt != nil {
			v.StartAt = db.Time(*in.StartAt)
		}
		if in.StopAt != nil {
			v.StopAt = db.Time(*in.StopAt)
		}
		if !v.StopAt.After(v.StartAt) {
			p.Add(path.Key("stopAt"), "stopAt must be after startAt.")
		}
		if in.EntryPointStrategy != nil {
			if !slices.Contains(EntryPointStrategies, *in.EntryPointStrategy) {
				p.Add(path.Key("entryPointStrategy"), "entryPointStrategy must be one of %s.", strings.Join(EntryPointStrategies, ", "))
			}
			v.EntryPointStrategy = *in.EntryPointStrategy
		}
		fields(&p, path, in, &v)
		if in.Code != nil {
			if v.Method != "CODE" {
				p.Add(path.Key("code"), "Only CODE vouchers have a code.")
			} else if c := strings.TrimSpace(*in.Code); checkCode(&p, path.Key("code"), c) == nil {
				h, err := HashCode(ctx, tx, c)
				if err != nil {
					return err
				}
				hint := Hint(c)
				v.CodeHash, v.CodeHint, code = &h, &hint, c
			}
		}
		if int64(v.MaxUsages) != 0 && v.Usages > v.MaxUsages {
			p.Add(path.Key("maxUsages"), "The voucher was used %d times already; maxUsages cannot be lower.", v.Usages)
		}
		if err := p.Err(); err != nil {
			return err
		}
		v.UpdatedAt = db.Now()
		if err := store.UpdateVoucher(ctx, tx, &v); err != nil {
			if db.IsUniqueViolation(err) {
				return seam.Invalid(path.Key("code"), "Another voucher of store %d has this code.", v.StoreID)
			}
			return err
		}
		if err := markets(ctx, tx, actor, v, in.AddMarkets, path.Key("addMarkets")); err != nil {
			return err
		}
		if in.Actions != nil {
			if err := store.DeleteVoucherActions(ctx, tx, v.ID); err != nil {
				return err
			}
			if err := actions(ctx, tx, actor, v, in.Actions, path.Key("actions")); err != nil {
				return err
			}
		}
		if err := idconv.Assign(ctx, tx, actor, "Voucher", v.ID, in.ExternalID, path.Key("externalId")); err != nil {
			return err
		}
		return event.Change(ctx, tx, actor, &v.StoreID, event.TypeVoucher, v.ID, event.Updated)
	})
	return code, seam.Wrap(err, fmt.Sprintf("update voucher %d", id))
}

func fields(p *seam.Problems, path seam.Path, in Input, v *store.Voucher) {
	if in.Priority != nil {
		v.Priority = *in.Priority
	}
	if in.MaxUsages != nil {
		if *in.MaxUsages < 0 {
			p.Add(path.Key("maxUsages"), "maxUsages must be 0 (no limit) or more, got %d.", *in.MaxUsages)
		}
		v.MaxUsages = int64(*in.MaxUsages)
	}
	if in.CombineWithOtherVouchers != nil {
		v.Combine = *in.CombineWithOtherVouchers
	}
	if in.Reuse != nil {
		v.Reuse = *in.Reuse
	}
	if in.URL != nil {
		v.URL = in.URL
	}
	if in.ConversionHTML != nil {
		v.ConversionHTML = in.ConversionHTML
	}
}

func checkCode(p *seam.Problems, path seam.Path, code string) error {
	n := utf8.RuneCountInString(code)
	if n < 3 || n > 64 {
		p.Add(path, "A code has 3 to 64 characters, got %d.", n)
		return seam.ErrInvalid
	}
	return nil
}

func markets(ctx context.Context, tx *db.Tx, actor seam.Actor, v store.Voucher, refs []seam.Ref, path seam.Path) error {
	if len(refs) == 0 {
		return nil
	}
	var p seam.Problems
	have, err := store.VoucherMarkets(ctx, tx, []int64{v.ID})
	if err != nil {
		return err
	}
	var ids []int64
	for _, h := range have {
		ids = append(ids, h.B)
	}
	for i := range refs {
		id, ok, err := idconv.Collect(ctx, tx, &p, actor, "Market", &refs[i], path.Index(i))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		ms, err := store.MarketsByIDs(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		if len(ms) == 1 && ms[0].StoreID != v.StoreID {
			p.Add(path.Index(i), "Market %d belongs to store %d, not to the voucher's store %d.", id, ms[0].StoreID, v.StoreID)
			continue
		}
		ids = append(ids, id)
	}
	if err := p.Err(); err != nil {
		return err
	}
	return store.SetVoucherMarkets(ctx, tx, v.ID, ids)
}

func actions(ctx context.Context, tx *db.Tx, actor seam.Actor, v store.Voucher, in []ActionInput, path seam.Path) error {
	var p seam.Problems
	for i, a := range in {
		ap := path.Index(i)
		row := store.VoucherAction{VoucherID: v.ID, Position: i, IsEntryPoint: a.EntrypointAction == nil || a.EntrypointAction.ID == nil,
			ContinueStrategy: "ALL_PRODUCTS"}
		if a.ContinueStrategy != nil {
			if !slices.Contains(ContinueStrategies, *a.ContinueStrategy) {
				p.Add(ap.Key("continueStrategy"), "continueStrategy must be one of %s.", strings.Join(ContinueStrategies, ", "))
			}
			row.ContinueStrategy = *a.ContinueStrategy
		}
		for j, c := range a.AddCriteria {
			if c.Always != nil && *c.Always {
				row.Criteria = append(row.Criteria, CriterionAlways)
			} else {
				p.Add(ap.Key("addCriteria").Index(j), "Only {always: true} criteria are supported so far.")
			}
		}
		if len(row.Criteria) == 0 {
			row.Criteria = []string{CriterionAlways}
		}
		switch r := a.Result; {
		case r == nil || (r.SelectedProducts == nil) == (r.FreeShipping == nil):
			p.Add(ap.Key("result"), "Give exactly one result: selectedProducts or freeShipping.")
		case r.SelectedProducts != nil:
			sp := r.SelectedProducts
			row.ResultType = ResultSelectedProductsPrice
			applyOn := ApplyOnOrder
			if sp.ApplyOn != nil {
				applyOn = *sp.ApplyOn
			}
			row.ApplyOn = &applyOn
			for j := range sp.Products {
				id, ok, err := idconv.Collect(ctx, tx, &p, actor, "Product", &sp.Products[j], ap.Key("result", "selectedProducts", "products").Index(j))
				if err != nil {
					return err
				}
				if ok {
					row.ProductIDs = append(row.ProductIDs, strconv.FormatInt(id, 10))
				}
			}
			if applyOn == ApplyOnProducts && len(sp.Products) == 0 {
				p.Add(ap.Key("result", "selectedProducts", "products"), "applyOn PRODUCTS needs the products.")
			}
			dp := ap.Key("result", "selectedProducts", "discount")
			switch d := sp.Discount; {
			case d == nil || (d.PercentOff == nil) == (d.AmountOff == nil):
				p.Add(dp, "Give exactly one of percentOff and amountOff.")
			case d.PercentOff != nil:
				pct := d.PercentOff.D.Trim(0)
				if pct.Sign() <= 0 || pct.Cmp(decimal.Hundred) > 0 || pct.Scale() > 4 {
					p.Add(dp.Key("percentOff"), "percentOff must be above 0 and at most 100, got %s.", pct)
				}
				s := pct.String()
				row.PercentOff = &s
			default:
				a, err := catalog.Amount(dp.Key("amountOff"), *d.AmountOff)
				if p.Merge(err) {
					break
				}
				if a.Minor <= 0 {
					p.Add(dp.Key("amountOff"), "amountOff must be above 0.")
				}
				row.AmountOffMinor, row.AmountOffCurrency = &a.Minor, &a.Currency
			}
		default:
			row.ResultType = ResultFreeShipping
			for j := range r.FreeShipping.ShippingOptions {
				id, ok, err := idconv.Collect(ctx, tx, &p, actor, "ShippingOption", &r.FreeShipping.ShippingOptions[j], ap.Key("result", "freeShipping", "shippingOptions").Index(j))
				if err != nil {
					return err
				}
				if ok {
					row.ShippingOptionIDs = append(row.ShippingOptionIDs, strconv.FormatInt(id, 10))
				}
			}
		}
		if len(p.Errors) > 0 {
			continue
		}
		if err := store.InsertVoucherAction(ctx, tx, &row); err != nil {
			return err
		}
	}
	return p.Err()
}

// Voucher types: a discount takes money off prices; credit (an issued gift
// certificate) pays after tax, like a payment.
const (
	TypeDiscount = "DISCOUNT"
	TypeCredit   = "CREDIT"
)

// Problem says why a voucher cannot be used in a market now, or "".
func Problem(v store.Voucher, markets []store.IDPair, marketID int64, now time.Time) string {
	switch {
	case v.Status != "ACTIVE":
		return "The voucher is not active."
	case now.Before(v.StartAt):
		return "The voucher is not valid yet."
	case !now.Before(v.StopAt):
		return "The voucher has expired."
	case v.Type != TypeCredit && v.MaxUsages > 0 && v.Usages >= v.MaxUsages:
		return "The voucher has been used up."
	}
	listed, here := false, false
	for _, m := range markets {
		if m.A == v.ID {
			listed = true
			here = here || m.B == marketID
		}
	}
	if listed && !here {
		return "The voucher is not valid in this market."
	}
	return ""
}

// WorksIn reports whether any of a voucher's actions (of any vouchers;
// only voucherID's count) gives something in a currency: a percentage,
// free shipping, or an amount in that currency.
func WorksIn(actions []store.VoucherAction, voucherID int64, currency string) bool {
	for _, a := range actions {
		if a.VoucherID != voucherID {
			continue
		}
		if a.ResultType == ResultFreeShipping || a.PercentOff != nil || (a.AmountOffCurrency != nil && *a.AmountOffCurrency == currency) {
			return true
		}
	}
	return false
}

// ByCode finds a store's voucher by the code a shopper typed.
func ByCode(ctx context.Context, q db.Q, storeID int64, code string) (store.Voucher, error) {
	h, err := HashCode(ctx, q, code)
	if err != nil {
		return store.Voucher{}, err
	}
	v, err := store.VoucherByCode(ctx, q, storeID, h)
	if errors.Is(err, seam.ErrNotFound) {
		return v, fmt.Errorf("no voucher with this code: %w", seam.ErrNotFound)
	}
	return v, err
}
