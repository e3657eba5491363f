package admin

import (
	"net/http"
	"net/url"
	"strings"

	"seam/internal/adminuser"
	"seam/internal/seam"
)

// page is what every template gets: the layout's needs and the page's own
// Data.
type page struct {
	Title string
	// Nav names the menu entry to mark as current.
	Nav        string
	Session    *adminuser.Session
	CSRF       string
	Flash      string
	FlashBad   bool
	RequestID  string
	DevMailbox bool
	Data       any
}

// render writes a page; a template error becomes the 500 page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name, title, nav string, data any) {
	p := h.pageFor(r, title, nav, data)
	if f := r.URL.Query().Get("done"); f != "" && len(f) < 200 {
		p.Flash = f
	}
	if err := h.pages.Render(w, status, name, "", p); err != nil {
		h.fail(w, r, err)
	}
}

func (h *Handler) pageFor(r *http.Request, title, nav string, data any) page {
	p := page{Title: title, Nav: nav, RequestID: h.cfg.RequestID(r.Context()), DevMailbox: h.cfg.DevMailbox, Data: data}
	if s := sessionOf(r); s != nil {
		p.Session, p.CSRF = s, s.FormToken
	}
	return p
}

// fail logs err with the request id and answers the 500 page, which shows
// the id and nothing of the error.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	id := h.cfg.RequestID(r.Context())
	h.cfg.Log.ErrorContext(r.Context(), "admin page failed", "path", r.URL.Path, "err", err, "request_id", id)
	p := h.pageFor(r, "Something went wrong", "", nil)
	if err := h.pages.Render(w, http.StatusInternalServerError, "error_500", "", p); err != nil {
		http.Error(w, "Internal error; it was logged with request id "+id+".", http.StatusInternalServerError)
	}
}

// notFound answers the 404 page.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusNotFound, "error_404", "Not found", "", nil)
}

// forbidden answers the 403 page: the operator's role may not do this.
func (h *Handler) forbidden(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusForbidden, "error_403", "Administrators only", "", nil)
}

// redirect sends the browser on after a successful POST, with a message
// for the next page.
func redirect(w http.ResponseWriter, r *http.Request, to, done string) {
	if done != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "done=" + url.QueryEscape(done)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// fieldErrors maps a domain error's input problems to form fields by the
// last part of their path; other errors are returned.
func fieldErrors(err error, rename map[string]string) (map[string]string, error) {
	ue, ok := seam.AsUserErrors(err)
	if !ok {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range ue {
		key := e.Path.String()
		if n, ok := rename[key]; ok {
			key = n
		} else if len(e.Path) > 0 {
			key = e.Path[len(e.Path)-1]
		}
		if out[key] != "" {
			out[key] += " "
		}
		out[key] += e.Message
	}
	return out, nil
}
