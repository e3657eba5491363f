package web

import (
	"crypto/subtle"
	"net/http"
)

// FormTokenField is the name of the hidden field that carries a session's
// form token.
const FormTokenField = "csrf_token"

// CrossOrigin refuses state-changing requests (POST, PUT, PATCH, DELETE)
// that a browser marks as coming from another origin (Sec-Fetch-Site, or
// an Origin header that does not match the Host), answering with deny.
// It is Go's http.CrossOriginProtection.
func CrossOrigin(next, deny http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(deny)
	return p.Handler(next)
}

// ValidFormToken reports whether a state-changing request carries the
// session's form token (a form field, or the X-CSRF-Token header htmx
// sends), compared in constant time. Safe methods always pass.
func ValidFormToken(r *http.Request, want string) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue(FormTokenField)
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
