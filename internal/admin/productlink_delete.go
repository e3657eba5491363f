package admin

import (
	"errors"
	"net/http"
	"strconv"

	"seam/internal/productlink"
	"seam/internal/seam"
)

// productLinkDelete deletes a product's link (productlink.DeleteByID, as
// DELETE /api/mel-store/products/{id}/payment-links/{uuid}).
func (h *Handler) productLinkDelete(w http.ResponseWriter, r *http.Request) {
	id, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	link, err2 := strconv.ParseInt(r.PathValue("link"), 10, 64)
	if err1 != nil || err2 != nil {
		h.notFound(w, r)
		return
	}
	back := Prefix + "/catalog/" + strconv.FormatInt(id, 10) + "/links"
	if err := productlink.DeleteByID(r.Context(), h.cfg.DB, actorOf(r), id, link, h.cfg.Now()); errors.Is(err, seam.ErrNotFound) {
		redirect(w, r, back, "That payment link was deleted already.")
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, back, "Payment link #"+strconv.FormatInt(link, 10)+" deleted.")
}
