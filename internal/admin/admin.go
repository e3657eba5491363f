// Package admin is Seam's back office: the HTML pages under /admin/ in
// which operators run the shop (orders, selections and their payment
// links, settings, tokens, the audit log), and the dev mailbox. Pages
// parse, call the same domain functions the APIs call, and render; the
// shared web foundation (assets, templates, cookies, CSRF) is in
// internal/web. One file per page action, named noun_verb.
package admin

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"seam/internal/adminuser"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/fulfil"
	"seam/internal/money"
	"seam/internal/web"
)

// Prefix is where the back office is served.
const Prefix = "/admin"

// cookieName is the session cookie.
const cookieName = "seam_admin"

//go:embed all:templates
var templateFiles embed.FS

// Config is what the back office needs.
type Config struct {
	DB       *db.DB
	Log      *slog.Logger
	Checkout *checkout.Service
	Fulfil   *fulfil.Service
	// PublicURL is Seam's public URL; when it is https the session cookie
	// is Secure.
	PublicURL string
	// DevMailbox links the dev mailbox page from the dashboard.
	DevMailbox bool
	// RequestID returns the request id of a context (shown on 500 pages).
	RequestID func(context.Context) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Handler serves the back office.
type Handler struct {
	cfg    Config
	pages  *web.Templates
	assets *web.Assets
	mux    *http.ServeMux
	secure bool
	root   http.Handler
}

// New builds the back office. It panics when the embedded templates do
// not parse, which tests catch.
func New(cfg Config) *Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RequestID == nil {
		cfg.RequestID = func(context.Context) string { return "" }
	}
	h := &Handler{cfg: cfg, assets: web.NewAssets(Prefix + "/static/"), secure: strings.HasPrefix(cfg.PublicURL, "https://")}
	pages, err := web.ParseTemplates(templateFiles, "templates", h.funcs())
	if err != nil {
		panic(err)
	}
	h.pages = pages
	h.routes()
	return h
}

// ServeHTTP serves a request under /admin/.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.root.ServeHTTP(w, r) }

// PageAssets are the script and style files every page loads.
var PageAssets = []string{"htmx-2.0.11.min.js", "app.js", "app.css"}

// AssetBytes is the size of the JavaScript and CSS a page loads.
func (h *Handler) AssetBytes() int { return h.assets.Size(PageAssets...) }

func (h *Handler) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":  h.assets.URL,
		"money":  money.Format,
		"amount": money.New,
		"when": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return v.UTC().Format("2006-01-02 15:04 UTC")
			case *time.Time:
				if v == nil {
					return ""
				}
				return v.UTC().Format("2006-01-02 15:04 UTC")
			}
			return ""
		},
		"role":  adminuser.RoleName,
		"list":  func(s ...string) []string { return s },
		"lower": strings.ToLower,
		"deref": func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		},
		"derefInt": func(n *int64) int64 {
			if n == nil {
				return 0
			}
			return *n
		},
	}
}
