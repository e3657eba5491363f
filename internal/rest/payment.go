package rest

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"seam/internal/checkout"
	"seam/internal/payment"
	"seam/internal/store"
)

// paymentBody is POST /payment.
type paymentBody struct {
	PaymentMethod      *flexID        `json:"paymentMethod"`
	PaymentReturnPage  string         `json:"paymentReturnPage"`
	PaymentFailedPage  string         `json:"paymentFailedPage"`
	TermsAndConditions *flexBool      `json:"termsAndConditions"`
	Address            *addressIn     `json:"address"`
	ShippingAddress    *addressIn     `json:"shippingAddress"`
	Fields             map[string]any `json:"paymentMethodSpecificFields"`
	GiftMessage        *string        `json:"giftMessage"`
}

type paymentAnswer struct {
	Token      *string           `json:"token"`
	Action     string            `json:"action"`
	URL        string            `json:"url,omitempty"`
	FormHTML   string            `json:"formHtml,omitempty"`
	FormFields map[string]string `json:"formFields,omitempty"`
	Order      *orderJSON        `json:"order,omitempty"`
	Errors     map[string]string `json:"errors,omitempty"`
}

func pay(c *call) (any, error) {
	var b paymentBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if b.TermsAndConditions == nil || !*b.TermsAndConditions {
		return nil, &badRequest{field: "termsAndConditions", msg: "The shopper must accept the terms and conditions (termsAndConditions: true, or \"1\" or \"on\" from a form)."}
	}
	method, err := optID("paymentMethod", b.PaymentMethod)
	if err != nil {
		return nil, err
	}
	out, err := c.h.svc.Pay(c.ctx, c.selection, checkout.PaymentInput{PaymentMethod: method, ReturnURL: b.PaymentReturnPage, FailURL: b.PaymentFailedPage,
		TermsAndConditions: true, Address: b.Address.domain(), ShippingAddress: b.ShippingAddress.domain(), Fields: b.Fields, BaseURL: c.h.baseURL(c.r),
		GiftMessage: b.GiftMessage})
	if err != nil {
		return nil, err
	}
	return c.outcome(out)
}

func (c *call) outcome(out checkout.Outcome) (any, error) {
	a := paymentAnswer{Token: c.token(), Action: out.Action.Kind, URL: out.Action.URL, FormHTML: out.Action.FormHTML, FormFields: out.Action.FormFields}
	if out.Action.Kind == payment.ActionFailed {
		a.Errors = map[string]string{"paymentMethod": out.Action.Message}
	}
	if out.Order != nil {
		o, err := c.order(*out.Order)
		if err != nil {
			return nil, err
		}
		a.Order = &o
	}
	return a, nil
}

func (c *call) order(o store.Order) (orderJSON, error) {
	d, err := c.h.svc.Detail(c.ctx, o)
	if err != nil {
		return orderJSON{}, err
	}
	return orderOf(d), nil
}

func paymentResult(c *call) (any, error) {
	var b struct {
		Fields map[string]any `json:"paymentMethodFields"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if c.selection == "" {
		var err error
		if c.selection, err = c.h.svc.ResultSelection(c.ctx, c.caller); err != nil {
			return nil, err
		}
	}
	out, err := c.h.svc.PaymentResult(c.ctx, c.selection, b.Fields)
	if err != nil {
		return nil, err
	}
	return c.outcome(out)
}

func receipt(c *call) (any, error) {
	id := c.selection
	if id == "" {
		var err error
		if id, err = c.h.svc.ReceiptSelection(c.ctx, c.caller); err != nil {
			return nil, err
		}
	}
	o, err := c.h.svc.Receipt(c.ctx, id)
	if err != nil {
		return nil, err
	}
	oj, err := c.order(o)
	if err != nil {
		return nil, err
	}
	return map[string]any{"token": c.token(), "order": oj}, nil
}

// baseURL is Seam's public URL: configured, or the request's own.
func (h *Handler) baseURL(r *http.Request) string { return publicBase(h.BaseURL, r) }

var testPage = template.Must(template.New("pay").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test payment</title>
<style>body{font:16px system-ui;max-width:32rem;margin:4rem auto;padding:0 1rem}a{display:inline-block;margin:.5rem 1rem .5rem 0;padding:.6rem 1.2rem;border:1px solid #333;border-radius:4px;text-decoration:none;color:#000}</style>
</head><body>
<h1>Test payment</h1>
<p>This page stands in for a card issuer's 3-D Secure check. Nothing is charged.</p>
<p>Amount: <strong>{{.Amount}}</strong> minor units.</p>
<p><a href="{{.Approve}}">Approve</a><a href="{{.Decline}}">Decline</a></p>
</body></html>`))

// testPaymentPage is the test provider's 3-D-Secure-like page.
func (h *Handler) testPaymentPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ref := r.PathValue("ref")
	if h.Test == nil || !h.Test.PageValid(ref, q.Get("return"), q.Get("fail"), q.Get("amount"), q.Get("sig")) {
		http.Error(w, "This test payment link is not valid.", http.StatusBadRequest)
		return
	}
	amount, err := strconv.ParseInt(q.Get("amount"), 10, 64)
	if err != nil {
		http.Error(w, "This test payment link is not valid.", http.StatusBadRequest)
		return
	}
	fail := q.Get("fail")
	if fail == "" {
		fail = q.Get("return")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := testPage.Execute(w, map[string]any{"Amount": amount,
		"Approve": h.Test.ReturnURL(q.Get("return"), ref, "approved", amount),
		"Decline": h.Test.ReturnURL(fail, ref, "declined", amount)}); err != nil && !errors.Is(err, http.ErrHandlerTimeout) {
		h.log.Error("render test payment page", "err", err)
	}
}
