package admin

import (
	"net/http"

	"seam/internal/adminuser"
	"seam/internal/web"
)

// logout ends the session: its row is deleted and the cookie cleared.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := adminuser.SignOut(r.Context(), h.cfg.DB, *sessionOf(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	web.ClearCookie(w, cookieName, Prefix+"/", h.secure)
	http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
}
