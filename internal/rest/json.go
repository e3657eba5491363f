package rest

import (
	"encoding/json"
	"strconv"

	"seam/internal/checkout"
	"seam/internal/money"
	"seam/internal/store"
)

// The Checkout API's JSON shapes. Money is a formatted string plus an exact
// …AsNumber twin; ids are strings, as Centra's Checkout API has them.

type envelope struct {
	Token           *string        `json:"token"`
	Selection       *selectionJSON `json:"selection"`
	Location        *locationJSON  `json:"location,omitempty"`
	PaymentMethods  []paymentJSON  `json:"paymentMethods"`
	ShippingMethods []shippingJSON `json:"shippingMethods"`
	// PaymentFields, Countries, Languages and LoggedIn come with every
	// selection, as Centra's SelectionResponse has them.
	PaymentFields *paymentFieldsJSON `json:"paymentFields,omitempty"`
	Countries     []countryJSON      `json:"countries,omitempty"`
	Languages     []languageJSON     `json:"languages,omitempty"`
	// LoggedIn is always null: the Checkout API has no customer login yet.
	LoggedIn    json.RawMessage   `json:"loggedIn,omitempty"`
	Unavailable []unavailJSON     `json:"unavailable,omitempty"`
	Errors      map[string]string `json:"errors,omitempty"`
}

type selectionJSON struct {
	Selection          string           `json:"selection"`
	Language           string           `json:"language"`
	Currency           string           `json:"currency"`
	PaymentMethod      *string          `json:"paymentMethod"`
	PaymentMethodName  *string          `json:"paymentMethodName"`
	ShippingMethod     *string          `json:"shippingMethod"`
	ShippingMethodName *string          `json:"shippingMethodName"`
	Items              []itemJSON       `json:"items"`
	Discounts          discountsJSON    `json:"discounts"`
	Totals             totalsJSON       `json:"totals"`
	VatExempt          bool             `json:"vatExempt"`
	Address            checkout.Address `json:"address"`
	ShippingAddress    checkout.Address `json:"shippingAddress"`
	// GiftCertificate is the gift certificate the selection buys (then
	// items is empty).
	GiftCertificate *giftLineJSON `json:"giftCertificate"`
}

type giftLineJSON struct {
	GiftCertificate string      `json:"giftCertificate"`
	Name            string      `json:"name"`
	Amount          string      `json:"amount"`
	AmountAsNumber  json.Number `json:"amountAsNumber"`
}

type itemJSON struct {
	Item                             string      `json:"item"`
	Line                             string      `json:"line"`
	Quantity                         int64       `json:"quantity"`
	Size                             string      `json:"size"`
	SKU                              string      `json:"sku"`
	EAN                              *string     `json:"ean"`
	PriceEach                        string      `json:"priceEach"`
	PriceEachAsNumber                json.Number `json:"priceEachAsNumber"`
	PriceEachBeforeDiscount          string      `json:"priceEachBeforeDiscount"`
	PriceEachBeforeDiscountAsNumber  json.Number `json:"priceEachBeforeDiscountAsNumber"`
	TotalPrice                       string      `json:"totalPrice"`
	TotalPriceAsNumber               json.Number `json:"totalPriceAsNumber"`
	TotalPriceBeforeDiscount         string      `json:"totalPriceBeforeDiscount"`
	TotalPriceBeforeDiscountAsNumber json.Number `json:"totalPriceBeforeDiscountAsNumber"`
	AnyDiscount                      bool        `json:"anyDiscount"`
	TaxPercent                       json.Number `json:"taxPercent"`
	Product                          productJSON `json:"product"`
}

type discountsJSON struct {
	AnyDiscount bool          `json:"anyDiscount"`
	Vouchers    []voucherJSON `json:"vouchers"`
}

type voucherJSON struct {
	Voucher          string      `json:"voucher"`
	Name             string      `json:"name"`
	Type             string      `json:"type"`
	PriceOff         string      `json:"priceOff"`
	PriceOffAsNumber json.Number `json:"priceOffAsNumber"`
	FreeShipping     bool        `json:"freeShipping"`
}

type totalsJSON struct {
	TotalQuantity                      int64       `json:"totalQuantity"`
	ItemsTotalPrice                    string      `json:"itemsTotalPrice"`
	ItemsTotalPriceAsNumber            json.Number `json:"itemsTotalPriceAsNumber"`
	TotalDiscountPrice                 string      `json:"totalDiscountPrice"`
	TotalDiscountPriceAsNumber         json.Number `json:"totalDiscountPriceAsNumber"`
	ShippingPrice                      string      `json:"shippingPrice"`
	ShippingPriceAsNumber              json.Number `json:"shippingPriceAsNumber"`
	GrandTotalPrice                    string      `json:"grandTotalPrice"`
	GrandTotalPriceAsNumber            json.Number `json:"grandTotalPriceAsNumber"`
	GrandTotalPriceTax                 string      `json:"grandTotalPriceTax"`
	GrandTotalPriceTaxAsNumber         json.Number `json:"grandTotalPriceTaxAsNumber"`
	GrandTotalPriceTaxDeducted         string      `json:"grandTotalPriceTaxDeducted"`
	GrandTotalPriceTaxDeductedAsNumber json.Number `json:"grandTotalPriceTaxDeductedAsNumber"`
	CreditPrice                        string      `json:"creditPrice"`
	CreditPriceAsNumber                json.Number `json:"creditPriceAsNumber"`
	TotalToPay                         string      `json:"totalToPay"`
	TotalToPayAsNumber                 json.Number `json:"totalToPayAsNumber"`
}

type locationJSON struct {
	Country   *string `json:"country"`
	Name      *string `json:"name"`
	State     *string `json:"state"`
	StateName *string `json:"stateName"`
	EU        bool    `json:"eu"`
	ShipTo    bool    `json:"shipTo"`
	Market    string  `json:"market"`
	Pricelist string  `json:"pricelist"`
	Language  string  `json:"language"`
}

type paymentJSON struct {
	PaymentMethod string `json:"paymentMethod"`
	Name          string `json:"name"`
	Provider      string `json:"provider"`
	Selected      bool   `json:"selected"`
}

type shippingJSON struct {
	ShippingMethod string      `json:"shippingMethod"`
	Name           string      `json:"name"`
	Price          string      `json:"price"`
	PriceAsNumber  json.Number `json:"priceAsNumber"`
	Selected       bool        `json:"selected"`
}

type unavailJSON struct {
	Item             string `json:"item"`
	Line             string `json:"line"`
	Product          string `json:"product"`
	OriginalQuantity int64  `json:"originalQuantity"`
	Unavailable      int64  `json:"unavailable"`
	Available        int64  `json:"available"`
}

type productJSON struct {
	Product                     string        `json:"product"`
	Name                        string        `json:"name"`
	VariantName                 string        `json:"variantName"`
	URI                         string        `json:"uri"`
	SKU                         string        `json:"sku"`
	ProductSKU                  string        `json:"productSku"`
	Brand                       *string       `json:"brand"`
	BrandName                   *string       `json:"brandName"`
	Description                 *string       `json:"description"`
	ShortDescription            *string       `json:"shortDescription"`
	MetaTitle                   *string       `json:"metaTitle"`
	MetaDescription             *string       `json:"metaDescription"`
	Categories                  []categoryRef `json:"categories"`
	Price                       *string       `json:"price"`
	PriceAsNumber               *json.Number  `json:"priceAsNumber"`
	PriceBeforeDiscount         *string       `json:"priceBeforeDiscount"`
	PriceBeforeDiscountAsNumber *json.Number  `json:"priceBeforeDiscountAsNumber"`
	ShowAsOnSale                bool          `json:"showAsOnSale"`
	Available                   bool          `json:"available"`
	Items                       []productItem `json:"items"`
}

type categoryRef struct {
	Category string `json:"category"`
	Name     string `json:"name"`
	URI      string `json:"uri"`
}

type productItem struct {
	Item      string  `json:"item"`
	SizeID    string  `json:"sizeId"`
	Name      string  `json:"name"`
	SKU       string  `json:"sku"`
	EAN       *string `json:"ean"`
	Stock     string  `json:"stock"`
	Available bool    `json:"available"`
}

// paymentFieldsJSON says which checkout fields a storefront shows and
// which an order needs.
type paymentFieldsJSON struct {
	TermsAndConditions fieldJSON            `json:"termsAndConditions"`
	Address            map[string]fieldJSON `json:"address"`
	ShippingAddress    map[string]fieldJSON `json:"shippingAddress"`
}

type fieldJSON struct {
	Type     string `json:"type"`
	Visible  bool   `json:"visible"`
	Required bool   `json:"required"`
}

// fieldTypes are the HTML input types of address fields; the rest are
// "text".
var fieldTypes = map[string]string{"email": "email", "phoneNumber": "tel", "newsletter": "checkbox", "country": "select", "state": "select"}

func paymentFieldsOf(v checkout.View) *paymentFieldsJSON {
	out := &paymentFieldsJSON{TermsAndConditions: fieldJSON{Type: "checkbox", Visible: true, Required: true},
		Address: map[string]fieldJSON{}, ShippingAddress: map[string]fieldJSON{}}
	for shipping, dst := range map[bool]map[string]fieldJSON{false: out.Address, true: out.ShippingAddress} {
		for name, f := range v.AddressFields(shipping) {
			typ := fieldTypes[name]
			if typ == "" {
				typ = "text"
			}
			dst[name] = fieldJSON{Type: typ, Visible: f.Visible, Required: f.Required}
		}
	}
	return out
}

func num(a money.Amount) json.Number { return json.Number(a.Trimmed()) }

func id(n int64) string { return strconv.FormatInt(n, 10) }

func ptr[T any](v T) *T { return &v }

func productOf(p checkout.Product) productJSON {
	out := productJSON{Product: id(p.ID), Name: p.Display.Name, VariantName: p.Variant.Name, URI: p.URI, ProductSKU: p.Product.ProductNumber,
		SKU: p.Product.ProductNumber, Description: p.Display.Description, ShortDescription: p.Display.ShortDescription,
		MetaTitle: p.Display.MetaTitle, MetaDescription: p.Display.MetaDescription, Categories: []categoryRef{}, Items: []productItem{},
		Available: p.Available()}
	if p.Variant.VariantNumber != nil {
		out.SKU += *p.Variant.VariantNumber
	}
	if p.Brand != nil {
		out.Brand, out.BrandName = ptr(id(p.Brand.ID)), &p.Brand.Name
	}
	for _, c := range p.Categories {
		out.Categories = append(out.Categories, categoryRef{Category: id(c.ID), Name: c.Name, URI: c.URI})
	}
	if p.HasPrice {
		out.Price, out.PriceAsNumber = ptr(money.Format(p.Price)), ptr(num(p.Price))
		out.PriceBeforeDiscount, out.PriceBeforeDiscountAsNumber = ptr(money.Format(p.PriceBefore)), ptr(num(p.PriceBefore))
		out.ShowAsOnSale = p.PriceBefore.Minor > p.Price.Minor
	}
	for _, it := range p.Items {
		stock := "no"
		if it.Free > 0 {
			stock = "yes"
		}
		out.Items = append(out.Items, productItem{Item: it.ID, SizeID: id(it.Size.ID), Name: it.Size.Size.Name, SKU: it.Size.SKU,
			EAN: it.Size.EAN, Stock: stock, Available: it.Free > 0})
	}
	return out
}

// selectionOf writes a priced selection.
func selectionOf(v checkout.View) (*selectionJSON, *locationJSON, []paymentJSON, []shippingJSON) {
	cur := v.Pricelist.CurrencyCode
	sel := &selectionJSON{Selection: v.Selection.ID, Language: v.Selection.Language, Currency: cur, Items: []itemJSON{},
		Discounts: discountsJSON{Vouchers: []voucherJSON{}}, VatExempt: v.VatExempt, Address: v.Address, ShippingAddress: v.ShippingAddress}
	for _, l := range v.Lines {
		before, _ := l.UnitBefore.Mul(l.Line.Quantity)
		// priceEach × quantity; voucher discounts show in discounts and
		// totals, so items add up to itemsTotalPrice.
		total := l.Total
		sel.Items = append(sel.Items, itemJSON{Item: l.Item, Line: l.Line.Line, Quantity: l.Line.Quantity, Size: l.Size.Size.Name, SKU: l.Size.SKU,
			EAN: l.Size.EAN, PriceEach: money.Format(l.Unit), PriceEachAsNumber: num(l.Unit), PriceEachBeforeDiscount: money.Format(l.UnitBefore),
			PriceEachBeforeDiscountAsNumber: num(l.UnitBefore), TotalPrice: money.Format(total), TotalPriceAsNumber: num(total),
			TotalPriceBeforeDiscount: money.Format(before), TotalPriceBeforeDiscountAsNumber: num(before),
			AnyDiscount: l.Discount.Minor > 0 || l.UnitBefore.Minor > l.Unit.Minor, TaxPercent: json.Number(l.TaxRate.Trim(0).String()),
			Product: productOf(l.Product)})
	}
	for _, av := range v.Vouchers {
		off := money.New(-av.Discount.Minor, cur)
		sel.Discounts.Vouchers = append(sel.Discounts.Vouchers, voucherJSON{Voucher: "…" + av.CodeHint, Name: av.Voucher.Name, Type: av.Voucher.Type,
			PriceOff: money.Format(off), PriceOffAsNumber: num(off), FreeShipping: av.FreeShipping})
		sel.Discounts.AnyDiscount = true
	}
	t := v.Totals
	discount := money.New(-t.Discount.Minor, cur)
	credit := money.New(-t.Credit.Minor, cur)
	for _, c := range v.Credits {
		off := money.New(-c.Applied.Minor, cur)
		sel.Discounts.Vouchers = append(sel.Discounts.Vouchers, voucherJSON{Voucher: "…" + c.CodeHint, Name: c.Voucher.Name, Type: c.Voucher.Type,
			PriceOff: money.Format(off), PriceOffAsNumber: num(off)})
	}
	deducted := money.New(t.GrandTotal.Minor-t.Tax.Minor, cur)
	sel.Totals = totalsJSON{TotalQuantity: t.Quantity, ItemsTotalPrice: money.Format(t.Items), ItemsTotalPriceAsNumber: num(t.Items),
		TotalDiscountPrice: money.Format(discount), TotalDiscountPriceAsNumber: num(discount), ShippingPrice: money.Format(t.Shipping),
		ShippingPriceAsNumber: num(t.Shipping), GrandTotalPrice: money.Format(t.GrandTotal), GrandTotalPriceAsNumber: num(t.GrandTotal),
		GrandTotalPriceTax: money.Format(t.Tax), GrandTotalPriceTaxAsNumber: num(t.Tax), GrandTotalPriceTaxDeducted: money.Format(deducted),
		GrandTotalPriceTaxDeductedAsNumber: num(deducted), CreditPrice: money.Format(credit), CreditPriceAsNumber: num(credit),
		TotalToPay: money.Format(t.ToPay), TotalToPayAsNumber: num(t.ToPay)}
	if g := v.Gift; g != nil {
		sel.GiftCertificate = &giftLineJSON{GiftCertificate: g.Certificate.Code, Name: g.Certificate.Name, Amount: money.Format(g.Amount),
			AmountAsNumber: num(g.Amount)}
	}
	if v.PaymentMethod != nil {
		sel.PaymentMethod, sel.PaymentMethodName = ptr(id(v.PaymentMethod.ID)), &v.PaymentMethod.Name
	}
	if v.Shipping != nil {
		sel.ShippingMethod, sel.ShippingMethodName = ptr(id(v.Shipping.Option.ID)), &v.Shipping.Option.Name
	}
	loc := &locationJSON{Market: id(v.Market.ID), Pricelist: id(v.Pricelist.ID), Language: v.Selection.Language, ShipTo: v.Shipping != nil}
	if v.Country != nil {
		loc.Country, loc.Name, loc.EU = &v.Country.Code, &v.Country.Name, v.Country.IsEU
	}
	if v.State != nil {
		loc.State, loc.StateName = &v.State.Code, &v.State.Name
	}
	pays := []paymentJSON{}
	for _, m := range v.PaymentMethods {
		pays = append(pays, paymentJSON{PaymentMethod: id(m.ID), Name: m.Name, Provider: m.Provider, Selected: v.PaymentMethod != nil && v.PaymentMethod.ID == m.ID})
	}
	ships := []shippingJSON{}
	for _, m := range v.ShippingMethods {
		ships = append(ships, shippingJSON{ShippingMethod: id(m.Option.ID), Name: m.Option.Name, Price: money.Format(m.Price), PriceAsNumber: num(m.Price),
			Selected: v.Shipping != nil && v.Shipping.Option.ID == m.Option.ID})
	}
	return sel, loc, pays, ships
}

// orderJSON is an order as the receipt and payment answers show it.
type orderJSON struct {
	Order           string          `json:"order"`
	Number          int64           `json:"number"`
	Status          string          `json:"status"`
	Date            string          `json:"date"`
	Currency        string          `json:"currency"`
	Email           string          `json:"email"`
	Items           []orderItemJSON `json:"items"`
	Totals          orderTotalsJSON `json:"totals"`
	Address         json.RawMessage `json:"address"`
	ShippingAddress json.RawMessage `json:"shippingAddress"`
	ShippingMethod  *string         `json:"shippingMethodName"`
	PaymentMethod   *string         `json:"paymentMethodName"`
	GiftMessage     *string         `json:"giftMessage"`
}

type orderItemJSON struct {
	Item               string      `json:"item"`
	Product            string      `json:"product"`
	Name               string      `json:"name"`
	VariantName        string      `json:"variantName"`
	Size               string      `json:"size"`
	SKU                string      `json:"sku"`
	EAN                *string     `json:"ean"`
	Quantity           int64       `json:"quantity"`
	PriceEach          string      `json:"priceEach"`
	PriceEachAsNumber  json.Number `json:"priceEachAsNumber"`
	TotalPrice         string      `json:"totalPrice"`
	TotalPriceAsNumber json.Number `json:"totalPriceAsNumber"`
	TaxPercent         json.Number `json:"taxPercent"`
}

type orderTotalsJSON struct {
	ItemsTotalPrice            string      `json:"itemsTotalPrice"`
	ItemsTotalPriceAsNumber    json.Number `json:"itemsTotalPriceAsNumber"`
	TotalDiscountPrice         string      `json:"totalDiscountPrice"`
	TotalDiscountPriceAsNumber json.Number `json:"totalDiscountPriceAsNumber"`
	ShippingPrice              string      `json:"shippingPrice"`
	ShippingPriceAsNumber      json.Number `json:"shippingPriceAsNumber"`
	GrandTotalPrice            string      `json:"grandTotalPrice"`
	GrandTotalPriceAsNumber    json.Number `json:"grandTotalPriceAsNumber"`
	GrandTotalPriceTax         string      `json:"grandTotalPriceTax"`
	GrandTotalPriceTaxAsNumber json.Number `json:"grandTotalPriceTaxAsNumber"`
	CreditPrice                string      `json:"creditPrice"`
	CreditPriceAsNumber        json.Number `json:"creditPriceAsNumber"`
	TotalToPay                 string      `json:"totalToPay"`
	TotalToPayAsNumber         json.Number `json:"totalToPayAsNumber"`
}

func orderOf(o store.Order, lines []store.OrderLine) orderJSON {
	m := func(minor int64) money.Amount { return money.New(minor, o.Currency) }
	out := orderJSON{Order: o.Hash, Number: o.Number, Status: o.Status, Date: o.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00"),
		Currency: o.Currency, Email: o.Email, Items: []orderItemJSON{}, Address: json.RawMessage(o.Address),
		ShippingAddress: json.RawMessage(o.ShippingAddress), ShippingMethod: o.ShippingName, PaymentMethod: o.PaymentMethodName,
		GiftMessage: o.GiftMessage}
	for _, l := range lines {
		item := ""
		if l.DisplayVariantID != nil {
			item = checkout.ItemID(*l.DisplayVariantID, l.ProductSizeID)
		}
		out.Items = append(out.Items, orderItemJSON{Item: item, Product: id(l.ProductID), Name: l.ProductName, VariantName: l.VariantName,
			Size: l.SizeName, SKU: l.SKU, EAN: l.EAN, Quantity: l.Quantity, PriceEach: money.Format(m(l.UnitPrice)),
			PriceEachAsNumber: num(m(l.UnitPrice)), TotalPrice: money.Format(m(l.UnitPrice * l.Quantity)), TotalPriceAsNumber: num(m(l.UnitPrice * l.Quantity)),
			TaxPercent: json.Number(l.TaxPercent)})
	}
	out.Totals = orderTotalsJSON{ItemsTotalPrice: money.Format(m(o.ItemsTotal)), ItemsTotalPriceAsNumber: num(m(o.ItemsTotal)),
		TotalDiscountPrice: money.Format(m(-o.Discount)), TotalDiscountPriceAsNumber: num(m(-o.Discount)),
		ShippingPrice: money.Format(m(o.Shipping)), ShippingPriceAsNumber: num(m(o.Shipping)),
		GrandTotalPrice: money.Format(m(o.GrandTotal)), GrandTotalPriceAsNumber: num(m(o.GrandTotal)),
		GrandTotalPriceTax: money.Format(m(o.Tax)), GrandTotalPriceTaxAsNumber: num(m(o.Tax)),
		CreditPrice: money.Format(m(-o.Credit)), CreditPriceAsNumber: num(m(-o.Credit)),
		TotalToPay: money.Format(m(o.GrandTotal - o.Credit)), TotalToPayAsNumber: num(m(o.GrandTotal - o.Credit))}
	return out
}
