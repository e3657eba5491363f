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
	"seam/internal/db"
	"seam/internal/gql/exec"
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
	// RequestID returns the request id the server's middleware assigned.
	RequestID func(context.Context) string
}

// HandlerConfig configures a Handler.
type HandlerConfig struct {
	DB      *db.DB
	Log     *slog.Logger
	Now     func() time.Time
	Limits  auth.Limits
	Version string
}

// NewHandler builds the Integration API handler.
func NewHandler(c HandlerConfig) *Handler {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	r := &Resolver{DB: c.DB, Log: c.Log, Now: c.Now}
	schema := costed{exec.NewExecutableSchema(r.Config())}
	e := executor.New(schema)
	e.Use(extension.Introspection{})
	e.SetErrorPresenter(r.presentError)
	e.SetRecoverFunc(r.recoverPanic)
	e.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	return &Handler{db: c.DB, log: c.Log, now: c.Now, limits: c.Limits, version: c.Version, schema: schema, exec: e,
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

	rq := &request{token: token, id: h.RequestID(ctx), seen: map[string]bool{}, db: h.db}
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
	if err := auth.Take(ctx, h.db, token, auth.Cost{Requests: 1, Mutations: mutations, Complexity: int64(cost)}, h.now()); err != nil {
		var limited *auth.LimitedError
		if !errors.As(err, &limited) {
			h.log.ErrorContext(ctx, "rate limit", "err", err, "request_id", rq.id)
			h.fail(w, http.StatusInternalServerError, ext, "Internal error while checking rate limits.")
			return
		}
		if limited.TooBig {
			h.fail(w, http.StatusBadRequest, ext, "The request is too expensive to ever run: "+limited.Error()+". Ask for fewer rows (limit) or split it.")
			return
		}
		retry := h.now().Add(limited.RetryAfter)
		w.Header().Set("Retry-After", retry.UTC().Format(http.TimeFormat))
		ext["retryAfterSeconds"] = int(limited.RetryAfter.Seconds())
		h.fail(w, http.StatusTooManyRequests, ext, "Rate limit reached: "+limited.Error()+".")
		return
	}
	handler, ctx := h.exec.DispatchOperation(ctx, op)
	resp := handler(ctx)
	ext["permissionsUsed"] = rq.permissionsUsed()
	h.write(w, http.StatusOK, response{Data: resp.Data, Errors: resp.Errors, Extensions: ext})
}

// bearer returns the token from Authorization: Bearer or the graphql-access
// cookie.
func bearer(r *http.Request) string {
	if v := r.Header.Get("Authorization"); v != "" {
		if t, ok := strings.CutPrefix(v, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		if t, ok := strings.CutPrefix(v, "bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	if c, err := r.Cookie("graphql-access"); err == nil {
		return c.Value
	}
	return ""
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

// MaxListItems bounds every list in a request's input, literal or variable,
// so that no input can exceed what the database binds in one statement.
const MaxListItems = 10_000

// checkLists refuses a request with an input list longer than MaxListItems.
func checkLists(op *graphql.OperationContext) *gqlerror.Error {
	for name, v := range op.Variables {
		if n := longestList(v); n > MaxListItems {
			return gqlerror.Errorf("Variable $%s holds a list of %d items; lists may hold at most %d, so send them in several requests.", name, n, MaxListItems)
		}
	}
	var walk func(ast.SelectionSet) *gqlerror.Error
	walk = func(set ast.SelectionSet) *gqlerror.Error {
		for _, sel := range set {
			switch f := sel.(type) {
			case *ast.Field:
				for _, a := range f.Arguments {
					if n := literalList(a.Value); n > MaxListItems {
						return gqlerror.ErrorLocf(a.Position.Src.Name, a.Position.Line, a.Position.Column,
							"Argument %s of %s holds a list of %d items; lists may hold at most %d, so send them in several requests.", a.Name, f.Name, n, MaxListItems)
					}
				}
				if err := walk(f.SelectionSet); err != nil {
					return err
				}
			case *ast.InlineFragment:
				if err := walk(f.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				if f.Definition != nil {
					if err := walk(f.Definition.SelectionSet); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	return walk(op.Operation.SelectionSet)
}

// longestList is the length of the longest list in a decoded JSON value.
func longestList(v any) int {
	n := 0
	switch x := v.(type) {
	case []any:
		n = len(x)
		for _, e := range x {
			n = max(n, longestList(e))
		}
	case map[string]any:
		for _, e := range x {
			n = max(n, longestList(e))
		}
	}
	return n
}

// literalList is the length of the longest list literal in a value.
func literalList(v *ast.Value) int {
	if v == nil {
		return 0
	}
	n := 0
	if v.Kind == ast.ListValue {
		n = len(v.Children)
	}
	for _, c := range v.Children {
		n = max(n, literalList(c.Value))
	}
	return n
}
