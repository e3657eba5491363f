package admin

import (
	"net/http"
	"strconv"

	"seam/internal/adminuser"
	"seam/internal/seam"
)

// userSave changes a user's role, or disables or enables them
// (adminuser.Update); the last Administrator cannot be demoted.
func (h *Handler) userSave(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	var c adminuser.Change
	if role, ok := adminuser.ParseRole(r.PostFormValue("role")); ok {
		c.Role = &role
	}
	switch r.PostFormValue("disabled") {
	case "true":
		c.Disabled = ptr(true)
	case "false":
		c.Disabled = ptr(false)
	}
	u, err := adminuser.Update(r.Context(), h.cfg.DB, actorOf(r).Name, id, c)
	if ue, ok := seam.AsUserErrors(err); ok {
		redirect(w, r, Prefix+"/users", ue[0].Message)
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, Prefix+"/users", u.Email+" saved.")
}
