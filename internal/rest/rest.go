// Package rest is the Checkout API adapter: REST/JSON handlers under
// /api/checkout/ that storefronts call, thin over the checkout domain.
// Every cart call answers the selection envelope; errors answer
// {"token", "errors": {field: message}} with one mapping from error kinds
// to status codes (writeError).
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/idempotency"
	"seam/internal/media"
	"seam/internal/mutant"
	"seam/internal/payment"
	"seam/internal/seam"
	"seam/internal/textguard"
)

// Prefix is where the Checkout API lives.
const Prefix = "/api/checkout"

// MaxBody is the largest request body accepted.
const MaxBody = 1 << 20

// Handler serves the Checkout API.
type Handler struct {
	svc *checkout.Service
	db  *db.DB
	log *slog.Logger
	// BaseURL is Seam's public URL ("" means the request's own scheme and
	// host), for pages Seam serves itself (the test payment page).
	BaseURL string
	// Test is the test payment provider, whose page this handler serves.
	Test *payment.Test
	// RequestID returns the request id the server's middleware assigned.
	RequestID func(context.Context) string
	// Idempotency keeps Idempotency-Key claims; nil means one with the
	// default lease.
	Idempotency *idempotency.Keeper
	// ClientIPHeader names the header a trusted proxy puts the client's
	// address in (X-Forwarded-For, X-Real-IP); "" uses the connection's
	// address. Code attempts are limited per client address.
	ClientIPHeader string
	mux            *http.ServeMux
}

// New builds the Checkout API handler.
func New(svc *checkout.Service, log *slog.Logger, test *payment.Test) *Handler {
	h := &Handler{svc: svc, db: svc.DB, log: log, Test: test, RequestID: func(context.Context) string { return "" }, mux: http.NewServeMux()}
	h.routes()
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			id := h.RequestID(r.Context())
			h.log.ErrorContext(r.Context(), "checkout handler panicked", "panic", p, "request_id", id, "path", LogPath(r.URL.Path),
				"stack", string(debug.Stack()))
			h.writeJSON(w, r, http.StatusInternalServerError, errorBody(nil, "internal", "Internal error; it was logged with request id "+id+"."))
		}
	}()
	h.mux.ServeHTTP(w, r)
}

// call is one request as handlers see it.
type call struct {
	ctx       context.Context
	r         *http.Request
	caller    checkout.Caller
	selection string
	h         *Handler
	body      []byte
}

// action handles one endpoint; it returns what to answer (nil: the
// selection envelope).
type action func(c *call) (any, error)

// route registers pattern under the prefix; with both, also the server
// form /selections/{selection}<path>.
func (h *Handler) route(method, path string, both bool, needsSelection bool, a action) {
	h.mux.HandleFunc(method+" "+Prefix+path, h.wrap(a, needsSelection, false))
	if both {
		h.mux.HandleFunc(method+" "+Prefix+"/selections/{selection}"+path, h.wrap(a, needsSelection, true))
	}
}

// RetryAfterUnavailable is the Retry-After (seconds) of a 503 answered
// when the database could not be had in time.
const RetryAfterUnavailable = 2

// writeTimeout bounds a call that changes something. Such a call runs to
// its end even when the client goes away, so that a payment, a reservation
// and an Idempotency-Key never stay half done.
const writeTimeout = time.Minute

func (h *Handler) wrap(a action, needsSelection, serverForm bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if r.Method != http.MethodGet {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
			defer cancel()
		}
		c, ok := h.begin(w, r, ctx)
		if !ok {
			return
		}
		var err error
		token, bearer := sessionToken(r), serverSecret(r)
		needSession := !serverForm || token != ""
		if c.caller, err = h.svc.Authenticate(c.ctx, token, bearer, needSession && token != "none"); err != nil {
			h.writeError(w, c, err)
			return
		}
		if needsSelection {
			if c.selection, err = h.svc.SelectionFor(c.ctx, c.caller, r.PathValue("selection")); err != nil {
				h.writeError(w, c, err)
				return
			}
		}
		if r.Method != http.MethodGet && r.Header.Get("Idempotency-Key") != "" {
			h.idempotent(w, c, a)
			return
		}
		status, out, err := c.run(a)
		if err != nil {
			h.writeError(w, c, err)
			return
		}
		h.writeJSON(w, r, status, out)
	}
}

// begin starts a call: the media base URL in its context, its body read
// (at most MaxBody) and its text checked (no NUL, UTF-8 only). It has
// answered when it returns false.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request, ctx context.Context) (*call, bool) {
	ctx = media.WithBaseURL(ctx, publicBase(h.BaseURL, r))
	c := &call{ctx: ctx, r: r, h: h}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.writeJSON(w, r, http.StatusRequestEntityTooLarge, errorBody(nil, "body", fmt.Sprintf("The request body is over %d bytes.", MaxBody)))
			return nil, false
		}
		h.writeJSON(w, r, http.StatusBadRequest, errorBody(nil, "body", "Could not read the request body."))
		return nil, false
	}
	c.body = body
	if bad := textguard.Request(r, body); bad != nil {
		h.writeJSON(w, r, http.StatusBadRequest, errorBody(nil, bad.Field, bad.Message))
		return nil, false
	}
	return c, true
}

// read registers a call that only reads: it writes no session (the caller
// still gets a token, stored by its first write) and prices for the
// session's selection when there is one, else for the store's default
// country.
func (h *Handler) read(method, path string, a action) {
	h.mux.HandleFunc(method+" "+Prefix+path, func(w http.ResponseWriter, r *http.Request) {
		c, ok := h.begin(w, r, r.Context())
		if !ok {
			return
		}
		var err error
		if c.caller, err = h.svc.AuthenticateRead(c.ctx, sessionToken(r), serverSecret(r)); err != nil {
			h.writeError(w, c, err)
			return
		}
		if c.caller.Session != nil && c.caller.Session.SelectionID != nil {
			c.selection = *c.caller.Session.SelectionID
		}
		status, out, err := c.run(a)
		if err != nil {
			h.writeError(w, c, err)
			return
		}
		h.writeJSON(w, r, status, out)
	})
}

// run calls the action and builds the answer: the selection envelope when
// the action returns nil.
func (c *call) run(a action) (int, any, error) {
	out, err := a(c)
	if err != nil {
		return 0, nil, err
	}
	if out == nil {
		env, err := c.envelope()
		return http.StatusOK, env, err
	}
	if s, ok := out.(statusBody); ok {
		return s.status, s.body, nil
	}
	return http.StatusOK, out, nil
}

// statusBody answers with another status than 200.
type statusBody struct {
	status int
	body   any
}

// envelope is the selection envelope of the call's selection.
func (c *call) envelope() (envelope, error) {
	env := envelope{Token: c.token(), PaymentMethods: []paymentJSON{}, ShippingMethods: []shippingJSON{}}
	if c.selection == "" {
		return env, nil
	}
	v, err := c.h.svc.View(c.ctx, c.selection)
	if err != nil {
		return env, err
	}
	env.Selection, env.Location, env.PaymentMethods, env.ShippingMethods = selectionOf(v, c.caller.Token)
	env.PaymentFields, env.LoggedIn = paymentFieldsOf(v), json.RawMessage("null")
	if env.Countries, err = c.countryList(); err != nil {
		return env, err
	}
	if env.Languages, err = c.languageList(); err != nil {
		return env, err
	}
	return env, nil
}

func (c *call) token() *string {
	if c.caller.Token == "" {
		return nil
	}
	return &c.caller.Token
}

// decode reads the JSON body into v; an empty body leaves v as it is.
func (c *call) decode(v any) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &badRequest{field: te.Field, msg: fmt.Sprintf("%s must be %s, got %s.", te.Field, wanted(te.Type), te.Value)}
		}
		return &badRequest{field: "body", msg: "The body is not valid JSON for this call: " + err.Error()}
	}
	return nil
}

// badRequest is a malformed request (400).
type badRequest struct{ field, msg string }

func (e *badRequest) Error() string { return e.msg }

// pathInt reads a positive integer path value.
func (c *call) pathInt(name string) (int64, error) {
	n, err := strconv.ParseInt(c.r.PathValue(name), 10, 64)
	if err != nil || n < 1 {
		return 0, &badRequest{field: name, msg: fmt.Sprintf("%s must be a positive whole number, got %q.", name, c.r.PathValue(name))}
	}
	return n, nil
}

// quantity reads the {quantity} path value: 1 to 10,000.
func (c *call) quantity() (int64, error) {
	n, err := strconv.ParseInt(c.r.PathValue("quantity"), 10, 64)
	if err != nil || n < 1 || n > checkout.MaxQuantity+mutant.Int("quantity-over-limit", 1) {
		return 0, &badRequest{field: "quantity", msg: fmt.Sprintf("A quantity is a whole number from 1 to %d, got %q.", checkout.MaxQuantity, c.r.PathValue("quantity"))}
	}
	return n, nil
}

// sessionToken reads the shopper's token from API-Token, or from the Accept
// header's api-token parameter (which avoids a CORS preflight).
func sessionToken(r *http.Request) string {
	if t := strings.TrimSpace(r.Header.Get("API-Token")); t != "" {
		return t
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ";") {
		if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok && strings.EqualFold(k, "api-token") {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// serverSecret reads the shared secret from Authorization: Bearer or
// API-Authorization.
func serverSecret(r *http.Request) string {
	for _, h := range []string{"Authorization", "API-Authorization"} {
		if scheme, t, ok := strings.Cut(r.Header.Get(h), " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(t)
		}
	}
	return ""
}

func errorBody(token *string, field, msg string) envelope {
	return envelope{Token: token, Errors: map[string]string{field: msg}, PaymentMethods: []paymentJSON{}, ShippingMethods: []shippingJSON{}}
}

// writeError maps an error to its status and body; the one place the
// Checkout API does so.
func (h *Handler) writeError(w http.ResponseWriter, c *call, err error) {
	tok := c.token()
	var bad *badRequest
	var soldOut *checkout.SoldOutError
	var declined *checkout.PaymentFailedError
	var limited *checkout.RateLimitedError
	status, field, msg := http.StatusInternalServerError, "internal", ""
	switch {
	case errors.As(err, &soldOut):
		env, envErr := c.envelope()
		if envErr != nil {
			env = errorBody(tok, "stock", "")
		}
		env.Errors = map[string]string{"stock": "Some items are not in stock in the quantity asked for; nothing was reserved."}
		for _, u := range soldOut.Lines {
			env.Unavailable = append(env.Unavailable, unavailJSON{Item: u.Item, Line: u.Line, Product: u.Product,
				OriginalQuantity: u.OriginalQuantity, Unavailable: u.Unavailable, Available: u.Available})
		}
		h.writeJSON(w, c.r, http.StatusGone, env)
		return
	case errors.As(err, &bad):
		status, field, msg = http.StatusBadRequest, bad.field, bad.msg
	case errors.As(err, &declined):
		status, field, msg = http.StatusPaymentRequired, "paymentMethod", declined.Message
	case errors.Is(err, seam.ErrInvalid):
		ue, _ := seam.AsUserErrors(err)
		errs := map[string]string{}
		for _, u := range ue {
			key := u.Path.String()
			if key == "" {
				key = "request"
			}
			errs[key] = u.Message
		}
		if len(errs) == 0 {
			errs["request"] = err.Error()
		}
		h.writeJSON(w, c.r, http.StatusBadRequest, envelope{Token: tok, Errors: errs, PaymentMethods: []paymentJSON{}, ShippingMethods: []shippingJSON{}})
		return
	case errors.As(err, &limited):
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(limited.RetryAfter.Seconds()))))
		status, field, msg = http.StatusTooManyRequests, "rateLimit", upperFirst(limited.Error())
	case errors.Is(err, seam.ErrGone):
		status, field, msg = http.StatusGone, "paymentLink", trimKind(err, seam.ErrGone)
	case errors.Is(err, seam.ErrNotFound):
		status, field, msg = http.StatusNotFound, "notFound", trimKind(err, seam.ErrNotFound)
	case errors.Is(err, seam.ErrConflict):
		status, field, msg = http.StatusConflict, "selection", trimKind(err, seam.ErrConflict)
	case errors.Is(err, seam.ErrForbidden):
		status, field, msg = http.StatusForbidden, "authorization", trimKind(err, seam.ErrForbidden)
	case errors.Is(err, seam.ErrUnauthenticated):
		status, field, msg = http.StatusUnauthorized, "authorization", trimKind(err, seam.ErrUnauthenticated)
	case errors.Is(err, context.Canceled):
		status, field, msg = 499, "request", "The request was cancelled."
	case errors.Is(err, seam.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		// The database (or the call's own deadline) could not be had in time; nothing was changed (a
		// payment gives its reservation back before this answer).
		h.log.WarnContext(c.ctx, "checkout request: database unavailable", "err", err, "request_id", h.RequestID(c.ctx), "path", LogPath(c.r.URL.Path))
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterUnavailable))
		status, field, msg = http.StatusServiceUnavailable, "database", "The database is busy; nothing was changed. Send the request again in a moment."
	default:
		id := h.RequestID(c.ctx)
		h.log.ErrorContext(c.ctx, "checkout request failed", "err", err, "request_id", id, "path", LogPath(c.r.URL.Path))
		msg = "Internal error; it was logged with request id " + id + "."
	}
	h.writeJSON(w, c.r, status, errorBody(tok, field, upperFirst(msg)))
}

// trimKind drops the kind's text from the end of an error message.
func trimKind(err, kind error) string {
	return strings.TrimSuffix(err.Error(), ": "+kind.Error()) + "."
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var b []byte
	var err error
	if _, pretty := r.URL.Query()["pretty"]; pretty {
		b, err = json.MarshalIndent(v, "", "  ")
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		h.log.ErrorContext(r.Context(), "checkout answer could not be encoded", "err", err, "path", LogPath(r.URL.Path))
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody(nil, "internal", "The answer could not be encoded; it was logged."))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// LogPath is a request path as logs may show it: selection ids (which act
// as the right to a selection) are cut to their first characters, voucher
// codes and payment link secrets hidden (and product link uuids cut).
func LogPath(p string) string {
	if strings.HasPrefix(p, MelStorePrefix+"/") {
		return MelStoreLogPath(p)
	}
	if !strings.HasPrefix(p, Prefix+"/") {
		return p
	}
	parts := strings.Split(p, "/")
	for i := 1; i < len(parts); i++ {
		switch parts[i-1] {
		case "selections":
			if len(parts[i]) > 6 {
				parts[i] = parts[i][:6] + "…"
			}
		case "payment-links":
			// /payment-links/{selection}/{hash}: the hash is the secret.
			if len(parts[i]) > 6 {
				parts[i] = parts[i][:6] + "…"
			}
			if i+1 < len(parts) && parts[i+1] != "" {
				parts[i+1] = "…"
				i++
			}
		case "vouchers":
			if parts[i] != "" {
				parts[i] = "…"
			}
		}
	}
	return strings.Join(parts, "/")
}
