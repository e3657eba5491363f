// Package web is the foundation Seam's HTML surfaces share (the back
// office in internal/admin, later the wholesale Showroom): embedded
// static assets with immutable URLs, the layout and page templates,
// session cookies, CSRF protection (Go's http.CrossOriginProtection plus a
// per-session form token) and the security headers every page carries.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var static embed.FS

// Asset is an embedded file served under a name that changes with its
// content, so that browsers may cache it forever.
type Asset struct {
	Name string // the file's name, e.g. app.css
	URL  string // where it is served, e.g. /admin/static/app.3f2a9c1e.css
	body []byte
	kind string
}

// Assets serves the embedded static files under a prefix.
type Assets struct {
	byName map[string]*Asset
	byURL  map[string]*Asset
}

// NewAssets serves the static files under prefix (e.g. "/admin/static/").
func NewAssets(prefix string) *Assets {
	a := &Assets{byName: map[string]*Asset{}, byURL: map[string]*Asset{}}
	entries, _ := fs.ReadDir(static, "static")
	for _, e := range entries {
		b, _ := static.ReadFile("static/" + e.Name())
		sum := sha256.Sum256(b)
		ext := path.Ext(e.Name())
		url := prefix + strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:4]) + ext
		kind := "application/octet-stream"
		switch ext {
		case ".css":
			kind = "text/css; charset=utf-8"
		case ".js":
			kind = "text/javascript; charset=utf-8"
		}
		as := &Asset{Name: e.Name(), URL: url, body: b, kind: kind}
		a.byName[e.Name()] = as
		a.byURL[url] = as
	}
	return a
}

// URL returns the served URL of a file by name; "" for an unknown name.
func (a *Assets) URL(name string) string {
	if as, ok := a.byName[name]; ok {
		return as.URL
	}
	return ""
}

// Size is the number of bytes of the named files together.
func (a *Assets) Size(names ...string) int {
	n := 0
	for _, name := range names {
		if as, ok := a.byName[name]; ok {
			n += len(as.body)
		}
	}
	return n
}

// ServeHTTP serves a file by its URL, cached for a year.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	as, ok := a.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", as.kind)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(as.body)
}

// CSP is the Content-Security-Policy of every page: scripts and styles
// only from this origin's files (no inline script), images from here or
// data: URLs (QR codes), forms post only here, never framed.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; " +
	"frame-src 'self'; base-uri 'none'; frame-ancestors 'none'"

// SecureHeaders sets the headers every page carries: CSP, no caching of
// pages that may hold secrets, no referrer (links may carry secrets), no
// sniffing, no framing.
func SecureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
}
