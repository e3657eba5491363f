package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"seam/internal/adminuser"
	"seam/internal/seam"
	"seam/internal/web"
)

type sessionKey struct{}

// maxFormBytes bounds the body of every signed-in request.
const maxFormBytes = 256 << 10

// sessionOf is the signed-in operator of a request, nil before sign-in.
func sessionOf(r *http.Request) *adminuser.Session {
	s, _ := r.Context().Value(sessionKey{}).(*adminuser.Session)
	return s
}

// actorOf is who the audit log names for a request.
func actorOf(r *http.Request) seam.Actor {
	if s := sessionOf(r); s != nil {
		return seam.Actor{Name: s.Actor()}
	}
	return seam.Actor{Name: "anonymous"}
}

// signedIn lets a request through only with a live session: without one,
// a GET goes to the sign-in page (coming back afterwards) and anything
// else is refused. A state-changing request must carry the session's
// form token.
func (h *Handler) signedIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		var s adminuser.Session
		if err == nil {
			s, err = adminuser.Lookup(r.Context(), h.cfg.DB, c.Value, h.cfg.Now())
		}
		if err != nil {
			if !errors.Is(err, seam.ErrUnauthenticated) && !errors.Is(err, http.ErrNoCookie) {
				h.fail(w, r, err)
				return
			}
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, Prefix+"/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			h.render(w, r, http.StatusUnauthorized, "error_401", "Signed out", "", nil)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, &s))
		// No admin form is larger; pages that take more set their own.
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if !web.ValidFormToken(r, s.FormToken) {
			h.render(w, r, http.StatusForbidden, "error_csrf", "Form expired", "", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// administrator lets only Administrators through; Staff get the 403 page.
func (h *Handler) administrator(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s := sessionOf(r); s == nil || !s.IsAdministrator() {
			h.forbidden(w, r)
			return
		}
		next(w, r)
	}
}

// safeNext is where to go after sign-in: a path of the back office, never
// another site.
func safeNext(next string) string {
	if strings.HasPrefix(next, Prefix+"/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") && !strings.HasPrefix(next, Prefix+"/login") {
		return next
	}
	return Prefix + "/"
}
