package productlink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/store"
)

// Limits of what a buyer gives on a product page.
const (
	// MaxAdditional is the most additional fields a page carries.
	MaxAdditional = 20
	// MaxField is the most characters of one field.
	MaxField = 255
	// MaxAdditionalValue is the most characters of an additional field.
	MaxAdditionalValue = 500
)

// ActorPage is who makes the selections of product pages.
const ActorPage = "product-page"

// BuyInput is a buyer's order form on a product page. Item, Country and
// PaymentMethod are what the page offered ("" picks the only item, the
// first method); Additional are extra fields the link's URL carried.
type BuyInput struct {
	ProductID int64
	UUID      string
	Currency  string
	Item      string
	Country   string
	// State is the state's code (NY) or name; needed where the
	// country's tax depends on it, ignored elsewhere.
	State         string
	PaymentMethod string
	Name          string
	Email         string
	Phone         string
	Address1      string
	ZipCode       string
	City          string
	Terms         bool
	Additional    map[string]string
	// Pages returns the pages the buyer comes back to from the payment
	// provider for a selection: after paying and after a failure.
	Pages func(selectionID string) (returnURL, failURL string)
	// BaseURL is Seam's public URL, for pages the test provider serves.
	BaseURL string
}

var (
	phonePattern      = regexp.MustCompile(`^\+?[0-9 ()./-]{4,40}$`)
	additionalPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// AdditionalName reports whether name can be an additional field's name:
// lower-case letters, digits and _, starting with a letter, at most 64.
func AdditionalName(name string) bool { return additionalPattern.MatchString(name) }

// Buy checks the form against what the page offers, makes the buyer's
// selection (locked to the link's price, one unit, free shipping) and
// starts paying for it. It returns the selection and what the buyer's
// browser does next. Problems with the form are seam.UserErrors naming the
// form's field; a link that cannot sell is seam.ErrGone.
func Buy(ctx context.Context, svc *checkout.Service, in BuyInput) (string, checkout.Outcome, error) {
	var p seam.Problems
	for name, v := range map[string]string{"name": in.Name, "email": in.Email, "phone_number": in.Phone, "address1": in.Address1,
		"zip_code": in.ZipCode, "city": in.City, "item": in.Item, "country": in.Country, "state": in.State, "currency": in.Currency, "payment_method": in.PaymentMethod} {
		if !storable(v) {
			p.Add(seam.P(name), "This holds characters that are not text; type it again.")
		}
	}
	for k, v := range in.Additional {
		if !storable(k) || !storable(v) {
			p.Add(seam.P("additional_fields"), "An additional field holds characters that are not text.")
		}
	}
	if err := p.Err(); err != nil {
		return "", checkout.Outcome{}, err
	}
	first, last := splitName(&p, in.Name)
	in.Email = strings.TrimSpace(in.Email)
	if in.Email == "" {
		p.Add(seam.P("email"), "Give your e-mail address: the receipt goes there.")
	} else if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > MaxField {
		p.Add(seam.P("email"), "%q is not an e-mail address.", in.Email)
	}
	in.Phone = strings.TrimSpace(in.Phone)
	if in.Phone != "" && !phonePattern.MatchString(in.Phone) {
		p.Add(seam.P("phone_number"), "%q is not a phone number; write digits, spaces and a leading +.", in.Phone)
	}
	for name, v := range map[string]*string{"address1": &in.Address1, "zip_code": &in.ZipCode, "city": &in.City} {
		*v = strings.TrimSpace(*v)
		if *v == "" {
			p.Add(seam.P(name), "Give the %s to ship to.", map[string]string{"address1": "street address", "zip_code": "postal code", "city": "city"}[name])
		} else if utf8.RuneCountInString(*v) > MaxField {
			p.Add(seam.P(name), "Write at most %d characters.", MaxField)
		}
	}
	if !in.Terms {
		p.Add(seam.P("terms"), "Accept the terms and conditions to buy.")
	}
	additional, err := additionalJSON(&p, in.Additional)
	if err != nil {
		return "", checkout.Outcome{}, err
	}
	o, err := MakeOffer(ctx, svc, OfferInput{ProductID: in.ProductID, UUID: in.UUID, Currency: in.Currency})
	if err != nil {
		return "", checkout.Outcome{}, err
	}
	switch {
	case o.Gone:
		return "", checkout.Outcome{}, gone(o.Problem)
	case o.Problem != "":
		return "", checkout.Outcome{}, conflict("%s", strings.TrimSuffix(o.Problem, "."))
	}
	if cur := strings.ToUpper(strings.TrimSpace(in.Currency)); cur != "" && cur != o.Currency {
		p.Add(seam.P("currency"), "This product is not sold in %q here; choose one of %s.", in.Currency, strings.Join(o.Currencies, ", "))
	}
	country := pick(o.Countries, func(c store.Country) bool { return strings.EqualFold(c.Code, strings.TrimSpace(in.Country)) })
	if country == nil {
		p.Add(seam.P("country"), "Choose a country this price ships to.")
	}
	var state *store.State
	if country != nil && len(o.States[country.Code]) > 0 {
		want := strings.TrimSpace(in.State)
		state = pick(o.States[country.Code], func(s store.State) bool { return strings.EqualFold(s.Code, want) || strings.EqualFold(s.Name, want) })
		if state == nil {
			p.Add(seam.P("state"), "Choose the state in %s to ship to: the sales tax depends on it.", country.Name)
		}
	}
	item := pick(o.Items, func(it Item) bool { return it.ID == in.Item || (in.Item == "" && len(o.Items) == 1) })
	switch {
	case item == nil:
		p.Add(seam.P("item"), "Choose a size.")
	case item.Free <= 0:
		p.Add(seam.P("item"), "%s is sold out; choose another size.", item.Label)
	}
	method := pick(o.PaymentMethods, func(m store.PaymentMethod) bool {
		return strconv.FormatInt(m.ID, 10) == in.PaymentMethod || in.PaymentMethod == ""
	})
	if method == nil {
		p.Add(seam.P("payment_method"), "Choose a way to pay.")
	}
	if err := p.Err(); err != nil {
		return "", checkout.Outcome{}, err
	}
	spec := checkout.Spec{StoreID: o.Store.ID, PricelistID: o.Pricelist.ID, CountryID: &country.ID, Origin: store.OriginProductLink,
		Locked: true, LockQuantities: true, IgnoreShipping: true, CreatedBy: ActorPage,
		Address: &checkout.Address{Email: in.Email, FirstName: first, LastName: last, Address1: in.Address1, ZipCode: in.ZipCode, City: in.City,
			Country: country.Code, PhoneNumber: in.Phone},
		StateID: stateID(state),
		Lines:   []checkout.LineSpec{{DisplayVariantID: item.DisplayItemID, ProductSizeID: item.ProductSizeID, Quantity: 1}}}
	if state != nil {
		spec.Address.State = state.Code
	}
	if o.Link != nil {
		spec.ProductLinkID = &o.Link.ID
		spec.Lines[0].UnitPriceMinor = &o.Price.Amount.Minor
	}
	var sel store.Selection
	err = svc.DB.Tx(ctx, func(tx *db.Tx) error {
		m, err := store.MarketForCountry(ctx, tx, o.Store.ID, country.ID)
		if err != nil {
			return fmt.Errorf("market for %s: %w", country.Code, err)
		}
		spec.MarketID = m.ID
		if sel, err = checkout.CreateSelection(ctx, tx, spec); err != nil {
			return err
		}
		return store.InsertProductLinkCheckout(ctx, tx, store.ProductLinkCheckout{SelectionID: sel.ID, ProductID: o.Product.ID,
			LinkID: spec.ProductLinkID, CustomerName: strings.Join(strings.Fields(in.Name), " "), CustomerPhone: in.Phone, AdditionalFields: additional,
			CreatedAt: db.Now()})
	})
	if err != nil {
		return "", checkout.Outcome{}, wrap(err, "make the buyer's selection")
	}
	returnURL, failURL := in.Pages(sel.ID)
	out, err := svc.Pay(ctx, sel.ID, checkout.PaymentInput{PaymentMethod: &method.ID, ReturnURL: returnURL, FailURL: failURL,
		TermsAndConditions: true, BaseURL: in.BaseURL})
	return sel.ID, out, err
}

// storable reports whether s is text a database keeps as it is: UTF-8
// without NUL.
func storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// splitName splits a full name into first names and last name.
func splitName(p *seam.Problems, name string) (string, string) {
	parts := strings.Fields(name)
	switch {
	case len(parts) == 0:
		p.Add(seam.P("name"), "Give your name.")
	case len(parts) == 1:
		p.Add(seam.P("name"), "Give your first and last name.")
	case utf8.RuneCountInString(name) > MaxField:
		p.Add(seam.P("name"), "Write at most %d characters.", MaxField)
	default:
		return strings.Join(parts[:len(parts)-1], " "), parts[len(parts)-1]
	}
	return "", ""
}

// additionalJSON checks the additional fields and returns them as a JSON
// object, or nil when there are none.
func additionalJSON(p *seam.Problems, fields map[string]string) (*string, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	if len(fields) > MaxAdditional {
		p.Add(seam.P("additional_fields"), "At most %d additional fields are taken.", MaxAdditional)
		return nil, nil
	}
	for k, v := range fields {
		if !AdditionalName(k) {
			p.Add(seam.P("additional_fields"), "%q is not a field name: use lower-case letters, digits and _.", k)
		} else if utf8.RuneCountInString(v) > MaxAdditionalValue {
			p.Add(seam.P("additional_fields"), "%s: write at most %d characters.", k, MaxAdditionalValue)
		}
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

func pick[T any](list []T, match func(T) bool) *T {
	for i := range list {
		if match(list[i]) {
			return &list[i]
		}
	}
	return nil
}

// Purchase is a product page's selection: what was bought and how it
// stands.
type Purchase struct {
	Checkout store.ProductLinkCheckout
	Order    *store.Order
	Lines    []store.OrderLine
}

// purchase checks that a selection was made on a product's page.
func purchase(ctx context.Context, q db.Q, productID int64, selectionID string) (store.ProductLinkCheckout, error) {
	c, err := store.ProductLinkCheckoutOf(ctx, q, selectionID)
	if errors.Is(err, seam.ErrNotFound) || (err == nil && c.ProductID != productID) {
		return c, notFound("no purchase of product %d is known by this reference", productID)
	}
	return c, err
}

// Return finishes a payment with the fields the provider sent the buyer
// back with (the return page's query), placing the order; a repeat answers
// the same order.
func Return(ctx context.Context, svc *checkout.Service, productID int64, selectionID string, fields map[string]any) (checkout.Outcome, error) {
	if _, err := purchase(ctx, svc.DB.Read(), productID, selectionID); err != nil {
		return checkout.Outcome{}, err
	}
	return svc.PaymentResult(ctx, selectionID, fields)
}

// Receipt is a product page's purchase with its order; seam.ErrNotFound
// until the order is made.
func Receipt(ctx context.Context, svc *checkout.Service, productID int64, selectionID string) (Purchase, error) {
	q := svc.DB.Read()
	c, err := purchase(ctx, q, productID, selectionID)
	if err != nil {
		return Purchase{}, err
	}
	o, err := svc.Receipt(ctx, selectionID)
	if err != nil {
		return Purchase{}, err
	}
	lines, err := store.OrderLinesByOrderIDs(ctx, q, []int64{o.ID})
	if err != nil {
		return Purchase{}, err
	}
	return Purchase{Checkout: c, Order: &o, Lines: lines}, nil
}

func stateID(s *store.State) *int64 {
	if s == nil {
		return nil
	}
	return &s.ID
}
