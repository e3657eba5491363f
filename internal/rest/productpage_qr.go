package rest

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"seam/internal/productlink"
	"seam/internal/qr"
	"seam/internal/seam"
	"seam/internal/store"
)

// qr is GET /p/{productId}/qr.png and /qr.svg: a QR code of the page of a
// link (uuid) or of the product. A deleted link has none.
func (h *ProductPage) qr(ext string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		productID, ok := h.productID(w, r)
		if !ok {
			return
		}
		ctx, q := r.Context(), h.cfg.Checkout.DB.Read()
		uuid := strings.TrimSpace(r.URL.Query().Get("uuid"))
		if uuid != "" {
			l, err := productlink.Find(ctx, q, productID, uuid)
			switch {
			case errors.Is(err, seam.ErrInvalid):
				h.message(w, r, http.StatusBadRequest, "Payment link not valid", "This payment link is not valid: check that it was copied whole.", "")
				return
			case errors.Is(err, seam.ErrNotFound):
				h.message(w, r, http.StatusNotFound, "Payment link not found", "This payment link does not exist.", "")
				return
			case err != nil:
				h.internal(w, r, err)
				return
			case l.DeletedAt != nil:
				h.message(w, r, http.StatusGone, "Payment link deleted", "This payment link no longer exists.", "")
				return
			}
			uuid, _ = productlink.ParseUUID(uuid)
		} else if _, err := store.GetProduct(ctx, q, productID); errors.Is(err, seam.ErrNotFound) {
			h.message(w, r, http.StatusNotFound, "Not found", "There is no such product.", "")
			return
		} else if err != nil {
			h.internal(w, r, err)
			return
		}
		page := productlink.URL(publicBase(h.cfg.BaseURL, r), productID, uuid)
		draw, kind := qr.PNG, "image/png"
		if ext == "svg" {
			draw, kind = qr.SVG, "image/svg+xml"
		}
		img, err := draw(page)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		w.Header().Set("Content-Type", kind)
		w.Header().Set("Content-Length", strconv.Itoa(len(img)))
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		w.Header().Set("Content-Disposition", `inline; filename="payment-link-`+strconv.FormatInt(productID, 10)+`.`+ext+`"`)
		_, _ = w.Write(img)
	}
}

// writeContext bounds a page request that changes something; it runs to
// its end even when the buyer's browser goes away, so that a payment is
// never left half started.
func writeContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), writeTimeout)
}
