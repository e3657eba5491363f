package admin

import (
	"errors"
	"net/http"
	"strconv"

	"seam/internal/adminuser"
	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/seam"
)

// tokenRevoke revokes an Integration API token (auth.Revoke, as seam
// token revoke): every request with it is refused from now on.
func (h *Handler) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	if err := auth.Revoke(r.Context(), h.cfg.DB, id); errors.Is(err, seam.ErrNotFound) {
		redirect(w, r, Prefix+"/tokens", "Token "+strconv.FormatInt(id, 10)+" is revoked already.")
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.cfg.DB.Tx(r.Context(), func(tx *db.Tx) error {
		return adminuser.Audit(r.Context(), tx, actorOf(r).Name, "REVOKE", "Token", strconv.FormatInt(id, 10), "revoked token")
	}); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, Prefix+"/tokens", "Token "+strconv.FormatInt(id, 10)+" revoked.")
}
