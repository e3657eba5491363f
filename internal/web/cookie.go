package web

import (
	"net/http"
	"time"
)

// SetSessionCookie sets a session cookie: HttpOnly, SameSite=Lax, Secure
// when secure (the public URL is https), for the whole site path, until
// expires.
func SetSessionCookie(w http.ResponseWriter, name, value, path string, secure bool, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
		Expires: expires.UTC(), MaxAge: int(time.Until(expires).Seconds())})
}

// ClearCookie removes a cookie set by SetSessionCookie.
func ClearCookie(w http.ResponseWriter, name, path string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// ClientIP is the address a request came from, without the port. It
// trusts no forwarding header: behind a proxy every request shares the
// proxy's address, which throttles more, never less.
func ClientIP(r *http.Request) string {
	host := r.RemoteAddr
	for i := len(host) - 1; i >= 0; i-- {
		if host[i] == ':' {
			host = host[:i]
			break
		}
	}
	if len(host) > 1 && host[0] == '[' {
		host = host[1 : len(host)-1]
	}
	return host
}
