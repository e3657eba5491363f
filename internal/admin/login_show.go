package admin

import "net/http"

// loginForm is the sign-in page's data.
type loginForm struct {
	Email, Next, Error string
}

// loginShow is the sign-in page; a signed-in operator may sign in again
// (as someone else).
func (h *Handler) loginShow(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "login", "Sign in", "", loginForm{Next: safeNext(r.URL.Query().Get("next"))})
}
