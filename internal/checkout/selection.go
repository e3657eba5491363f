package checkout

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/mutant"
	"seam/internal/seam"
	"seam/internal/store"
	"seam/internal/voucher"
)

// edit changes an open selection in one transaction, with its row locked.
func (s *Service) edit(ctx context.Context, id string, fn func(tx *db.Tx, sel *store.Selection) error) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		sel, err := store.GetSelection(ctx, tx, id, true)
		if isNotFound(err) {
			return notFound("no selection %q", id)
		} else if err != nil {
			return err
		}
		if err := shopperMay(sel); err != nil {
			return err
		}
		switch sel.Status {
		case store.SelectionPaid:
			return conflict("the selection is paid (order %d); start a new one", *sel.OrderID)
		case store.SelectionPaying:
			return conflict("the selection is being paid for; finish or cancel the payment before changing it")
		}
		pricelist := sel.PricelistID
		if err := fn(tx, &sel); err != nil {
			return err
		}
		if sel.PricelistID != pricelist {
			if err := repriceGift(ctx, tx, sel); err != nil {
				return err
			}
		}
		sel.UpdatedAt = db.Now()
		if err := store.UpdateSelection(ctx, tx, &sel); err != nil {
			return err
		}
		return selectionEvent(ctx, tx, sel, event.Updated)
	})
}

// selectionEvent records a shopper's change to a selection.
func selectionEvent(ctx context.Context, tx *db.Tx, sel store.Selection, action string) error {
	_, err := event.Record(ctx, tx, event.Event{StoreID: &sel.StoreID, MarketID: &sel.MarketID, ObjectType: event.TypeSelection, ObjectID: sel.ID, Action: action,
		Actor: event.ActorCheckout})
	return err
}

// shopperMay refuses shoppers a selection that is not theirs to change:
// one removed after its payment link sold, or an operator's original,
// which sells only through copies claimed from its links.
func shopperMay(sel store.Selection) error {
	switch {
	case sel.DeletedAt != nil:
		return gone("the selection was removed: its payment link sold it")
	case sel.Origin == store.OriginOperator:
		return fmt.Errorf("selection %s is sold through its payment link; claim a copy with POST /payment-links/{selection}/{hash}: %w",
			sel.ID, seam.ErrForbidden)
	}
	return nil
}

// editItems is edit for changes of the items, which a payment link with
// locked quantities forbids.
func (s *Service) editItems(ctx context.Context, id string, fn func(tx *db.Tx, sel *store.Selection) error) error {
	return s.edit(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		if sel.LockQuantities {
			return conflict("the items of this selection are fixed by its payment link: they cannot be added, changed or removed")
		}
		return fn(tx, sel)
	})
}

func checkQuantity(n int64) error {
	if n < 1 || n > MaxQuantity+mutant.Int("quantity-over-limit", 1) {
		return invalid("quantity", "A quantity is 1 to %d, got %d.", MaxQuantity, n)
	}
	return nil
}

// AddItem puts quantity of an item in the selection: more of an existing
// line at the regular price, or a new line.
func (s *Service) AddItem(ctx context.Context, id, item string, quantity int64) error {
	if err := checkQuantity(quantity); err != nil {
		return err
	}
	return s.editItems(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		di, ps, err := s.sellable(ctx, tx, sel, item)
		if err != nil {
			return err
		}
		// A gift certificate is bought on its own: a product replaces it.
		if err := store.DeleteSelectionGift(ctx, tx, sel.ID); err != nil {
			return err
		}
		return addRegular(ctx, tx, sel.ID, di.ID, ps.ID, quantity)
	})
}

// addRegular adds quantity of an item at the pricelist's price: to the
// item's line without a special price, or as a new line. Lines at a
// special price (from payment links) never grow.
func addRegular(ctx context.Context, tx *db.Tx, selectionID string, displayVariantID, productSizeID, quantity int64) error {
	lines, err := store.Lines(ctx, tx, selectionID)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if l.DisplayVariantID == displayVariantID && l.ProductSizeID == productSizeID && l.UnitPriceMinor == nil {
			if err := checkQuantity(l.Quantity + quantity); err != nil {
				return err
			}
			return store.SetLineQuantity(ctx, tx, l.ID, l.Quantity+quantity)
		}
	}
	if len(lines) >= MaxLines {
		return invalid("item", "A selection holds at most %d lines.", MaxLines)
	}
	pos := 0
	if len(lines) > 0 {
		pos = lines[len(lines)-1].Position + 1
	}
	return store.InsertLine(ctx, tx, &store.SelectionLine{Line: newID(16), SelectionID: selectionID, DisplayVariantID: displayVariantID,
		ProductSizeID: productSizeID, Quantity: quantity, Position: pos})
}

// sellable checks that an item is sold in the selection's store, market
// and pricelist.
func (s *Service) sellable(ctx context.Context, q db.Q, sel *store.Selection, item string) (store.DisplayItem, store.ProductSize, error) {
	return Sellable(ctx, q, sel.StoreID, sel.MarketID, sel.PricelistID, item)
}

// Sellable checks that an item ("<display item>-<product size>") is sold
// in a store, market and pricelist; one that is not is seam.ErrNotFound.
func Sellable(ctx context.Context, q db.Q, storeID, marketID, pricelistID int64, item string) (store.DisplayItem, store.ProductSize, error) {
	diID, psID, ok := ParseItem(item)
	if !ok {
		return store.DisplayItem{}, store.ProductSize{}, notFound("no item %q; items look like 12-345 (product-size)", item)
	}
	items, err := store.ShopItems(ctx, q, store.ShopFilter{StoreID: storeID, MarketID: marketID, PricelistID: pricelistID, IDs: []int64{diID}}, store.Page{Limit: 1})
	if err != nil {
		return store.DisplayItem{}, store.ProductSize{}, err
	}
	if len(items) == 0 {
		return store.DisplayItem{}, store.ProductSize{}, notFound("no item %q for sale in this market", item)
	}
	ps, err := store.GetProductSize(ctx, q, psID)
	if isNotFound(err) || (err == nil && (ps.ProductVariantID != items[0].VariantID || !ps.IsActive)) {
		return store.DisplayItem{}, store.ProductSize{}, notFound("no item %q for sale in this market", item)
	}
	return items[0], ps, err
}

// ItemOf finds the item that sells a product size in a store, market and
// pricelist (the first active display that shows its variant); none is
// seam.ErrNotFound.
func ItemOf(ctx context.Context, q db.Q, storeID, marketID, pricelistID, productSizeID int64) (store.DisplayItem, store.ProductSize, error) {
	ps, err := store.GetProductSize(ctx, q, productSizeID)
	if isNotFound(err) || (err == nil && !ps.IsActive) {
		return store.DisplayItem{}, store.ProductSize{}, notFound("no active product size %d", productSizeID)
	} else if err != nil {
		return store.DisplayItem{}, store.ProductSize{}, err
	}
	items, err := store.ShopItems(ctx, q, store.ShopFilter{StoreID: storeID, MarketID: marketID, PricelistID: pricelistID,
		VariantIDs: []int64{ps.ProductVariantID}}, store.Page{Limit: 1})
	if err != nil {
		return store.DisplayItem{}, store.ProductSize{}, err
	}
	if len(items) == 0 {
		return store.DisplayItem{}, store.ProductSize{}, notFound("no active display of store %d sells product size %d in this market and pricelist", storeID, productSizeID)
	}
	return items[0], ps, nil
}

// line finds a line of the selection by its id.
func line(ctx context.Context, q db.Q, selectionID, lineID string) (store.SelectionLine, error) {
	if mutant.On("line-of-any-selection") {
		_ = q.QueryRowContext(ctx, `SELECT selection_id FROM selection_line WHERE line = $1`, lineID).Scan(&selectionID)
	}
	lines, err := store.Lines(ctx, q, selectionID)
	if err != nil {
		return store.SelectionLine{}, err
	}
	for _, l := range lines {
		if l.Line == lineID {
			return l, nil
		}
	}
	return store.SelectionLine{}, notFound("no line %q in this selection", lineID)
}

// ChangeLine adds delta (which may be negative) to a line's quantity; a
// line that reaches 0 goes. More of a line at a special price goes to the
// item's line at the pricelist's price.
func (s *Service) ChangeLine(ctx context.Context, id, lineID string, delta int64) error {
	if err := checkQuantity(max(delta, -delta)); err != nil {
		return err
	}
	return s.editItems(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		l, err := line(ctx, tx, sel.ID, lineID)
		if err != nil {
			return err
		}
		if l.UnitPriceMinor != nil && delta > 0 {
			return addRegular(ctx, tx, sel.ID, l.DisplayVariantID, l.ProductSizeID, delta)
		}
		n := l.Quantity + delta
		if n <= 0 {
			return store.DeleteLine(ctx, tx, l.ID)
		}
		if err := checkQuantity(n); err != nil {
			return err
		}
		return store.SetLineQuantity(ctx, tx, l.ID, n)
	})
}

// SetLine sets a line's quantity.
func (s *Service) SetLine(ctx context.Context, id, lineID string, quantity int64) error {
	if err := checkQuantity(quantity); err != nil {
		return err
	}
	return s.editItems(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		l, err := line(ctx, tx, sel.ID, lineID)
		if err != nil {
			return err
		}
		if l.UnitPriceMinor != nil && quantity > l.Quantity {
			return addRegular(ctx, tx, sel.ID, l.DisplayVariantID, l.ProductSizeID, quantity-l.Quantity)
		}
		return store.SetLineQuantity(ctx, tx, l.ID, quantity)
	})
}

// RemoveLine takes a line out.
func (s *Service) RemoveLine(ctx context.Context, id, lineID string) error {
	return s.editItems(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		l, err := line(ctx, tx, sel.ID, lineID)
		if err != nil {
			return err
		}
		return store.DeleteLine(ctx, tx, l.ID)
	})
}

// SetCountry moves the selection to a country (and optionally a state):
// the market and pricelist follow the country, and a shipping method that
// does not reach it is forgotten.
func (s *Service) SetCountry(ctx context.Context, id, code string, state *string) error {
	return s.edit(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		if sel.Locked {
			return shipTo(ctx, tx, sel, normCode(code), state)
		}
		loc, err := locate(ctx, tx, sel.StoreID, normCode(code))
		if err != nil {
			return err
		}
		sel.CountryID, sel.StateID = &loc.Country.ID, nil
		sel.MarketID, sel.PricelistID = loc.Market.ID, loc.Pricelist.ID
		sel.ShippingOptionID = nil
		if state != nil {
			return setState(ctx, tx, sel, *state)
		}
		return nil
	})
}

// shipTo changes only the country a locked selection (from a payment link)
// ships to: its market and pricelist stay, and the pricelist must ship
// there.
func shipTo(ctx context.Context, tx *db.Tx, sel *store.Selection, code string, state *string) error {
	c, err := store.CountryByCode(ctx, tx, code)
	if isNotFound(err) {
		return invalid("country", "There is no country %q.", code)
	} else if err != nil {
		return err
	}
	prices, err := store.ShippingPricesFor(ctx, tx, sel.PricelistID, c.ID)
	if err != nil {
		return err
	}
	if len(prices) == 0 {
		return invalid("country", "This selection's prices are fixed by its payment link, and nothing ships to %s at them; choose another country.", c.Name)
	}
	sel.CountryID, sel.StateID, sel.ShippingOptionID = &c.ID, nil, nil
	if state != nil {
		return setState(ctx, tx, sel, *state)
	}
	return nil
}

// SetState sets the state of the selection's country.
func (s *Service) SetState(ctx context.Context, id, state string) error {
	return s.edit(ctx, id, func(tx *db.Tx, sel *store.Selection) error { return setState(ctx, tx, sel, state) })
}

func setState(ctx context.Context, q db.Q, sel *store.Selection, code string) error {
	if sel.CountryID == nil {
		return invalid("state", "Choose a country before its state.")
	}
	st, err := store.FindState(ctx, q, *sel.CountryID, code)
	if isNotFound(err) {
		return notFound("the selection's country has no state %q", code)
	} else if err != nil {
		return err
	}
	sel.StateID = &st.ID
	return nil
}

// SetLanguage sets the selection's language.
func (s *Service) SetLanguage(ctx context.Context, id, code string) error {
	return s.edit(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		langs, err := store.Languages(ctx, tx)
		if err != nil {
			return err
		}
		for _, l := range langs {
			if strings.EqualFold(l.Code, code) {
				sel.Language = l.Code
				return nil
			}
		}
		return notFound("no language %q", code)
	})
}

// Location is what a server may set on a selection: market, pricelist,
// country and language, each optional.
type Location struct {
	Market    *int64
	Pricelist *int64
	Country   *string
	Language  *string
}

// SetLocation sets a selection's market, pricelist, country and language
// as a server says, checking that they belong to the selection's store.
func (s *Service) SetLocation(ctx context.Context, id string, in Location) error {
	if in.Country != nil {
		if err := s.SetCountry(ctx, id, *in.Country, nil); err != nil {
			return err
		}
	}
	if in.Language != nil {
		if err := s.SetLanguage(ctx, id, *in.Language); err != nil {
			return err
		}
	}
	return s.edit(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		if sel.Locked && ((in.Market != nil && *in.Market != sel.MarketID) || (in.Pricelist != nil && *in.Pricelist != sel.PricelistID)) {
			return conflict("this selection's market and pricelist are fixed by the payment link it came from")
		}
		if in.Market != nil {
			ms, err := store.MarketsByIDs(ctx, tx, []int64{*in.Market})
			if err != nil {
				return err
			}
			if len(ms) == 0 || ms[0].StoreID != sel.StoreID {
				return invalid("market", "Store %d has no market %d.", sel.StoreID, *in.Market)
			}
			sel.MarketID = *in.Market
		}
		if in.Pricelist != nil {
			pl, err := store.GetPricelist(ctx, tx, *in.Pricelist)
			if isNotFound(err) || (err == nil && pl.StoreID != sel.StoreID) {
				return invalid("pricelist", "Store %d has no pricelist %d.", sel.StoreID, *in.Pricelist)
			} else if err != nil {
				return err
			}
			sel.PricelistID = pl.ID
		}
		return nil
	})
}

// SetShippingMethod chooses how the selection ships.
func (s *Service) SetShippingMethod(ctx context.Context, id string, optionID int64) error {
	return s.edit(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		if sel.CountryID == nil {
			return invalid("shippingMethod", "Choose a country first.")
		}
		prices, err := store.ShippingPricesFor(ctx, tx, sel.PricelistID, *sel.CountryID)
		if err != nil {
			return err
		}
		for _, p := range prices {
			if p.ShippingOptionID == optionID {
				sel.ShippingOptionID = &optionID
				return nil
			}
		}
		return notFound("shipping method %d does not ship to the selection's country", optionID)
	})
}

// SetPaymentMethod chooses how the selection is paid.
func (s *Service) SetPaymentMethod(ctx context.Context, id string, methodID int64) error {
	return s.edit(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		methods, err := store.PaymentMethods(ctx, tx, sel.StoreID)
		if err != nil {
			return err
		}
		for _, m := range methods {
			if m.ID == methodID {
				sel.PaymentMethodID = &methodID
				return nil
			}
		}
		return notFound("no payment method %d", methodID)
	})
}

// SetAddress stores the billing address and, when given, the shipping
// address.
func (s *Service) SetAddress(ctx context.Context, id string, address, shipping *Address) error {
	for field, a := range map[string]*Address{"address": address, "shippingAddress": shipping} {
		if a == nil {
			continue
		}
		if err := checkAddress(field, a, anyAddress); err != nil {
			return err
		}
	}
	return s.edit(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		if err := stateFromAddress(ctx, tx, sel, address, shipping); err != nil {
			return err
		}
		if address != nil {
			b, _ := json.Marshal(address)
			sel.Address = string(b)
		}
		if shipping != nil {
			b, _ := json.Marshal(shipping)
			sel.ShippingAddress = string(b)
		}
		return nil
	})
}

// stateFromAddress sets the selection's state from the state an address
// names (the shipping address's, else the billing address's) when the
// address is in the selection's country, so that a country taxed by state
// (the United States) is taxed at the buyer's state's rate.
func stateFromAddress(ctx context.Context, tx *db.Tx, sel *store.Selection, address, shipping *Address) error {
	field, a := "shippingAddress", shipping
	if a == nil || strings.TrimSpace(a.State) == "" {
		field, a = "address", address
	}
	if a == nil || strings.TrimSpace(a.State) == "" || sel.CountryID == nil {
		return nil
	}
	cs, err := store.CountriesByIDs(ctx, tx, []int64{*sel.CountryID})
	if err != nil || len(cs) != 1 || (a.Country != "" && !strings.EqualFold(a.Country, cs[0].Code)) {
		return err
	}
	states, err := store.StatesByCountryIDs(ctx, tx, []int64{cs[0].ID})
	if err != nil || len(states) == 0 {
		return err
	}
	st, err := store.FindState(ctx, tx, cs[0].ID, strings.TrimSpace(a.State))
	if isNotFound(err) {
		return seam.Invalid(seam.P(field, "state"), "%s has no state %q; use its code, as NY.", cs[0].Name, a.State)
	} else if err != nil {
		return err
	}
	sel.StateID = &st.ID
	return nil
}

// ValidEmail reports whether s is a bare e-mail address (no name, no
// angle brackets).
func ValidEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s
}

// What an order needs of its billing address.
type addressNeed int

const (
	anyAddress    addressNeed = iota // nothing yet: only the fields' form
	contactOnly                      // e-mail and name: nothing ships (a gift certificate)
	postalAddress                    // e-mail, name, street, zip code and city
)

// checkAddress checks an address's fields and that it has what need asks.
func checkAddress(field string, a *Address, need addressNeed) error {
	var p seam.Problems
	for name, v := range map[string]string{"email": a.Email, "firstName": a.FirstName, "lastName": a.LastName, "address1": a.Address1,
		"address2": a.Address2, "zipCode": a.ZipCode, "city": a.City, "company": a.Company, "phoneNumber": a.PhoneNumber} {
		if len(v) > 255 {
			p.Add(seam.P(field, name), "%s is longer than 255 characters.", name)
		}
	}
	if a.Email != "" && !ValidEmail(a.Email) {
		p.Add(seam.P(field, "email"), "%q is not an e-mail address.", a.Email)
	}
	if need != anyAddress {
		required := map[string]string{"email": a.Email, "firstName": a.FirstName, "lastName": a.LastName}
		if need == postalAddress {
			required["address1"], required["zipCode"], required["city"] = a.Address1, a.ZipCode, a.City
		}
		for name, v := range required {
			if strings.TrimSpace(v) == "" {
				p.Add(seam.P(field, name), "%s is required to place an order.", name)
			}
		}
	}
	return p.Err()
}

// AddVoucher puts a voucher on the selection by its code; token is the
// session's that typed it ("" for a server), for whom the code is sealed.
func (s *Service) AddVoucher(ctx context.Context, id, code, token string) error {
	if strings.TrimSpace(code) == "" {
		return invalid("voucher", "Give the voucher code.")
	}
	return s.edit(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		v, err := voucher.ByCode(ctx, tx, sel.StoreID, code)
		if isNotFound(err) {
			return invalid("voucher", "There is no voucher %q.", code)
		} else if err != nil {
			return err
		}
		markets, err := store.VoucherMarkets(ctx, tx, []int64{v.ID})
		if err != nil {
			return err
		}
		if why := voucher.Problem(v, markets, sel.MarketID, s.Now()); why != "" {
			return invalid("voucher", "%s", why)
		}
		if _, err := store.SelectionGiftOf(ctx, tx, sel.ID); err == nil {
			return invalid("voucher", "A gift certificate is bought without vouchers or credit.")
		} else if !isNotFound(err) {
			return err
		}
		pl, err := store.GetPricelist(ctx, tx, sel.PricelistID)
		if err != nil {
			return err
		}
		if v.Type == voucher.TypeCredit {
			why, _, err := creditProblem(ctx, tx, v, pl.CurrencyCode)
			if err != nil {
				return err
			}
			if why != "" {
				return invalid("voucher", "%s", why)
			}
		} else {
			actions, err := store.VoucherActions(ctx, tx, []int64{v.ID})
			if err != nil {
				return err
			}
			if !voucher.WorksIn(actions, v.ID, pl.CurrencyCode) {
				return invalid("voucher", "The voucher gives no discount in %s.", pl.CurrencyCode)
			}
		}
		return store.AddSelectionVoucher(ctx, tx, sel.ID, store.SelectionVoucher{VoucherID: v.ID, CodeHint: voucher.Hint(code),
			CodeSealed: SealCode(token, strings.TrimSpace(code)), AddedAt: db.Now()})
	})
}

// RemoveVoucher takes a voucher off the selection.
func (s *Service) RemoveVoucher(ctx context.Context, id, code string) error {
	return s.edit(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		var voucherID int64
		v, err := voucher.ByCode(ctx, tx, sel.StoreID, code)
		switch {
		case err == nil:
			voucherID = v.ID
		case isNotFound(err) && strings.HasPrefix(code, "…"):
			// The masked form a selection answer shows ("…ABCD"): the
			// one voucher on this selection with that hint.
			added, err := store.SelectionVouchers(ctx, tx, sel.ID)
			if err != nil {
				return err
			}
			for _, a := range added {
				if "…"+a.CodeHint == code {
					voucherID = a.VoucherID
				}
			}
			if voucherID == 0 {
				return notFound("no voucher %q on this selection", code)
			}
		case isNotFound(err):
			return notFound("no voucher %q on this selection", code)
		default:
			return err
		}
		removed, err := store.RemoveSelectionVoucher(ctx, tx, sel.ID, voucherID)
		if err != nil {
			return err
		}
		if !removed {
			return notFound("no voucher %q on this selection", code)
		}
		return nil
	})
}

// Subscribe adds an e-mail address to the store's newsletter.
func (s *Service) Subscribe(ctx context.Context, selectionID, email, country string) error {
	if !ValidEmail(email) {
		return invalid("email", "%q is not an e-mail address.", email)
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		sel, err := store.GetSelection(ctx, tx, selectionID, false)
		if err != nil {
			return err
		}
		var cid *int64
		if country != "" {
			c, err := store.CountryByCode(ctx, tx, country)
			if isNotFound(err) {
				return invalid("country", "No country %q.", country)
			} else if err != nil {
				return err
			}
			cid = &c.ID
		}
		return store.Subscribe(ctx, tx, sel.StoreID, strings.ToLower(email), cid)
	})
}
