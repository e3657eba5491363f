package admin

import (
	"net/http"
	"strconv"

	"seam/internal/paylink"
	"seam/internal/seam"
)

// paylinkRevoke revokes an unused link (paylink.RevokeLink, as
// revokePaymentLink of the Integration API) and goes back to the list.
func (h *Handler) paylinkRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	if err := paylink.RevokeLink(r.Context(), h.cfg.DB, actorOf(r), id); err != nil {
		ue, ok := seam.AsUserErrors(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		redirect(w, r, Prefix+"/payment-links", ue[0].Message)
		return
	}
	redirect(w, r, Prefix+"/payment-links", "Payment link "+strconv.FormatInt(id, 10)+" revoked.")
}
