package admin

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"
	"time"

	"seam/internal/paylink"
	"seam/internal/qr"
	"seam/internal/seam"
	"seam/internal/store"
)

type linkMade struct {
	SelectionID string
	Link        store.PaymentLink
	URL         string
	// Secret is the link's hash, carried by the Send form (the page
	// already shows it in the URL).
	Secret string
	QR     template.URL
	Email  string
	Errors map[string]string
	Sent   string
}

// selectionLink is steps 5–7 of seed 000: Generate in the Link pop-up
// makes the link with paylink.CreateLink (as createPaymentLink of the
// Integration API does) and shows, this once, its URL from the store's
// payment_link template, a copy button, its QR code and Send to customer.
func (h *Handler) selectionLink(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	lf := linkForm{Lock: r.PostFormValue("lock"), IgnoreShipping: r.PostFormValue("ignore_shipping") != "",
		IgnoreTax: r.PostFormValue("ignore_tax") != "", Expires: clipped(strings.TrimSpace(r.PostFormValue("expires")), 20), Open: true,
		Errors: map[string]string{}}
	in := paylink.LinkInput{Selection: r.PathValue("id"), LockQuantities: lf.Lock != "more", IgnoreShipping: lf.IgnoreShipping, IgnoreTax: lf.IgnoreTax}
	if lf.Lock != "lock" && lf.Lock != "more" {
		lf.Errors["lock"] = "Choose whether the customer may buy more."
	}
	if lf.Expires != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", lf.Expires, time.UTC)
		if err != nil {
			lf.Errors["expires"] = "Give the expiry as a date and time, such as 2026-12-31 18:00 (UTC), or leave it empty."
		} else {
			in.ExpiresAt = &t
		}
	}
	if len(lf.Errors) > 0 {
		h.selectionCheckoutPage(w, r, http.StatusBadRequest, lf)
		return
	}
	made, err := paylink.CreateLink(r.Context(), h.cfg.DB, actorOf(r), in)
	if err != nil {
		ue, ok := seam.AsUserErrors(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		for _, e := range ue {
			key := e.Path[len(e.Path)-1]
			if key != "expiresAt" {
				key = "link"
			} else {
				key = "expires"
			}
			lf.Errors[key] = e.Message
		}
		h.selectionCheckoutPage(w, r, http.StatusBadRequest, lf)
		return
	}
	v := linkMade{SelectionID: in.Selection, Link: made.Link, URL: made.URL, Secret: made.Secret.Reveal()}
	if svg, err := qr.SVG(made.URL); err == nil {
		// The SVG is drawn here from the URL alone: safe as an image.
		v.QR = template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg))
	}
	if sel, err := store.GetSelection(r.Context(), h.cfg.DB.Read(), in.Selection, false); err == nil && sel.CustomerID != nil {
		if cs, err := store.CustomersByIDs(r.Context(), h.cfg.DB.Read(), []int64{*sel.CustomerID}); err == nil && len(cs) == 1 {
			v.Email = cs[0].Email
		}
	}
	h.render(w, r, http.StatusCreated, "selection_link", "Payment link", "orders", v)
}
