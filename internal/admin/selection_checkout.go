package admin

import (
	"errors"
	"net/http"

	"seam/internal/checkout"
	"seam/internal/seam"
	"seam/internal/store"
)

// linkForm is the Link pop-up's form as typed.
type linkForm struct {
	Lock                      string // "lock" or "more"
	IgnoreShipping, IgnoreTax bool
	Expires                   string
	Open                      bool
	Errors                    map[string]string
}

type linkRow struct {
	Link   store.PaymentLink
	Status string
}

type selectionCheckout struct {
	View     checkout.View
	Customer *store.Customer
	Links    []linkRow
	LinkForm linkForm
	Removed  bool
}

// selectionCheckout is step 4 of seed 000: the selection as the buyer
// will see it (lines, special prices, shipping, tax, totals), its payment
// links, and the Link button that opens the pop-up.
func (h *Handler) selectionCheckout(w http.ResponseWriter, r *http.Request) {
	lf := linkForm{Lock: "lock", Open: r.URL.Query().Get("link") == "1"}
	h.selectionCheckoutPage(w, r, http.StatusOK, lf)
}

// selectionCheckoutPage renders the Checkout of the selection in the path
// with the link form as given.
func (h *Handler) selectionCheckoutPage(w http.ResponseWriter, r *http.Request, status int, lf linkForm) {
	ctx := r.Context()
	id := r.PathValue("id")
	sel, err := store.GetSelection(ctx, h.cfg.DB.Read(), id, false)
	if errors.Is(err, seam.ErrNotFound) || (err == nil && sel.Origin != store.OriginOperator) || len(id) > 64 {
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := selectionCheckout{LinkForm: lf, Removed: sel.DeletedAt != nil}
	if !v.Removed {
		if v.View, err = h.cfg.Checkout.View(ctx, id); err != nil {
			h.fail(w, r, err)
			return
		}
	} else {
		v.View.Selection = sel
	}
	if sel.CustomerID != nil {
		cs, err := store.CustomersByIDs(ctx, h.cfg.DB.Read(), []int64{*sel.CustomerID})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if len(cs) == 1 {
			v.Customer = &cs[0]
		}
	}
	links, err := store.PaymentLinksOfSelections(ctx, h.cfg.DB.Read(), []string{id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.cfg.Now()
	for _, l := range links {
		v.Links = append(v.Links, linkRow{Link: l, Status: l.Status(now)})
	}
	h.render(w, r, status, "selection_checkout", "Checkout", "orders", v)
}
