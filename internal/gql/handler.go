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

	"github.com/99designs/gqlgen/complexity"
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
}

// NewHandler builds the Integration API handler.
func NewHandler(c HandlerConfig) *Handler {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	r := &Resolver{DB: c.DB, Log: c.Log, Now: c.Now, Checkout: c.Checkout, Payments: c.Payments}
	schema := costed{exec.NewExecutableSchema(r.Config())}
	e := executor.New(schema)
	e.Use(extension.Introspection{})
	e.Use(auditMutations{db: c.DB, log: c.Log})
	e.SetErrorPresenter(r.presentError)
	e.SetRecoverFunc(r.recoverPanic)
	e.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	return &Handler{db: c.DB, log: c.Log, now: c.Now, limits: c.Limits, version: c.Version, schema: schema, exec: e, baseURL: c.BaseURL,
		RequestID: func(context.Context) string { return "" }}
}

// costed makes list fields cost their limit times their children, so that
// complexity tracks the rows a query can return.
type costed struct{ graphql.ExecutableSchema }

func (c costed) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	if l, ok := args["limit"]; ok {
		n := int64(defaultLimit)
		switch v := l.(type) {
		case int64:
			n = v
		case int:
			n = int64(v)
		}
		n = max(1, min(n, maxLimit))
		return 1 + int(n)*child, true
	}
	return c.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
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
		h.log.ErrorContext(ctx, "authenticate", "err", err, "request_id", h.RequestID(ctx))
		h.fail(w, http.StatusInternalServerError, ext, "Internal error while checking the token.")
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
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

	rq := &request{token: token, id: h.RequestID(ctx), seen: map[string]bool{}, db: h.db, base: h.base(r)}
	ctx = withRequest(graphql.StartOperationTrace(ctx), rq)
	params := &graphql.RawParams{Query: in.Query, OperationName: in.OperationName, Variables: in.Variables, Extensions: in.Extensions, Headers: r.Header}
	op, errs := h.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		h.write(w, http.StatusBadRequest, response{Errors: explain(errs, in.Variables), Extensions: ext})
		return
	}
	if err := checkLists(op); err != nil {
		h.write(w, http.StatusBadRequest, response{Errors: gqlerror.List{err}, Extensions: ext})
		return
	}
	if op.Operation.Operation == ast.Subscription {
		h.fail(w, http.StatusBadRequest, ext, "Subscriptions are not supported; use the events feed.")
		return
	}
	cost := complexity.Calculate(ctx, h.schema, op.Operation, op.Variables)
	ext["complexity"] = cost
	mutations := int64(0)
	if op.Operation.Operation == ast.Mutation {
		mutations = int64(len(graphql.CollectFields(op, op.Operation.SelectionSet, nil)))
	}
	// rateLimits alone costs nothing, so that a throttled client can see
	// when it may go on.
	if !free(op) && !h.take(ctx, w, token, auth.Cost{Requests: 1, Mutations: mutations, Complexity: int64(cost)}, ext) {
		return
	}
	var idem *idempotency
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
		h.log.ErrorContext(ctx, "rate limit", "err", err, "request_id", h.RequestID(ctx))
		h.fail(w, http.StatusInternalServerError, ext, "Internal error while checking rate limits.")
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

// free reports whether a query asks only for rateLimits (and __typename).
func free(op *graphql.OperationContext) bool {
	if op.Operation.Operation != ast.Query {
		return false
	}
	for _, f := range graphql.CollectFields(op, op.Operation.SelectionSet, nil) {
		if f.Name != "rateLimits" && f.Name != "__typename" {
			return false
		}
	}
	return true
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
				if f.Definition != nil {
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
