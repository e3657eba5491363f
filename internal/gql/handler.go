package gql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"seam/internal/auth"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/gql/exec"
	"seam/internal/idempotency"
	"seam/internal/media"
	"seam/internal/payment"
	"seam/internal/seam"
)

// MaxBody is the largest request body accepted.
const MaxBody = 8 << 20

// Handler serves POST /graphql with Centra's transport rules: 403 for a bad
// token, 400 for a request that cannot run (bad JSON, syntax, validation),
// 429 with Retry-After when a rate limit is reached, and 200 once it ran.
// Every response carries extensions {complexity, permissionsUsed,
// appVersion}.
type Handler struct {
	db      *db.DB
	log     *slog.Logger
	now     func() time.Time
	limits  auth.Limits
	version string
	schema  graphql.ExecutableSchema
	exec    *executor.Executor
	baseURL string
	// RequestID returns the request id the server's middleware assigned.
	RequestID func(context.Context) string
	// Idempotency keeps Idempotency-Key claims; nil means one with the
	// default lease.
	Idempotency *idempotency.Keeper
}

// base is Seam's public URL: configured, or the request's own.
func (h *Handler) base(r *http.Request) string {
	if h.baseURL != "" {
		return strings.TrimRight(h.baseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// HandlerConfig configures a Handler.
type HandlerConfig struct {
	DB      *db.DB
	Log     *slog.Logger
	Now     func() time.Time
	Limits  auth.Limits
	Version string
	// BaseURL is Seam's public URL, for links it hands out; empty means
	// the request's own.
	BaseURL string
	// Checkout voids the payments of cancelled orders; nil voids none.
	Checkout *checkout.Service
	// Payments are the payment providers by name, for captures.
	Payments map[string]payment.Provider
	// Media stores product pictures; nil refuses createProductMedia.
	Media *media.Library
}

// NewHandler builds the Integration API handler.
func NewHandler(c HandlerConfig) *Handler {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	r := &Resolver{DB: c.DB, Log: c.Log, Now: c.Now, Checkout: c.Checkout, Payments: c.Payments, Media: c.Media}
	schema := exec.NewExecutableSchema(r.Config())
	e := executor.New(schema)
	e.Use(extension.Introspection{})
	e.AroundFields(bounded)
	e.Use(auditMutations{db: c.DB, log: c.Log})
	e.SetErrorPresenter(r.presentError)
	e.SetRecoverFunc(r.recoverPanic)
	e.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	return &Handler{db: c.DB, log: c.Log, now: c.Now, limits: c.Limits, version: c.Version, schema: schema, exec: e, baseURL: c.BaseURL,
		RequestID: func(context.Context) string { return "" }}
}

type body struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

type response struct {
	Data       json.RawMessage `json:"data,omitempty"`
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Extensions map[string]any  `json:"extensions"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ext := map[string]any{"complexity": 0, "permissionsUsed": []string{}, "appVersion": h.version}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.fail(w, http.StatusMethodNotAllowed, ext, "The Integration API takes POST requests with a JSON body {query, variables, operationName}.")
		return
	}
	token, err := auth.Authenticate(ctx, h.db, bearer(r), h.limits, h.now())
	if err != nil {
		if errors.Is(err, seam.ErrUnauthenticated) {
			h.fail(w, http.StatusForbidden, ext, "Access denied: "+strings.TrimSuffix(err.Error(), ": "+seam.ErrUnauthenticated.Error())+".")
			return
		}
		h.failInternal(ctx, w, ext, err, "authenticate", "Internal error while checking the token.")
		return
	}
	var up *upload
	var raw []byte
	if isMultipart(r) {
		// A browser may send a multipart form across sites with the
		// cookie and no preflight; uploads need the Authorization header.
		if r.Header.Get("Authorization") == "" {
			h.fail(w, http.StatusBadRequest, ext, "A multipart request must carry the token in the Authorization header, not the cookie.")
			return
		}
		if up, err = readUpload(w, r); err != nil {
			var ue *uploadError
			errors.As(err, &ue)
			h.fail(w, ue.status, ext, ue.msg)
			return
		}
		raw = up.operations
	} else {
		raw, err = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.fail(w, http.StatusRequestEntityTooLarge, ext, fmt.Sprintf("The request body is over %d bytes.", MaxBody))
			return
		}
		h.fail(w, http.StatusBadRequest, ext, "Could not read the request body.")
		return
	}
	var in body
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		h.fail(w, http.StatusBadRequest, ext, "The body is not valid JSON of the form {\"query\": …, \"variables\": {…}}: "+err.Error())
		return
	}
	if strings.TrimSpace(in.Query) == "" {
		h.fail(w, http.StatusBadRequest, ext, "The body has no query.")
		return
	}
	if up != nil {
		if in.Variables == nil {
			in.Variables = map[string]any{}
		}
		if err := up.place(in.Variables); err != nil {
			h.fail(w, http.StatusBadRequest, ext, err.Error())
			return
		}
		raw = up.hashed
	}
	if err := checkRequestText(r, raw, in); err != nil {
		h.write(w, http.StatusBadRequest, response{Errors: gqlerror.List{err}, Extensions: ext})
		return
	}

	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	rq := &request{token: token, id: h.RequestID(ctx), seen: map[string]bool{}, db: h.db, base: h.base(r), stop: stop}
	ctx = withRequest(graphql.StartOperationTrace(ctx), rq)
	params := &graphql.RawParams{Query: in.Query, OperationName: in.OperationName, Variables: in.Variables, Extensions: in.Extensions, Headers: r.Header}
	op, errs := h.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		h.refuse(ctx, w, token, 1, ext, explain(errs, in.Variables))
		return
	}
	if err := checkLiteralText(op.Doc); err != nil {
		h.write(w, http.StatusBadRequest, response{Errors: gqlerror.List{err}, Extensions: ext})
		return
	}
	if err := checkLists(op); err != nil {
		h.refuse(ctx, w, token, 1, ext, gqlerror.List{err})
		return
	}
	if op.Operation.Operation == ast.Subscription {
		h.refuse(ctx, w, token, 1, ext, gqlerror.List{{Message: "Subscriptions are not supported; use the events feed."}})
		return
	}
	// The cost is counted before anything else looks at the operation:
	// it is the one walk over the document that never expands a fragment.
	cost, nodes := costOf(op.Doc, op.Operation, op.Variables)
	ext["complexity"] = cost.complexity
	if err := overLimits(cost, h.maxComplexity(token)); err != nil {
		h.refuse(ctx, w, token, nodes, ext, gqlerror.List{err})
		return
	}
	if err := checkInputs(op, h.schema.Schema()); err != nil {
		h.refuse(ctx, w, token, nodes, ext, gqlerror.List{err})
		return
	}
	mutations := int64(0)
	if op.Operation.Operation == ast.Mutation {
		mutations = int64(len(graphql.CollectFields(op, op.Operation.SelectionSet, nil)))
	}
	charge := auth.Cost{Requests: 1, Mutations: mutations, Complexity: cost.complexity}
	if onlyRateLimits(op) {
		// rateLimits is charged like any query but answered even when a
		// limit is reached, so that a throttled client can see when it may
		// go on.
		_ = auth.Take(ctx, h.db, token, charge, h.now())
	} else if !h.take(ctx, w, token, charge, ext) {
		return
	}
	var idem *idempotent
	if op.Operation.Operation == ast.Mutation {
		var ok bool
		if idem, ok = h.claimKey(ctx, w, r, token, raw, ext); !ok {
			return
		}
	}
	handler, ctx := h.exec.DispatchOperation(ctx, op)
	resp := handler(ctx)
	ext["permissionsUsed"] = rq.permissionsUsed()
	out := response{Data: resp.Data, Errors: resp.Errors, Extensions: ext}
	if rq.cut.Load() {
		// What was resolved is dropped whole: half an answer would read
		// as a complete one.
		out = response{Errors: gqlerror.List{tooLarge()}, Extensions: ext}
	}
	if r.Context().Err() != nil {
		// The client left; nobody reads the answer.
		h.finish(ctx, idem, http.StatusOK, out)
		return
	}
	h.finish(ctx, idem, http.StatusOK, out)
	h.write(w, http.StatusOK, out)
}

// take charges a request to the token's rate limits, or answers 429 (or
// 400 for a request no quota can fit) and reports false.
func (h *Handler) take(ctx context.Context, w http.ResponseWriter, token *auth.Token, cost auth.Cost, ext map[string]any) bool {
	err := auth.Take(ctx, h.db, token, cost, h.now())
	if err == nil {
		return true
	}
	var limited *auth.LimitedError
	switch {
	case !errors.As(err, &limited):
		h.failInternal(ctx, w, ext, err, "rate limit", "Internal error while checking rate limits.")
	case limited.TooBig:
		h.fail(w, http.StatusBadRequest, ext, "The request is too expensive to ever run: "+limited.Error()+". Ask for fewer rows (limit) or split it.")
	default:
		// An HTTP date has whole seconds: round up so that a retry at the
		// time given finds room.
		retry := h.now().Add(limited.RetryAfter).Truncate(time.Second).Add(time.Second)
		w.Header().Set("Retry-After", retry.UTC().Format(http.TimeFormat))
		ext["retryAfterSeconds"] = int(limited.RetryAfter.Seconds() + 0.999)
		h.fail(w, http.StatusTooManyRequests, ext, "Rate limit reached: "+limited.Error()+".")
	}
	return false
}

// refuse answers 400 to a request that cannot run, after charging it to
// the token's limits (one request and the selections read, so that refused
// requests cannot be sent for free); a token out of quota gets 429.
func (h *Handler) refuse(ctx context.Context, w http.ResponseWriter, token *auth.Token, nodes int64, ext map[string]any, errs gqlerror.List) {
	if !h.take(ctx, w, token, auth.Cost{Requests: 1, Complexity: max(1, nodes)}, ext) {
		return
	}
	h.write(w, http.StatusBadRequest, response{Errors: errs, Extensions: ext})
}

// maxComplexity is the most one request of the token may cost: its
// complexity quota per 10 s, and never more than MaxComplexity.
func (h *Handler) maxComplexity(token *auth.Token) int64 {
	if q := token.Limits.Complexity10s; q > 0 && q < MaxComplexity {
		return q
	}
	return MaxComplexity
}

// bearer returns the token from Authorization: Bearer (the scheme in any
// case) or else from the graphql-access cookie.
func bearer(r *http.Request) string {
	if scheme, t, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(t)
	}
	if c, err := r.Cookie("graphql-access"); err == nil {
		return c.Value
	}
	return ""
}

// onlyRateLimits reports whether a query asks for rateLimits and nothing
// else but __typename, without fragments.
func onlyRateLimits(op *graphql.OperationContext) bool {
	if op.Operation.Operation != ast.Query {
		return false
	}
	seen := false
	for _, sel := range op.Operation.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok || (f.Name != "rateLimits" && f.Name != "__typename") {
			return false
		}
		seen = seen || f.Name == "rateLimits"
	}
	return seen
}

func (h *Handler) fail(w http.ResponseWriter, status int, ext map[string]any, msg string) {
	h.write(w, status, response{Errors: gqlerror.List{{Message: msg}}, Extensions: ext})
}

func (h *Handler) write(w http.ResponseWriter, status int, resp response) {
	b, err := json.Marshal(resp)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"message":"Internal error: the response could not be encoded."}]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// explain fixes the messages gqlparser gives for a variable of the wrong
// type ("cannot use value 0 as Int" whatever the value was, "cannot use
// string as Int" for a number inside an input object) by quoting the value
// the client sent and naming the variable's field.
func explain(errs gqlerror.List, vars map[string]any) gqlerror.List {
	for _, e := range errs {
		if !strings.HasPrefix(e.Message, "cannot use ") || len(e.Path) < 2 || e.Path[0] != ast.PathName("variable") {
			continue
		}
		var v any = vars
		name := ""
		for _, el := range e.Path[1:] {
			switch k := el.(type) {
			case ast.PathName:
				m, _ := v.(map[string]any)
				v = m[string(k)]
				name += "." + string(k)
			case ast.PathIndex:
				l, _ := v.([]any)
				if int(k) < len(l) {
					v = l[k]
				}
				name += fmt.Sprintf("[%d]", int(k))
			}
		}
		typ := e.Message[strings.LastIndex(e.Message, " ")+1:]
		raw, _ := json.Marshal(v)
		e.Message = fmt.Sprintf("Variable $%s: %s is not a valid %s.", strings.TrimPrefix(name, "."), raw, typ)
	}
	return errs
}

// MaxListItems bounds the items of all lists in a request's input together,
// literal or variable, so that no request can exceed what either engine
// binds in one statement (SQLite 32,766 parameters).
const MaxListItems = 10_000

// checkLists refuses a request whose input lists hold more than
// MaxListItems items in all.
func checkLists(op *graphql.OperationContext) *gqlerror.Error {
	n := 0
	for _, v := range op.Variables {
		n += listItems(v)
	}
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch f := sel.(type) {
			case *ast.Field:
				for _, a := range f.Arguments {
					n += literalItems(a.Value)
				}
				walk(f.SelectionSet)
			case *ast.InlineFragment:
				walk(f.SelectionSet)
			case *ast.FragmentSpread:
				// Each fragment counts once, however often it is spread:
				// expanding spreads would be exponential in the document.
				if f.Definition != nil && !seen[f.Name] {
					seen[f.Name] = true
					walk(f.Definition.SelectionSet)
				}
			}
		}
	}
	walk(op.Operation.SelectionSet)
	if n > MaxListItems {
		return gqlerror.Errorf("The request's input lists hold %d items in all; at most %d are allowed, so send them in several requests.", n, MaxListItems)
	}
	return nil
}

// listItems counts the items of every list in a decoded JSON value.
func listItems(v any) int {
	n := 0
	switch x := v.(type) {
	case []any:
		n = len(x)
		for _, e := range x {
			n += listItems(e)
		}
	case map[string]any:
		for _, e := range x {
			n += listItems(e)
		}
	}
	return n
}

// literalItems counts the items of every list literal in a value.
func literalItems(v *ast.Value) int {
	if v == nil {
		return 0
	}
	n := 0
	if v.Kind == ast.ListValue {
		n = len(v.Children)
	}
	for _, c := range v.Children {
		n += literalItems(c.Value)
	}
	return n
}
