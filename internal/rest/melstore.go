package rest

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/textguard"
)

// MelStorePrefix is where the mel-store API (seed 002's product payment
// links) lives.
const MelStorePrefix = "/api/mel-store"

// MelStoreOpenAPI is the mel-store API's contract, served at
// /api/mel-store/openapi.yaml and checked against the test suite's
// traffic.
//
//go:embed melstore.yaml
var MelStoreOpenAPI []byte

// MelStoreConfig is what the mel-store API needs.
type MelStoreConfig struct {
	DB  *db.DB
	Log *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Limits are the default rate limits of Integration API tokens.
	Limits auth.Limits
	// BaseURL is Seam's public URL for the payment_link it answers; ""
	// means the request's own scheme and host.
	BaseURL string
	// RequestID returns the request id the server's middleware assigned.
	RequestID func(context.Context) string
}

// MelStore serves the mel-store API: product payment links made and
// deleted with an Integration API token (Authorization: Bearer), errors as
// {"message", "errors": {field: [messages]}}.
type MelStore struct {
	cfg MelStoreConfig
	mux *http.ServeMux
}

// NewMelStore builds the mel-store API handler; mount it at
// MelStorePrefix + "/".
func NewMelStore(cfg MelStoreConfig) *MelStore {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RequestID == nil {
		cfg.RequestID = func(context.Context) string { return "" }
	}
	h := &MelStore{cfg: cfg, mux: http.NewServeMux()}
	h.routes()
	return h
}

func (h *MelStore) routes() {
	const links = MelStorePrefix + "/products/{productId}/payment-links"
	h.mux.HandleFunc("POST "+links, h.call("PaymentLink:write", createLink))
	h.mux.HandleFunc("DELETE "+links+"/{uuid}", h.call("PaymentLink:write", deleteLink))
	// Seed 002 also names the delete call without /products.
	h.mux.HandleFunc("DELETE "+MelStorePrefix+"/{productId}/payment-links/{uuid}", h.call("PaymentLink:write", deleteLink))
	h.mux.HandleFunc("GET "+MelStorePrefix+"/currencies", h.call("PaymentLink:read", currencies))
	h.mux.HandleFunc("GET "+MelStorePrefix+"/openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(MelStoreOpenAPI)
	})
	// Links never change: other methods are refused with what is allowed.
	for _, m := range []string{"GET", "PUT", "PATCH"} {
		h.mux.HandleFunc(m+" "+links, h.notAllowed("POST"))
		h.mux.HandleFunc(m+" "+links+"/{uuid}", h.notAllowed("DELETE"))
	}
	h.mux.HandleFunc("POST "+links+"/{uuid}", h.notAllowed("DELETE"))
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		h.mux.HandleFunc(m+" "+MelStorePrefix+"/currencies", h.notAllowed("GET"))
	}
	h.mux.HandleFunc(MelStorePrefix+"/", func(w http.ResponseWriter, r *http.Request) {
		// The short delete form cannot have method fallbacks of its own:
		// they would clash with the long form's patterns.
		if parts := strings.Split(strings.TrimPrefix(r.URL.Path, MelStorePrefix+"/"), "/"); len(parts) == 3 && parts[1] == "payment-links" {
			h.notAllowed("DELETE")(w, r)
			return
		}
		h.write(w, r, http.StatusNotFound, melError{Message: "No mel-store API call " + r.Method + " " + r.URL.Path + "; see " + MelStorePrefix + "/openapi.yaml."})
	})
}

// ServeHTTP answers a mel-store call; a panic becomes a logged 500.
func (h *MelStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			id := h.cfg.RequestID(r.Context())
			h.cfg.Log.ErrorContext(r.Context(), "mel-store handler panicked", "panic", p, "request_id", id, "path", MelStoreLogPath(r.URL.Path),
				"stack", string(debug.Stack()))
			h.write(w, r, http.StatusInternalServerError, melError{Message: "Internal error; it was logged with request id " + id + "."})
		}
	}()
	h.mux.ServeHTTP(w, r)
}

// melCall is one authenticated request as the endpoints see it.
type melCall struct {
	ctx   context.Context
	r     *http.Request
	w     http.ResponseWriter
	h     *MelStore
	token *auth.Token
}

// melStatus answers with a status and a body (nil: none).
type melStatus struct {
	status int
	body   any
}

// melEndpoint handles one call.
type melEndpoint func(c *melCall) (melStatus, error)

// call authenticates the bearer token, checks its permission (a write
// permission also grants read), charges its rate limits and runs e.
func (h *MelStore) call(permission string, e melEndpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if r.Method != http.MethodGet {
			// A change runs to its end even when the client goes away.
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
			defer cancel()
		}
		c := &melCall{ctx: ctx, r: r, w: w, h: h}
		if bad := textguard.Request(r, nil); bad != nil {
			h.fail(w, c, &melBad{status: http.StatusBadRequest, field: bad.Field, msg: bad.Message})
			return
		}
		plain := bearerToken(r)
		if plain == "" {
			h.fail(w, c, fmt.Errorf("no token: send Authorization: Bearer <token> (an Integration API token with %s): %w", permission, seam.ErrUnauthenticated))
			return
		}
		tok, err := auth.Authenticate(ctx, h.cfg.DB, plain, h.cfg.Limits, h.cfg.Now())
		if err != nil {
			h.fail(w, c, err)
			return
		}
		c.token = tok
		if !may(tok, permission) {
			h.fail(w, c, fmt.Errorf("this token (%s) lacks the %s permission: %w", tok.Name, permission, seam.ErrForbidden))
			return
		}
		cost := auth.Cost{Requests: 1}
		if r.Method != http.MethodGet {
			cost.Mutations = 1
		}
		if err := auth.Take(ctx, h.cfg.DB, tok, cost, h.cfg.Now()); err != nil {
			h.fail(w, c, err)
			return
		}
		out, err := e(c)
		if err != nil {
			h.fail(w, c, err)
			return
		}
		if out.body == nil {
			w.WriteHeader(out.status)
			return
		}
		h.write(w, r, out.status, out.body)
	}
}

// may reports whether a token holds permission; a write permission also
// grants reading.
func may(tok *auth.Token, permission string) bool {
	if tok.Can(permission) {
		return true
	}
	kind, ok := strings.CutSuffix(permission, ":read")
	return ok && tok.Can(kind+":write")
}

// notAllowed answers 405 with the methods a path takes.
func (h *MelStore) notAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		msg := fmt.Sprintf("%s is not allowed here; this path takes %s.", r.Method, allow)
		if r.Method == http.MethodPut || r.Method == http.MethodPatch {
			msg = "Payment links cannot be changed once made: delete the link and create a new one."
		}
		h.write(w, r, http.StatusMethodNotAllowed, melError{Message: msg})
	}
}

// bearerToken reads Authorization: Bearer <token>.
func bearerToken(r *http.Request) string {
	if scheme, t, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(t)
	}
	return ""
}

// melError is the mel-store API's error body: a sentence, and for input
// problems the messages by field ("prices.1.price").
type melError struct {
	Message string              `json:"message"`
	Errors  map[string][]string `json:"errors,omitempty"`
}

// melBad is a request the API cannot read (400) or whose input breaks a
// rule (422) on one field.
type melBad struct {
	status       int
	field, msg   string
	withoutField bool
}

func (e *melBad) Error() string { return e.msg }

// invalidField is an input problem on one field (422).
func invalidField(field, format string, args ...any) error {
	return &melBad{status: http.StatusUnprocessableEntity, field: field, msg: fmt.Sprintf(format, args...)}
}

// fail maps an error to its status and body; the one place the mel-store
// API does so.
func (h *MelStore) fail(w http.ResponseWriter, c *melCall, err error) {
	var bad *melBad
	var limited *auth.LimitedError
	status, msg := http.StatusInternalServerError, ""
	switch {
	case errors.As(err, &bad):
		body := melError{Message: bad.msg}
		if !bad.withoutField {
			body.Errors = map[string][]string{bad.field: {bad.msg}}
		}
		h.write(w, c.r, bad.status, body)
		return
	case errors.As(err, &limited):
		if limited.TooBig {
			status, msg = http.StatusBadRequest, "This request costs more than the token's rate limits allow: "+limited.Error()+"."
			break
		}
		retry := int64(limited.RetryAfter/time.Second) + 1
		w.Header().Set("Retry-After", strconv.FormatInt(retry, 10))
		status, msg = http.StatusTooManyRequests, fmt.Sprintf("Too many requests: %s.", limited.Error())
	case errors.Is(err, seam.ErrInvalid):
		ue, _ := seam.AsUserErrors(err)
		body := melError{Errors: map[string][]string{}}
		for _, u := range ue {
			key := u.Path.String()
			if key == "" {
				key = "request"
			}
			body.Errors[key] = append(body.Errors[key], u.Message)
			if body.Message == "" {
				body.Message = u.Message
			}
		}
		if len(ue) > 1 {
			body.Message += fmt.Sprintf(" (and %d more problems)", len(ue)-1)
		}
		if body.Message == "" {
			body.Message = "The request is not valid."
		}
		h.write(w, c.r, http.StatusUnprocessableEntity, body)
		return
	case errors.Is(err, seam.ErrUnauthenticated):
		status, msg = http.StatusUnauthorized, "Unauthenticated: "+trimKind(err, seam.ErrUnauthenticated)
		w.Header().Set("WWW-Authenticate", `Bearer realm="seam"`)
	case errors.Is(err, seam.ErrForbidden):
		status, msg = http.StatusForbidden, upperFirst(trimKind(err, seam.ErrForbidden))
	case errors.Is(err, seam.ErrNotFound):
		status, msg = http.StatusNotFound, upperFirst(trimKind(err, seam.ErrNotFound))
	case errors.Is(err, seam.ErrConflict):
		status, msg = http.StatusConflict, upperFirst(trimKind(err, seam.ErrConflict))
	case errors.Is(err, context.Canceled):
		status, msg = 499, "The request was cancelled."
	case errors.Is(err, seam.ErrUnavailable):
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterUnavailable))
		status, msg = http.StatusServiceUnavailable, "The database is busy; nothing was changed. Send the request again in a moment."
	default:
		id := h.cfg.RequestID(c.ctx)
		h.cfg.Log.ErrorContext(c.ctx, "mel-store request failed", "err", err, "request_id", id, "path", MelStoreLogPath(c.r.URL.Path))
		msg = "Internal error; it was logged with request id " + id + "."
	}
	h.write(w, c.r, status, melError{Message: msg})
}

func (h *MelStore) write(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		h.cfg.Log.ErrorContext(r.Context(), "mel-store answer could not be encoded", "err", err, "path", MelStoreLogPath(r.URL.Path))
		status = http.StatusInternalServerError
		b, _ = json.Marshal(melError{Message: "The answer could not be encoded; it was logged."})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// MelStoreLogPath is a mel-store or product page path as logs may show
// it: a link's uuid (which sells at its price) is cut to four characters.
func MelStoreLogPath(p string) string {
	if !strings.HasPrefix(p, MelStorePrefix+"/") {
		return p
	}
	parts := strings.Split(p, "/")
	for i := 1; i < len(parts); i++ {
		if parts[i-1] == "payment-links" && len(parts[i]) > 4 {
			parts[i] = parts[i][:4] + "…"
		}
	}
	return strings.Join(parts, "/")
}

// publicBase is Seam's public URL: configured, or the request's own.
func publicBase(configured string, r *http.Request) string {
	if configured != "" {
		return strings.TrimRight(configured, "/")
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
