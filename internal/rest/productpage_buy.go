package rest

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"seam/internal/checkout"
	"seam/internal/money"
	"seam/internal/payment"
	"seam/internal/productlink"
	"seam/internal/seam"
)

// pageMaxBody bounds an order form.
const pageMaxBody = 64 << 10

// buy is POST /p/{productId}/checkout: the order form. It makes the
// buyer's selection and starts the payment; input problems show the page
// again with the fields' messages.
func (h *ProductPage) buy(w http.ResponseWriter, r *http.Request) {
	productID, ok := h.productID(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, pageMaxBody)
	if err := r.ParseForm(); err != nil {
		h.message(w, r, http.StatusBadRequest, "Order form not readable", "The order form could not be read; go back and send it again.", "")
		return
	}
	f := r.PostForm
	form := map[string]string{}
	for _, k := range prefilled {
		form[k] = strings.TrimSpace(f.Get(k))
	}
	if f.Get("terms") != "" {
		form["terms"] = "yes"
	}
	uuid, cur := strings.TrimSpace(f.Get("uuid")), strings.TrimSpace(f.Get("currency"))
	var additional []nameValue
	extra := map[string]string{}
	for k, vs := range f {
		if name, ok := strings.CutPrefix(k, "field_"); ok && len(vs) > 0 {
			additional = append(additional, nameValue{Name: name, Value: vs[0]})
			extra[name] = vs[0]
		}
	}
	base := publicBase(h.cfg.BaseURL, r)
	in := productlink.BuyInput{ProductID: productID, UUID: uuid, Currency: cur, Item: form["item"], Country: form["country"], State: form["state"],
		PaymentMethod: form["payment_method"], Name: form["name"], Email: form["email"], Phone: form["phone_number"], Address1: form["address1"],
		ZipCode: form["zip_code"], City: form["city"], Terms: form["terms"] != "", Additional: extra, BaseURL: base,
		Pages: func(selectionID string) (string, string) {
			u := returnPage(base, productID, selectionID, uuid, cur)
			return u, u
		}}
	ctx, cancel := writeContext(r)
	defer cancel()
	selectionID, out, err := productlink.Buy(ctx, h.cfg.Checkout, in)
	if err != nil {
		h.buyError(w, r, productID, uuid, cur, form, additional, err)
		return
	}
	switch out.Action.Kind {
	case payment.ActionSuccess:
		http.Redirect(w, r, thanksPage(productID, selectionID), http.StatusSeeOther)
	case payment.ActionRedirect:
		http.Redirect(w, r, out.Action.URL, http.StatusSeeOther)
	case payment.ActionForm:
		h.stripe(w, r, productID, selectionID, uuid, cur, out)
	default:
		msg := out.Action.Message
		if msg == "" {
			msg = "The payment was not authorized."
		}
		h.formAgain(w, r, http.StatusPaymentRequired, productID, uuid, cur, form, additional, msg+" Nothing was charged; try again or use another card.", nil)
	}
}

// buyError answers an order form that could not be placed.
func (h *ProductPage) buyError(w http.ResponseWriter, r *http.Request, productID int64, uuid, cur string, form map[string]string,
	additional []nameValue, err error) {
	back := productlink.URL(ProductPagePrefix, productID, uuid)
	var soldOut *checkout.SoldOutError
	switch {
	case errors.As(err, &soldOut):
		h.formAgain(w, r, http.StatusConflict, productID, uuid, cur, form, additional, "This size sold out while you were ordering; choose another.", nil)
	case errors.Is(err, seam.ErrInvalid):
		ue, _ := seam.AsUserErrors(err)
		fields := map[string]string{}
		for _, u := range ue {
			key := u.Path.String()
			if _, taken := fields[key]; !taken {
				fields[key] = u.Message
			}
		}
		h.formAgain(w, r, http.StatusUnprocessableEntity, productID, uuid, cur, form, additional, "Please check the fields marked below.", fields)
	case errors.Is(err, seam.ErrGone):
		h.message(w, r, http.StatusGone, "Payment link not usable", upperFirst(trimKind(err, seam.ErrGone)), "")
	case errors.Is(err, seam.ErrNotFound):
		h.offerError(w, r, err, uuid)
	case errors.Is(err, seam.ErrConflict):
		h.message(w, r, http.StatusConflict, "Not possible right now", upperFirst(trimKind(err, seam.ErrConflict)), back)
	default:
		h.internal(w, r, err)
	}
}

// formAgain shows the product page again with the buyer's values and what
// to fix.
func (h *ProductPage) formAgain(w http.ResponseWriter, r *http.Request, status int, productID int64, uuid, cur string, form map[string]string,
	additional []nameValue, msg string, fields map[string]string) {
	o, err := productlink.MakeOffer(r.Context(), h.cfg.Checkout, productlink.OfferInput{ProductID: productID, UUID: uuid, Currency: cur})
	if err != nil {
		h.offerError(w, r, err, uuid)
		return
	}
	if o.Gone {
		h.message(w, r, http.StatusGone, o.Title, o.Problem, "")
		return
	}
	v := h.view(r, productID, o, uuid, form, additional)
	v.Message = msg
	for k, m := range fields {
		v.Errors[k] = m
	}
	h.render(w, r, status, "product.html", v)
}

// returnPage is where the payment provider sends the buyer back to.
func returnPage(base string, productID int64, selectionID, uuid, cur string) string {
	q := url.Values{"selection": {selectionID}}
	if uuid != "" {
		q.Set("uuid", uuid)
	}
	if cur != "" {
		q.Set("currency", cur)
	}
	return base + ProductPagePrefix + "/" + strconv.FormatInt(productID, 10) + "/return?" + q.Encode()
}

func thanksPage(productID int64, selectionID string) string {
	return ProductPagePrefix + "/" + strconv.FormatInt(productID, 10) + "/thanks?" + url.Values{"selection": {selectionID}}.Encode()
}

// back is GET /p/{productId}/return: the buyer comes back from the
// payment provider with its fields in the query, and the order is placed.
func (h *ProductPage) back(w http.ResponseWriter, r *http.Request) {
	productID, ok := h.productID(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	selectionID := q.Get("selection")
	retry := productlink.URL(ProductPagePrefix, productID, q.Get("uuid"))
	if c := q.Get("currency"); c != "" {
		retry += map[bool]string{true: "&", false: "?"}[strings.Contains(retry, "?")] + url.Values{"currency": {c}}.Encode()
	}
	fields := map[string]any{}
	for k, vs := range q {
		if k != "selection" && k != "uuid" && k != "currency" && len(vs) > 0 {
			fields[k] = vs[0]
		}
	}
	ctx, cancel := writeContext(r)
	defer cancel()
	_, err := productlink.Return(ctx, h.cfg.Checkout, productID, selectionID, fields)
	var declined *checkout.PaymentFailedError
	switch {
	case err == nil:
		http.Redirect(w, r, thanksPage(productID, selectionID), http.StatusSeeOther)
	case errors.As(err, &declined):
		h.message(w, r, http.StatusPaymentRequired, "Payment not completed", declined.Message+" Nothing was charged.", retry)
	case errors.Is(err, seam.ErrGone):
		h.message(w, r, http.StatusGone, "Payment link not usable",
			upperFirst(trimKind(err, seam.ErrGone))+" Your payment was cancelled and nothing was charged.", "")
	case errors.Is(err, seam.ErrSoldOut):
		h.message(w, r, http.StatusGone, "Sold out", "The product sold out before your payment finished; it was cancelled and nothing was charged.", retry)
	case errors.Is(err, seam.ErrNotFound):
		h.message(w, r, http.StatusNotFound, "Purchase not found", "There is no purchase to finish at this address.", retry)
	case errors.Is(err, seam.ErrInvalid):
		h.message(w, r, http.StatusBadRequest, "Payment not recognised", "The payment provider's answer does not belong to this purchase.", retry)
	case errors.Is(err, seam.ErrConflict):
		h.message(w, r, http.StatusConflict, "Payment not completed", upperFirst(trimKind(err, seam.ErrConflict)), retry)
	default:
		h.internal(w, r, err)
	}
}

// thanksView is what thanks.html shows.
type thanksView struct {
	Title, FirstName, Email, Number, Total, Tax string
	Lines                                       []struct{ Name, Detail, Price string }
}

// thanks is GET /p/{productId}/thanks: the placed order.
func (h *ProductPage) thanks(w http.ResponseWriter, r *http.Request) {
	productID, ok := h.productID(w, r)
	if !ok {
		return
	}
	p, err := productlink.Receipt(r.Context(), h.cfg.Checkout, productID, r.URL.Query().Get("selection"))
	if errors.Is(err, seam.ErrNotFound) {
		h.message(w, r, http.StatusNotFound, "Order not found", "There is no order at this address.", "")
		return
	} else if err != nil {
		h.internal(w, r, err)
		return
	}
	o := *p.Order
	m := func(minor int64) string { return money.Format(money.New(minor, o.Currency)) }
	v := thanksView{Title: "Thank you", FirstName: checkout.ParseAddress(o.Address).FirstName, Email: o.Email, Number: strconv.FormatInt(o.Number, 10),
		Total: m(o.GrandTotal)}
	if o.Tax > 0 {
		v.Tax = m(o.Tax)
	}
	for _, l := range p.Lines {
		v.Lines = append(v.Lines, struct{ Name, Detail, Price string }{l.ProductName, l.VariantName + " / " + l.SizeName, m(l.UnitPrice * l.Quantity)})
	}
	h.render(w, r, http.StatusOK, "thanks.html", v)
}

// stripe shows Stripe's card form for a payment that needs it.
func (h *ProductPage) stripe(w http.ResponseWriter, r *http.Request, productID int64, selectionID, uuid, cur string, out checkout.Outcome) {
	v, err := h.cfg.Checkout.View(r.Context(), selectionID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	n := nonce()
	data := map[string]string{"Title": "Pay", "Heading": "Pay by card", "Amount": money.Format(v.Totals.ToPay),
		"ClientSecret": out.Action.FormFields["clientSecret"], "PublishableKey": out.Action.FormFields["publishableKey"],
		"ReturnURL": returnPage(publicBase(h.cfg.BaseURL, r), productID, selectionID, uuid, cur), "Nonce": n}
	var b strings.Builder
	if err := pageTemplates.ExecuteTemplate(&b, "stripe.html", data); err != nil {
		h.internal(w, r, err)
		return
	}
	pageHeaders(w, "default-src 'none'; script-src https://js.stripe.com 'nonce-"+n+"'; frame-src https://js.stripe.com https://hooks.stripe.com; "+
		"connect-src https://api.stripe.com; img-src 'self' https://*.stripe.com; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(b.String()))
}
