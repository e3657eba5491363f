package rest

import (
	"errors"
	"net/http"

	"seam/internal/paylink"
	"seam/internal/qr"
	"seam/internal/seam"
	"seam/internal/store"
)

// claimLink is POST /payment-links/{selection}/{hash}: a fresh copy of the
// link's selection, answered as its envelope; the storefront attaches it
// with PUT /selections/{selection}.
func claimLink(c *call) (any, error) {
	actor := "checkout"
	if c.caller.Scope != "" {
		actor = "checkout " + c.caller.Scope
	}
	id, err := paylink.Claim(c.ctx, c.h.db, c.r.PathValue("selection"), c.r.PathValue("hash"), actor, c.h.svc.Now())
	if errors.Is(err, paylink.ErrMalformed) {
		return nil, &badRequest{field: "hash", msg: "A payment link's hash is 43 letters, digits, - and _; check the link."}
	}
	if err != nil {
		return nil, err
	}
	c.selection = id
	return nil, nil
}

// linkQR draws the QR code of a payment link's storefront URL. The path
// holds the link's secret, so only its holder can have it drawn.
func (h *Handler) linkQR(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		l, err := paylink.Find(ctx, h.db.Read(), r.PathValue("selection"), r.PathValue("hash"))
		switch {
		case errors.Is(err, paylink.ErrMalformed):
			http.Error(w, "A payment link's hash is 43 letters, digits, - and _.", http.StatusBadRequest)
			return
		case errors.Is(err, seam.ErrGone):
			http.Error(w, "There is no such payment link.", http.StatusNotFound)
			return
		case err != nil:
			h.log.ErrorContext(ctx, "payment link QR code", "err", err, "path", LogPath(r.URL.Path))
			http.Error(w, "Internal error.", http.StatusInternalServerError)
			return
		}
		st, err := store.GetStore(ctx, h.db.Read(), l.StoreID)
		if err != nil || st.PaymentLinkTemplate == nil {
			http.Error(w, "The store has no paymentLinkTemplate.", http.StatusNotFound)
			return
		}
		link := paylink.LinkURL(*st.PaymentLinkTemplate, l.SelectionID, r.PathValue("hash"))
		var img []byte
		ctype := "image/png"
		if format == "svg" {
			img, err = qr.SVG(link)
			ctype = "image/svg+xml"
		} else {
			img, err = qr.PNG(link)
		}
		if err != nil {
			h.log.ErrorContext(ctx, "draw payment link QR code", "err", err)
			http.Error(w, "The link is too long for a QR code.", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(img)
	}
}
