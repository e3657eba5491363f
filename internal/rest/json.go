package rest

import (
	"encoding/json"
	"html"
	"strconv"
	"time"

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
	AdditionalNotes    string           `json:"additionalNotes"`
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
	PriceEachReduction               string      `json:"priceEachReduction"`
	PriceEachReductionAsNumber       json.Number `json:"priceEachReductionAsNumber"`
	// ProductURL is always null (Seam does not know the storefront's
	// URLs); Category is the product's main category; Comment the line's
	// comment ("": Seam keeps none).
	ProductURL *string     `json:"productUrl"`
	Category   *string     `json:"category"`
	Comment    string      `json:"comment"`
	Product    productJSON `json:"product"`
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

// productJSON is a product as Centra's Checkout API models it
// (@noaignite/centra-types Product): every field is there, null or empty
// where Seam has no data, so that storefronts that read it never meet a
// missing key.
type productJSON struct {
	Product                     string              `json:"product"`
	Name                        string              `json:"name"`
	VariantName                 string              `json:"variantName"`
	URI                         string              `json:"uri"`
	SKU                         string              `json:"sku"`
	ProductSKU                  string              `json:"productSku"`
	CentraProduct               string              `json:"centraProduct"`
	CentraVariant               string              `json:"centraVariant"`
	Brand                       *string             `json:"brand"`
	BrandName                   *string             `json:"brandName"`
	BrandURI                    *string             `json:"brandUri"`
	Collection                  *string             `json:"collection"`
	CollectionName              *string             `json:"collectionName"`
	CollectionURI               *string             `json:"collectionUri"`
	CountryOrigin               string              `json:"countryOrigin"`
	Excerpt                     string              `json:"excerpt"`
	ExcerptHTML                 string              `json:"excerptHtml"`
	Description                 string              `json:"description"`
	DescriptionHTML             string              `json:"descriptionHtml"`
	ShortDescription            string              `json:"shortDescription"`
	MetaTitle                   string              `json:"metaTitle"`
	MetaDescription             string              `json:"metaDescription"`
	MetaKeywords                string              `json:"metaKeywords"`
	StockUnit                   string              `json:"stockUnit"`
	Category                    *string             `json:"category"`
	CategoryName                []string            `json:"categoryName"`
	CategoryURI                 *string             `json:"categoryUri"`
	Categories                  []categoryRef       `json:"categories"`
	ItemQuantityMinimum         int64               `json:"itemQuantityMinimum"`
	ItemQuantityMultipleOf      int64               `json:"itemQuantityMultipleOf"`
	Price                       *string             `json:"price"`
	PriceAsNumber               *json.Number        `json:"priceAsNumber"`
	PriceBeforeDiscount         *string             `json:"priceBeforeDiscount"`
	PriceBeforeDiscountAsNumber *json.Number        `json:"priceBeforeDiscountAsNumber"`
	DiscountPercent             int64               `json:"discountPercent"`
	LowestPrice                 []struct{}          `json:"lowestPrice"`
	ShowAsOnSale                bool                `json:"showAsOnSale"`
	ShowAsNew                   bool                `json:"showAsNew"`
	Available                   bool                `json:"available"`
	Preview                     bool                `json:"preview"`
	Items                       []productItem       `json:"items"`
	Media                       map[string][]string `json:"media"`
	MediaObjects                []struct{}          `json:"mediaObjects"`
	RelatedProducts             []productJSON       `json:"relatedProducts"`
	SubscriptionPlans           []struct{}          `json:"subscriptionPlans"`
	CreatedAt                   string              `json:"createdAt"`
	ModifiedAt                  string              `json:"modifiedAt"`
}

// categoryRef is a category a product is in: its path from the top as
// uri, with the names along it.
type categoryRef struct {
	Category  string   `json:"category"`
	Name      []string `json:"name"`
	URI       string   `json:"uri"`
	SortOrder int      `json:"sortOrder"`
	PathIDs   []string `json:"pathIds"`
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

// shownCode is a voucher's code as an answer shows it: as typed to the
// session that typed it, else "…" and its last characters.
func shownCode(token, sealed, hint string) string {
	if code, ok := checkout.OpenCode(token, sealed); ok {
		return code
	}
	return "…" + hint
}

func num(a money.Amount) json.Number { return json.Number(a.Trimmed()) }

func id(n int64) string { return strconv.FormatInt(n, 10) }

func ptr[T any](v T) *T { return &v }

func productOf(p checkout.Product) productJSON {
	text := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	out := productJSON{Product: id(p.ID), Name: p.Display.Name, VariantName: p.Variant.Name, URI: p.URI, ProductSKU: p.Product.ProductNumber,
		SKU: p.Product.ProductNumber, CentraProduct: id(p.Product.ID), CentraVariant: id(p.Variant.ID),
		Description: text(p.Display.Description), DescriptionHTML: html.EscapeString(text(p.Display.Description)),
		ShortDescription: text(p.Display.ShortDescription), Excerpt: text(p.Display.ShortDescription),
		ExcerptHTML: html.EscapeString(text(p.Display.ShortDescription)), MetaTitle: text(p.Display.MetaTitle),
		MetaDescription: text(p.Display.MetaDescription), MetaKeywords: text(p.Display.MetaKeywords),
		Categories: []categoryRef{}, Items: []productItem{}, Available: p.Available(), ItemQuantityMinimum: 1, ItemQuantityMultipleOf: 1,
		LowestPrice: []struct{}{}, Media: mediaOf(p), MediaObjects: []struct{}{}, RelatedProducts: []productJSON{},
		SubscriptionPlans: []struct{}{}, CreatedAt: p.Display.CreatedAt.UTC().Format(time.RFC3339),
		ModifiedAt: p.Display.UpdatedAt.UTC().Format(time.RFC3339)}
	if p.Variant.VariantNumber != nil {
		out.SKU += *p.Variant.VariantNumber
	}
	if m := p.Display.MinimumOrderQuantity; m != nil && *m > 0 {
		out.ItemQuantityMinimum = *m
	}
	if m := p.Display.OrderQuantityDenominator; m != nil && *m > 0 {
		out.ItemQuantityMultipleOf = *m
	}
	if p.Brand != nil {
		out.Brand, out.BrandName, out.BrandURI = ptr(id(p.Brand.ID)), &p.Brand.Name, &p.Brand.URI
	}
	for _, c := range p.Categories {
		ref := categoryRef{Category: id(c.Category.ID), Name: c.PathNames, URI: c.Path, SortOrder: c.Category.SortOrder}
		for _, pid := range c.PathIDs {
			ref.PathIDs = append(ref.PathIDs, id(pid))
		}
		out.Categories = append(out.Categories, ref)
	}
	if c := p.Canonical(); c != nil {
		out.Category, out.CategoryName, out.CategoryURI = ptr(id(c.Category.ID)), c.PathNames, &c.Path
	}
	if p.HasPrice {
		out.Price, out.PriceAsNumber = ptr(money.Format(p.Price)), ptr(num(p.Price))
		out.PriceBeforeDiscount, out.PriceBeforeDiscountAsNumber = ptr(money.Format(p.PriceBefore)), ptr(num(p.PriceBefore))
		out.ShowAsOnSale = p.PriceBefore.Minor > p.Price.Minor
		if out.ShowAsOnSale && p.PriceBefore.Minor > 0 {
			// Whole percent, rounded half up, as Centra shows it.
			out.DiscountPercent = ((p.PriceBefore.Minor-p.Price.Minor)*200/p.PriceBefore.Minor + 1) / 2
		}
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
func selectionOf(v checkout.View, token string) (*selectionJSON, *locationJSON, []paymentJSON, []shippingJSON) {
	cur := v.Pricelist.CurrencyCode
	sel := &selectionJSON{Selection: v.Selection.ID, Language: v.Selection.Language, Currency: cur, Items: []itemJSON{},
		Discounts: discountsJSON{Vouchers: []voucherJSON{}}, VatExempt: v.VatExempt, Address: v.Address, ShippingAddress: v.ShippingAddress}
	if v.Selection.Comment != nil {
		sel.AdditionalNotes = *v.Selection.Comment
	}
	for _, l := range v.Lines {
		before, _ := l.UnitBefore.Mul(l.Line.Quantity)
		// priceEach × quantity; voucher discounts show in discounts and
		// totals, so items add up to itemsTotalPrice.
		total := l.Total
		prod := productOf(l.Product)
		reduction := money.New(l.UnitBefore.Minor-l.Unit.Minor, cur)
		sel.Items = append(sel.Items, itemJSON{Item: l.Item, Line: l.Line.Line, Quantity: l.Line.Quantity, Size: l.Size.Size.Name, SKU: l.Size.SKU,
			EAN: l.Size.EAN, PriceEach: money.Format(l.Unit), PriceEachAsNumber: num(l.Unit), PriceEachBeforeDiscount: money.Format(l.UnitBefore),
			PriceEachBeforeDiscountAsNumber: num(l.UnitBefore), TotalPrice: money.Format(total), TotalPriceAsNumber: num(total),
			TotalPriceBeforeDiscount: money.Format(before), TotalPriceBeforeDiscountAsNumber: num(before),
			AnyDiscount: l.Discount.Minor > 0 || l.UnitBefore.Minor > l.Unit.Minor, TaxPercent: json.Number(l.TaxRate.Trim(0).String()),
			PriceEachReduction: money.Format(reduction), PriceEachReductionAsNumber: num(reduction), Category: prod.Category, Product: prod})
	}
	for _, av := range v.Vouchers {
		off := money.New(-av.Discount.Minor, cur)
		sel.Discounts.Vouchers = append(sel.Discounts.Vouchers, voucherJSON{Voucher: shownCode(token, av.CodeSealed, av.CodeHint), Name: av.Voucher.Name, Type: av.Voucher.Type,
			PriceOff: money.Format(off), PriceOffAsNumber: num(off), FreeShipping: av.FreeShipping})
		sel.Discounts.AnyDiscount = true
	}
	t := v.Totals
	discount := money.New(-t.Discount.Minor, cur)
	credit := money.New(-t.Credit.Minor, cur)
	for _, c := range v.Credits {
		off := money.New(-c.Applied.Minor, cur)
		sel.Discounts.Vouchers = append(sel.Discounts.Vouchers, voucherJSON{Voucher: shownCode(token, c.CodeSealed, c.CodeHint), Name: c.Voucher.Name, Type: c.Voucher.Type,
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

// orderJSON is an order as the receipt and payment answers show it, in
// the shape of Centra's Order model: order is the order number (as
// Centra's receipts have it), id the order's 32-hex hash.
type orderJSON struct {
	Order              string              `json:"order"`
	ID                 string              `json:"id"`
	Number             int64               `json:"number"`
	Status             string              `json:"status"`
	StatusDescription  string              `json:"statusDescription"`
	Date               string              `json:"date"`
	Currency           string              `json:"currency"`
	Language           string              `json:"language"`
	Email              string              `json:"email"`
	Items              []orderItemJSON     `json:"items"`
	Discounts          discountsJSON       `json:"discounts"`
	Totals             orderTotalsJSON     `json:"totals"`
	VatExempt          bool                `json:"vatExempt"`
	AdditionalNotes    string              `json:"additionalNotes"`
	Address            json.RawMessage     `json:"address"`
	ShippingAddress    json.RawMessage     `json:"shippingAddress"`
	ShippingMethod     *string             `json:"shippingMethod"`
	ShippingMethodName *string             `json:"shippingMethodName"`
	PaymentMethod      *string             `json:"paymentMethod"`
	PaymentMethodName  *string             `json:"paymentMethodName"`
	GiftMessage        *string             `json:"giftMessage"`
	Shipments          []orderShipmentJSON `json:"shipments"`
}

// orderShipmentJSON is a shipment as Centra's Shipment model has it.
type orderShipmentJSON struct {
	ShipmentID         string `json:"shipmentId"`
	ShippedDate        string `json:"shippedDate"`
	Carrier            string `json:"carrier"`
	Service            string `json:"service"`
	TrackingID         string `json:"trackingId"`
	TrackingURL        string `json:"trackingUrl"`
	ReturnSlipTracking string `json:"returnSlipTracking"`
	AdditionalMessage  string `json:"additionalMessage"`
}

type orderItemJSON struct {
	Item                             string       `json:"item"`
	Line                             string       `json:"line"`
	Name                             string       `json:"name"`
	VariantName                      string       `json:"variantName"`
	Size                             string       `json:"size"`
	SKU                              string       `json:"sku"`
	EAN                              *string      `json:"ean"`
	Quantity                         int64        `json:"quantity"`
	PriceEach                        string       `json:"priceEach"`
	PriceEachAsNumber                json.Number  `json:"priceEachAsNumber"`
	PriceEachBeforeDiscount          string       `json:"priceEachBeforeDiscount"`
	PriceEachBeforeDiscountAsNumber  json.Number  `json:"priceEachBeforeDiscountAsNumber"`
	TotalPrice                       string       `json:"totalPrice"`
	TotalPriceAsNumber               json.Number  `json:"totalPriceAsNumber"`
	TotalPriceBeforeDiscount         string       `json:"totalPriceBeforeDiscount"`
	TotalPriceBeforeDiscountAsNumber json.Number  `json:"totalPriceBeforeDiscountAsNumber"`
	AnyDiscount                      bool         `json:"anyDiscount"`
	TaxPercent                       json.Number  `json:"taxPercent"`
	PriceEachReduction               string       `json:"priceEachReduction"`
	PriceEachReductionAsNumber       json.Number  `json:"priceEachReductionAsNumber"`
	ProductURL                       *string      `json:"productUrl"`
	Category                         *string      `json:"category"`
	Comment                          string       `json:"comment"`
	Product                          *productJSON `json:"product"`
}

// orderStatuses are Centra's receipt status and statusDescription for
// Seam's order statuses.
var orderStatuses = map[string][2]string{
	store.OrderPending:    {"untouched", "Pending"},
	store.OrderConfirmed:  {"untouched", "Confirmed"},
	store.OrderProcessing: {"progress", "Processing"},
	store.OrderShipped:    {"ok", "Completed"},
	store.OrderArchived:   {"archived", "Archived"},
	store.OrderCancelled:  {"failed", "Cancelled"},
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

func orderOf(d checkout.OrderDetail) orderJSON {
	o := d.Order
	m := func(minor int64) money.Amount { return money.New(minor, o.Currency) }
	st := orderStatuses[o.Status]
	out := orderJSON{Order: strconv.FormatInt(o.Number, 10), ID: o.Hash, Number: o.Number, Status: st[0], StatusDescription: st[1],
		Date: o.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00"), Currency: o.Currency, Language: o.Language, Email: o.Email,
		Items: []orderItemJSON{}, Discounts: discountsJSON{AnyDiscount: o.Discount > 0, Vouchers: []voucherJSON{}}, VatExempt: o.VatExempt,
		Address: json.RawMessage(o.Address), ShippingAddress: json.RawMessage(o.ShippingAddress), ShippingMethodName: o.ShippingName,
		PaymentMethodName: o.PaymentMethodName, GiftMessage: o.GiftMessage, Shipments: []orderShipmentJSON{}}
	if o.Comment != nil {
		out.AdditionalNotes = *o.Comment
	}
	if o.ShippingOptionID != nil {
		out.ShippingMethod = ptr(id(*o.ShippingOptionID))
	}
	if o.PaymentMethodID != nil {
		out.PaymentMethod = ptr(id(*o.PaymentMethodID))
	}
	for _, l := range d.Lines {
		item := ""
		var prod *productJSON
		if l.DisplayVariantID != nil {
			item = checkout.ItemID(*l.DisplayVariantID, l.ProductSizeID)
			if p, ok := d.Products[*l.DisplayVariantID]; ok {
				prod = ptr(productOf(p))
			}
		}
		total, before, reduction := m(l.UnitPrice*l.Quantity), m(l.UnitOriginalPrice*l.Quantity), m(l.UnitOriginalPrice-l.UnitPrice)
		var category *string
		if prod != nil {
			category = prod.Category
		}
		out.Items = append(out.Items, orderItemJSON{Item: item, Line: id(l.ID), Name: l.ProductName, VariantName: l.VariantName,
			Size: l.SizeName, SKU: l.SKU, EAN: l.EAN, Quantity: l.Quantity, PriceEach: money.Format(m(l.UnitPrice)),
			PriceEachAsNumber: num(m(l.UnitPrice)), PriceEachBeforeDiscount: money.Format(m(l.UnitOriginalPrice)),
			PriceEachBeforeDiscountAsNumber: num(m(l.UnitOriginalPrice)), TotalPrice: money.Format(total), TotalPriceAsNumber: num(total),
			TotalPriceBeforeDiscount: money.Format(before), TotalPriceBeforeDiscountAsNumber: num(before),
			AnyDiscount: l.Discount > 0 || l.UnitOriginalPrice > l.UnitPrice, TaxPercent: json.Number(l.TaxPercent),
			PriceEachReduction: money.Format(reduction), PriceEachReductionAsNumber: num(reduction), Category: category, Product: prod})
	}
	text := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	for _, sh := range d.Shipments {
		js := orderShipmentJSON{ShipmentID: sh.Number, Carrier: text(sh.Carrier), Service: text(sh.Service), TrackingID: text(sh.TrackingNumber),
			ReturnSlipTracking: text(sh.ReturnTrackingNumber), AdditionalMessage: text(sh.AdditionalMessage)}
		if sh.ShippedAt != nil {
			js.ShippedDate = sh.ShippedAt.UTC().Format("2006-01-02T15:04:05Z07:00")
		}
		out.Shipments = append(out.Shipments, js)
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
