package admin

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/store"
)

// mailboxLimit is how many messages the list shows, newest first.
const mailboxLimit = 200

//go:embed templates/mailbox/mailbox.html
var mailboxFiles embed.FS

var mailboxTemplates = template.Must(template.New("mailbox").Funcs(template.FuncMap{
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
}).ParseFS(mailboxFiles, "templates/mailbox/mailbox.html"))

const (
	// pageCSP lets the pages use their inline style and frame the HTML
	// part; nothing else loads.
	pageCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	// partCSP runs a message's HTML part in a sandbox of its own (no
	// scripts, forms, popups or same-origin access) that loads nothing
	// from anywhere: no tracking pixels, no remote styles.
	partCSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
	// rawCSP serves the raw message as inert text.
	rawCSP = "sandbox; default-src 'none'"
)

// Mailbox serves the dev mailbox, the mail the dev SMTP server
// (mail.DevServer) received:
//
//	GET /dev/mailbox            the messages, newest first: received, to, subject
//	GET /dev/mailbox/{id}       one message: its envelope, text part and HTML part
//	GET /dev/mailbox/{id}/html  the HTML part, for a sandboxed iframe, under a strict CSP
//	GET /dev/mailbox/{id}/raw   the message as received, as text
//
// The messages hold secrets (gift certificate codes, links that sign
// people in), so the handler answers only requests that come from a
// loopback address (RemoteAddr in 127.0.0.0/8 or ::1), name a loopback
// host (localhost, 127.x.x.x, [::1]: a page on another site cannot reach
// it by DNS rebinding) and passed no proxy (no Forwarded or
// X-Forwarded-For header, which is never trusted to grant access). It
// answers every other request 404, as if the page did not exist. Mount it
// at /dev/mailbox only while the dev mailbox runs.
func Mailbox(d *db.DB, log *slog.Logger) http.Handler {
	mux := newMailbox(d, log, "/dev/mailbox")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fromThisMachine(r) {
			http.NotFound(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// newMailbox serves the mailbox's pages under base, to whoever the caller
// lets through: Mailbox to this machine, the back office to signed-in
// Administrators at /admin/mailbox.
func newMailbox(d *db.DB, log *slog.Logger, base string) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &mailbox{db: d, log: log, base: base}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+base, h.list)
	mux.HandleFunc("GET "+base+"/{$}", h.list)
	mux.HandleFunc("GET "+base+"/{id}", h.message)
	mux.HandleFunc("GET "+base+"/{id}/html", h.html)
	mux.HandleFunc("GET "+base+"/{id}/raw", h.raw)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		mux.ServeHTTP(w, r)
	})
}

type mailbox struct {
	db   *db.DB
	log  *slog.Logger
	base string
}

func (h *mailbox) list(w http.ResponseWriter, r *http.Request) {
	mails, err := store.DevMails(r.Context(), h.db.Read(), mailboxLimit+1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	more := len(mails) > mailboxLimit
	if more {
		mails = mails[:mailboxLimit]
	}
	h.render(w, r, http.StatusOK, "mailbox_list", struct {
		Base  string
		Mails []store.DevMail
		More  bool
	}{h.base, mails, more})
}

func (h *mailbox) message(w http.ResponseWriter, r *http.Request) {
	m, ok := h.load(w, r)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, "mailbox_message", struct {
		Base string
		Mail store.DevMail
	}{h.base, m})
}

func (h *mailbox) html(w http.ResponseWriter, r *http.Request) {
	m, ok := h.load(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Security-Policy", partCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(m.HTML))
}

func (h *mailbox) raw(w http.ResponseWriter, r *http.Request) {
	m, ok := h.load(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Security-Policy", rawCSP)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(m.Raw)
}

// load finds the message the path names, answering 404 or 500 itself
// when it cannot.
func (h *mailbox) load(w http.ResponseWriter, r *http.Request) (store.DevMail, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		h.render(w, r, http.StatusNotFound, "mailbox_missing", struct{ Base string }{h.base})
		return store.DevMail{}, false
	}
	m, err := store.DevMailByID(r.Context(), h.db.Read(), id)
	if errors.Is(err, seam.ErrNotFound) {
		h.render(w, r, http.StatusNotFound, "mailbox_missing", struct{ Base string }{h.base})
		return m, false
	}
	if err != nil {
		h.fail(w, r, err)
		return m, false
	}
	return m, true
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500.
func (h *mailbox) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := mailboxTemplates.ExecuteTemplate(&buf, name, data); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Security-Policy", pageCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (h *mailbox) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "dev mailbox page", "path", r.URL.Path, "err", err)
	http.Error(w, "The dev mailbox could not be read; the log says why.", http.StatusInternalServerError)
}

// fromThisMachine reports whether r came from a loopback address, names a
// loopback host and passed no proxy.
func fromThisMachine(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return false
	}
	return loopbackHost(r.Host)
}

// loopbackHost reports whether a Host header names this machine:
// localhost (or a name under .localhost, which browsers resolve to
// loopback themselves) or a loopback IP, with or without a port.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
