package admin

import (
	"errors"
	"fmt"
	"net/http"

	"seam/internal/adminuser"
	"seam/internal/web"
)

// loginCheck signs an operator in: a new session (a new id, so that a
// session fixed before sign-in is worthless), then on to where they were
// going. Wrong address and wrong password answer the same message; after
// too many failures the page says so.
func (h *Handler) loginCheck(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	f := loginForm{Email: r.PostFormValue("email"), Next: safeNext(r.PostFormValue("next"))}
	if len(f.Email) > 254 {
		f.Email = f.Email[:254]
	}
	s, err := adminuser.SignIn(r.Context(), h.cfg.DB, f.Email, r.PostFormValue("password"), web.ClientIP(r), h.cfg.Now())
	switch {
	case errors.Is(err, adminuser.ErrThrottled):
		f.Error = fmt.Sprintf("Too many failed sign-ins from this address or for this e-mail. Try again in %d minutes.", int(adminuser.FailureWindow.Minutes()))
		h.render(w, r, http.StatusTooManyRequests, "login", "Sign in", "", f)
		return
	case errors.Is(err, adminuser.ErrBadLogin):
		f.Error = "Wrong e-mail address or password."
		h.render(w, r, http.StatusUnauthorized, "login", "Sign in", "", f)
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	if old, err := r.Cookie(cookieName); err == nil {
		if prev, err := adminuser.Lookup(r.Context(), h.cfg.DB, old.Value, h.cfg.Now()); err == nil {
			_ = adminuser.SignOut(r.Context(), h.cfg.DB, prev)
		}
	}
	web.SetSessionCookie(w, cookieName, s.Secret.Reveal(), Prefix+"/", h.secure, s.ExpiresAt)
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
}
