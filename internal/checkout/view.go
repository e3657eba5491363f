package checkout

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/govalues/decimal"

	"seam/internal/db"
	"seam/internal/money"
	"seam/internal/mutant"
	"seam/internal/store"
	"seam/internal/voucher"
)

// View is a selection with everything a storefront shows of it, priced:
// lines, vouchers, shipping, payment methods, taxes and totals.
type View struct {
	Selection       store.Selection
	Store           store.Store
	Market          store.Market
	Pricelist       store.Pricelist
	Country         *store.Country
	State           *store.State
	Lines           []Line
	Vouchers        []AppliedVoucher
	ShippingMethods []ShippingMethod
	// Shipping is the chosen shipping method; nil when none ships to the
	// country.
	Shipping        *ShippingMethod
	PaymentMethods  []store.PaymentMethod
	PaymentMethod   *store.PaymentMethod
	Address         Address
	ShippingAddress Address
	// VatExempt is set when the selection carries no tax.
	VatExempt bool
	// StateRequired is set when the selection's country taxes by state,
	// so that an order needs the buyer's state.
	StateRequired bool
	Totals        Totals
	// Unusable are the vouchers on the selection that no longer apply
	// (expired, used up, …): code hint → why. Payment waits until the
	// shopper removes them, so nobody pays more than they were shown.
	Unusable map[string]string
	// Gift is the gift certificate the selection buys (then it has no
	// lines).
	Gift *GiftLine
	// Credits are the credit vouchers paying for the selection.
	Credits []AppliedCredit

	freeShipping []string
	shippingTax  money.Amount
	shippingRate decimal.Decimal
}

// ShippingTax is the tax on the shipping price, and its rate.
func (v View) ShippingTax() (money.Amount, decimal.Decimal) { return v.shippingTax, v.shippingRate }

// Line is a priced selection line.
type Line struct {
	Line    store.SelectionLine
	Item    string
	Product Product
	Size    store.ProductSize
	// Unit is the price of one (a special price, a discount price or the
	// pricelist's); UnitBefore the price before any of those.
	Unit       money.Amount
	UnitBefore money.Amount
	// Total is Unit × quantity; Discount what vouchers take off it.
	Total    money.Amount
	Discount money.Amount
	TaxRate  decimal.Decimal
	Tax      money.Amount
	// Free is the stock free to allocate for the item.
	Free int64
}

// Net is what the line costs after vouchers.
func (l Line) Net() money.Amount { return money.New(l.Total.Minor-l.Discount.Minor, l.Total.Currency) }

// AppliedVoucher is a voucher on the selection and what it does.
type AppliedVoucher struct {
	Voucher  store.Voucher
	CodeHint string
	// CodeSealed is the code as typed, sealed for its session (OpenCode).
	CodeSealed   string
	Discount     money.Amount
	FreeShipping bool
}

// ShippingMethod is a shipping option with its price for this selection.
type ShippingMethod struct {
	Option store.ShippingOption
	// Price is what it costs here (0 when free); BasePrice its price
	// before the free-above threshold and vouchers.
	Price     money.Amount
	BasePrice money.Amount
}

// Totals are the selection's sums, in the pricelist's currency.
type Totals struct {
	Quantity int64
	// Items is the lines' totals before vouchers.
	Items    money.Amount
	Discount money.Amount
	Shipping money.Amount
	// Tax is all tax: included in the prices or added on top.
	Tax        money.Amount
	GrandTotal money.Amount
	// Credit is what credit vouchers (gift certificates) pay, after tax.
	Credit money.Amount
	// ToPay is what the shopper pays: the grand total less credit.
	ToPay money.Amount
}

// Address is a shopper's address as the Checkout API takes it.
type Address struct {
	Email           string `json:"email,omitempty"`
	FirstName       string `json:"firstName,omitempty"`
	LastName        string `json:"lastName,omitempty"`
	Company         string `json:"company,omitempty"`
	Address1        string `json:"address1,omitempty"`
	Address2        string `json:"address2,omitempty"`
	ZipCode         string `json:"zipCode,omitempty"`
	City            string `json:"city,omitempty"`
	State           string `json:"state,omitempty"`
	Country         string `json:"country,omitempty"`
	PhoneNumber     string `json:"phoneNumber,omitempty"`
	VatNumber       string `json:"vatNumber,omitempty"`
	NewsletterOptIn bool   `json:"newsletter,omitempty"`
}

// ParseAddress reads an address stored as JSON; bad JSON gives an empty
// address.
func ParseAddress(s string) Address {
	var a Address
	if s != "" {
		_ = json.Unmarshal([]byte(s), &a)
	}
	return a
}

// View prices a selection.
func (s *Service) View(ctx context.Context, selectionID string) (View, error) {
	return s.view(ctx, s.DB.Read(), selectionID)
}

// ViewIn prices a selection reading through q.
func (s *Service) ViewIn(ctx context.Context, q db.Q, selectionID string) (View, error) {
	return s.view(ctx, q, selectionID)
}

func (s *Service) view(ctx context.Context, q db.Q, selectionID string) (View, error) {
	var v View
	sel, err := store.GetSelection(ctx, q, selectionID, false)
	if isNotFound(err) {
		return v, notFound("no selection %q", selectionID)
	} else if err != nil {
		return v, err
	}
	v.Selection = sel
	if v.Store, err = store.GetStore(ctx, q, sel.StoreID); err != nil {
		return v, err
	}
	ms, err := store.MarketsByIDs(ctx, q, []int64{sel.MarketID})
	if err != nil || len(ms) == 0 {
		return v, fmt.Errorf("market %d of selection %s: %w", sel.MarketID, sel.ID, err)
	}
	v.Market = ms[0]
	if v.Pricelist, err = store.GetPricelist(ctx, q, sel.PricelistID); err != nil {
		return v, err
	}
	cur := v.Pricelist.CurrencyCode
	if sel.CountryID != nil {
		cs, err := store.CountriesByIDs(ctx, q, []int64{*sel.CountryID})
		if err != nil {
			return v, err
		}
		if len(cs) == 1 {
			v.Country = &cs[0]
			if v.StateRequired, err = stateRequired(ctx, q, cs[0].ID); err != nil {
				return v, err
			}
		}
	}
	if sel.StateID != nil {
		st, err := store.StatesByIDs(ctx, q, []int64{*sel.StateID})
		if err != nil {
			return v, err
		}
		if len(st) == 1 {
			v.State = &st[0]
		}
	}
	v.Address, v.ShippingAddress = ParseAddress(sel.Address), ParseAddress(sel.ShippingAddress)
	if v.PaymentMethods, err = store.PaymentMethods(ctx, q, sel.StoreID); err != nil {
		return v, err
	}
	for i, m := range v.PaymentMethods {
		if (sel.PaymentMethodID != nil && m.ID == *sel.PaymentMethodID) || (sel.PaymentMethodID == nil && i == 0) {
			v.PaymentMethod = &v.PaymentMethods[i]
		}
	}
	if sg, err := store.SelectionGiftOf(ctx, q, sel.ID); err == nil {
		gs, err := store.GiftCertificatesByIDs(ctx, q, []int64{sg.GiftCertificateID})
		if err != nil || len(gs) != 1 {
			return v, fmt.Errorf("gift certificate %d of selection %s: %v", sg.GiftCertificateID, sel.ID, err)
		}
		giftView(&v, gs[0], sg)
		return v, nil
	} else if !isNotFound(err) {
		return v, err
	}
	if err := s.priceLines(ctx, q, &v); err != nil {
		return v, err
	}
	if err := s.applyVouchers(ctx, q, &v); err != nil {
		return v, err
	}
	if err := s.chooseShipping(ctx, q, &v); err != nil {
		return v, err
	}
	if sel.IgnoreShipping {
		// The payment link ships for free.
		for i := range v.ShippingMethods {
			v.ShippingMethods[i].Price.Minor = 0
		}
	}
	v.VatExempt = sel.IgnoreTax
	if err := s.tax(ctx, q, &v); err != nil {
		return v, err
	}
	t := Totals{Items: money.New(0, cur), Discount: money.New(0, cur), Shipping: money.New(0, cur), Tax: money.New(0, cur), Credit: money.New(0, cur)}
	// Every sum is checked: a total that overflows fails this selection
	// with an input error, never with a wrong amount.
	var sum money.Sum
	for _, l := range v.Lines {
		t.Quantity += l.Line.Quantity
		t.Items = sum.Add(t.Items, l.Total)
		t.Discount = sum.Add(t.Discount, l.Discount)
		t.Tax = sum.Add(t.Tax, l.Tax)
	}
	if v.Shipping != nil {
		t.Shipping = v.Shipping.Price
		t.Tax = sum.Add(t.Tax, v.shippingTax)
	}
	t.GrandTotal = sum.Add(sum.Sub(t.Items, t.Discount), t.Shipping)
	if !v.Pricelist.PricesIncludeTax {
		t.GrandTotal = sum.Add(t.GrandTotal, t.Tax)
	}
	if sum.Err != nil {
		return v, fmt.Errorf("totals of selection %s: %w", sel.ID, sum.Err)
	}
	v.Totals = t
	// Taxes first, credit later: credit pays the total like a payment.
	return v, applyCredit(&v)
}

// priceLines loads the lines' products and prices them.
func (s *Service) priceLines(ctx context.Context, q db.Q, v *View) error {
	lines, err := store.Lines(ctx, q, v.Selection.ID)
	if err != nil || len(lines) == 0 {
		return err
	}
	var ids []int64
	for _, l := range lines {
		ids = append(ids, l.DisplayVariantID)
	}
	items, err := store.DisplayItemsByIDs(ctx, q, ids)
	if err != nil {
		return err
	}
	products, err := loadProducts(ctx, q, v.Pricelist, items, s.Now())
	if err != nil {
		return err
	}
	byID := index(products, func(p Product) int64 { return p.ID })
	cur := v.Pricelist.CurrencyCode
	for _, l := range lines {
		p, ok := byID[l.DisplayVariantID]
		if !ok {
			return fmt.Errorf("line %s: display item %d is gone", l.Line, l.DisplayVariantID)
		}
		line := Line{Line: l, Item: ItemID(l.DisplayVariantID, l.ProductSizeID), Product: p, Unit: p.Price, UnitBefore: p.PriceBefore,
			Discount: money.New(0, cur), Tax: money.New(0, cur)}
		for _, it := range p.Items {
			if it.Size.ID == l.ProductSizeID {
				line.Size, line.Free = it.Size, it.Free
			}
		}
		if l.UnitPriceMinor != nil {
			line.Unit = money.New(*l.UnitPriceMinor, cur)
			if !p.HasPrice {
				line.UnitBefore = line.Unit
			}
		} else if !p.HasPrice {
			return conflict("%s is not priced in pricelist %q; remove it from the selection", p.Display.Name, v.Pricelist.Name)
		}
		line.Total, err = line.Unit.Mul(l.Quantity)
		if err != nil {
			return err
		}
		v.Lines = append(v.Lines, line)
	}
	return nil
}

// applyVouchers works out each voucher's discount, in priority order: a
// percentage of the lines it applies to, or an amount spread over them,
// never below zero; free shipping is noted for chooseShipping.
func (s *Service) applyVouchers(ctx context.Context, q db.Q, v *View) error {
	added, err := store.SelectionVouchers(ctx, q, v.Selection.ID)
	if err != nil || len(added) == 0 {
		return err
	}
	ids := make([]int64, len(added))
	hints, sealed := map[int64]string{}, map[int64]string{}
	for i, a := range added {
		ids[i], hints[a.VoucherID], sealed[a.VoucherID] = a.VoucherID, a.CodeHint, a.CodeSealed
	}
	vouchers, err := store.VouchersByIDs(ctx, q, ids)
	if err != nil {
		return err
	}
	actions, err := store.VoucherActions(ctx, q, ids)
	if err != nil {
		return err
	}
	markets, err := store.VoucherMarkets(ctx, q, ids)
	if err != nil {
		return err
	}
	slices.SortStableFunc(vouchers, func(a, b store.Voucher) int { return b.Priority - a.Priority })
	cur := v.Pricelist.CurrencyCode
	exclusive := false
	for _, vo := range vouchers {
		why := voucher.Problem(vo, markets, v.Selection.MarketID, s.Now())
		if vo.Type == voucher.TypeCredit {
			// Credit pays after tax (applyCredit), it takes nothing off
			// prices.
			var rate *decimal.Decimal
			if why == "" {
				if why, rate, err = creditProblem(ctx, q, vo, cur); err != nil {
					return err
				}
			}
			if why != "" {
				if v.Unusable == nil {
					v.Unusable = map[string]string{}
				}
				v.Unusable[hints[vo.ID]] = why
				continue
			}
			avail, err := available(vo, cur, rate)
			if err != nil {
				return err
			}
			v.Credits = append(v.Credits, AppliedCredit{Voucher: vo, CodeHint: hints[vo.ID], CodeSealed: sealed[vo.ID], Available: avail, rate: rate})
			continue
		}
		if why == "" && !voucher.WorksIn(actions, vo.ID, cur) {
			why = fmt.Sprintf("The voucher gives no discount in %s.", cur)
		}
		if why != "" {
			if v.Unusable == nil {
				v.Unusable = map[string]string{}
			}
			v.Unusable[hints[vo.ID]] = why
			continue
		}
		if exclusive || (!vo.Combine && len(v.Vouchers) > 0) {
			continue
		}
		applied := AppliedVoucher{Voucher: vo, CodeHint: hints[vo.ID], CodeSealed: sealed[vo.ID], Discount: money.New(0, cur)}
		for _, a := range actions {
			if a.VoucherID != vo.ID || !voucher.Always(a.Criteria) {
				continue
			}
			switch a.ResultType {
			case voucher.ResultSelectedProductsPrice:
				d, err := v.discount(a)
				if err != nil {
					return err
				}
				applied.Discount.Minor += d
			case voucher.ResultFreeShipping:
				applied.FreeShipping = true
				v.freeShipping = append(v.freeShipping, a.ShippingOptionIDs...)
				if len(a.ShippingOptionIDs) == 0 {
					v.freeShipping = append(v.freeShipping, "*")
				}
			}
		}
		v.Vouchers = append(v.Vouchers, applied)
		exclusive = !vo.Combine
	}
	return nil
}

// discount applies one price action to the lines and returns what it took.
func (v *View) discount(a store.VoucherAction) (int64, error) {
	var targets []int
	for i, l := range v.Lines {
		if a.ApplyOn == nil || *a.ApplyOn != voucher.ApplyOnProducts || slices.Contains(a.ProductIDs, strconv.FormatInt(l.Product.Product.ID, 10)) {
			targets = append(targets, i)
		}
	}
	var took int64
	switch {
	case a.PercentOff != nil:
		pct, err := decimal.Parse(*a.PercentOff)
		if err != nil {
			return 0, err
		}
		for _, i := range targets {
			d, err := money.Percent(v.Lines[i].Net().Minor, pct)
			if err != nil {
				return 0, err
			}
			v.Lines[i].Discount.Minor += d
			took += d
		}
	case a.AmountOffMinor != nil && a.AmountOffCurrency != nil && *a.AmountOffCurrency == v.Pricelist.CurrencyCode:
		weights := make([]int64, len(targets))
		var sum int64
		for j, i := range targets {
			weights[j] = v.Lines[i].Net().Minor
			sum += weights[j]
		}
		amount := min(*a.AmountOffMinor, sum)
		for j, part := range money.Allocate(amount, weights) {
			v.Lines[targets[j]].Discount.Minor += part
			took += part
		}
	}
	return took, nil
}

// chooseShipping lists the shipping methods for the country and picks the
// selection's (or the first).
func (s *Service) chooseShipping(ctx context.Context, q db.Q, v *View) error {
	if v.Country == nil {
		return nil
	}
	prices, err := store.ShippingPricesFor(ctx, q, v.Pricelist.ID, v.Country.ID)
	if err != nil || len(prices) == 0 {
		return err
	}
	var optIDs []int64
	for _, p := range prices {
		optIDs = append(optIDs, p.ShippingOptionID)
	}
	opts, err := store.ShippingOptionsByIDs(ctx, q, optIDs)
	if err != nil {
		return err
	}
	optBy := index(opts, func(o store.ShippingOption) int64 { return o.ID })
	cur := v.Pricelist.CurrencyCode
	var net int64
	for _, l := range v.Lines {
		net += l.Net().Minor
	}
	for _, p := range prices {
		m := ShippingMethod{Option: optBy[p.ShippingOptionID], BasePrice: money.New(p.PriceMinor, cur), Price: money.New(p.PriceMinor, cur)}
		free := p.FreeAboveMinor != nil && net >= *p.FreeAboveMinor
		free = free || slices.Contains(v.freeShipping, "*") || slices.Contains(v.freeShipping, strconv.FormatInt(p.ShippingOptionID, 10))
		if free || len(v.Lines) == 0 {
			m.Price.Minor = 0
		}
		v.ShippingMethods = append(v.ShippingMethods, m)
	}
	v.Shipping = &v.ShippingMethods[0]
	for i, m := range v.ShippingMethods {
		if v.Selection.ShippingOptionID != nil && m.Option.ID == *v.Selection.ShippingOptionID {
			v.Shipping = &v.ShippingMethods[i]
		}
	}
	return nil
}

// tax computes each line's tax and the shipping's, rounded once per line,
// half to even: within the price for tax-included pricelists, on top of it
// otherwise. The rate is the tax group's in the country, or in its state
// when the state has its own.
func (s *Service) tax(ctx context.Context, q db.Q, v *View) error {
	cur := v.Pricelist.CurrencyCode
	v.shippingTax = money.New(0, cur)
	if v.VatExempt || v.Country == nil {
		return nil
	}
	rules, err := store.TaxRulesByCountry(ctx, q, v.Country.ID)
	if err != nil {
		return err
	}
	rate := func(group *int64) (decimal.Decimal, error) {
		if group == nil {
			group = v.Store.DefaultTaxGroupID
		}
		if group == nil {
			return decimal.Zero, nil
		}
		found := decimal.Zero
		for _, r := range rules {
			if r.TaxGroupID != *group {
				continue
			}
			if r.StateID == nil || (v.State != nil && *r.StateID == v.State.ID) {
				d, err := decimal.Parse(r.Rate)
				if err != nil {
					return d, err
				}
				found = d
				if r.StateID != nil {
					return d, nil
				}
			}
		}
		return found, nil
	}
	taxOf := func(amount int64, r decimal.Decimal) (int64, error) {
		if v.Pricelist.PricesIncludeTax {
			return money.TaxIncluded(amount, r)
		}
		return money.TaxExcluded(amount, r)
	}
	for i := range v.Lines {
		r, err := rate(v.Lines[i].Product.Display.TaxGroupID)
		if err != nil {
			return err
		}
		t, err := taxOf(v.Lines[i].Net().Minor, r)
		if mutant.On("tax-per-unit") {
			q := v.Lines[i].Line.Quantity
			t, err = taxOf(v.Lines[i].Net().Minor/q, r)
			t *= q
		}
		if err != nil {
			return err
		}
		v.Lines[i].TaxRate, v.Lines[i].Tax = r, money.New(t, cur)
	}
	if v.Shipping != nil {
		r, err := rate(nil)
		if err != nil {
			return err
		}
		t, err := taxOf(v.Shipping.Price.Minor, r)
		if err != nil {
			return err
		}
		v.shippingTax, v.shippingRate = money.New(t, cur), r
	}
	return nil
}
