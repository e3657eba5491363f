package gql

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/gql/exec"
	"seam/internal/gql/model"
	"seam/internal/mutant"
	"seam/internal/seam"
)

// request is the per-request state: the token, the permissions used so far
// and the dataloaders.
type request struct {
	token *auth.Token
	id    string

	mu      sync.Mutex
	used    []string
	seen    map[string]bool
	loaders *loaders
	db      *db.DB
	// codes are the plain voucher codes this request's mutations set, by
	// voucher id: the only time a code is shown.
	codes map[int64]string
	// links are the URLs (with their secrets) of the payment links this
	// request made, by link id: the only time they are shown.
	links map[int64][2]string
	// secrets are every secret this request's answer shows once (codes,
	// link hashes, webhook secrets); a kept answer holds a marker instead.
	secrets []string
	// base is Seam's public URL.
	base string
	// size estimates the bytes of the answer resolved so far; cut is set
	// once it passed MaxResponse, and stop then ends the execution.
	size atomic.Int64
	cut  atomic.Bool
	stop context.CancelCauseFunc
}

type requestKey struct{}

func withRequest(ctx context.Context, rq *request) context.Context {
	return context.WithValue(ctx, requestKey{}, rq)
}

func requestFrom(ctx context.Context) *request {
	rq, _ := ctx.Value(requestKey{}).(*request)
	if rq == nil {
		panic("gql: resolver called without request state")
	}
	return rq
}

// use records that a permission was checked, in first-use order.
func (rq *request) use(p string) {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	if !rq.seen[p] {
		rq.seen[p] = true
		rq.used = append(rq.used, p)
	}
}

func (rq *request) permissionsUsed() []string {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	return append([]string{}, rq.used...)
}

// load returns the current dataloaders.
func (rq *request) load() *loaders {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	if rq.loaders == nil {
		rq.loaders = newLoaders(rq.db.Read(), rq.token.Name)
	}
	return rq.loaders
}

// fresh drops cached loads: every mutation reads what it and the mutations
// before it wrote.
func (rq *request) fresh() {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	rq.loaders = nil
}

// showSecret remembers a secret this request's answer shows once, so that
// the answer kept for an Idempotency-Key replay holds a marker instead.
func (rq *request) showSecret(plain string) {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	rq.secrets = append(rq.secrets, plain)
}

// shownSecrets are the secrets showSecret remembered.
func (rq *request) shownSecrets() []string {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	return append([]string{}, rq.secrets...)
}

// showCode remembers a voucher code set by this request, for its payload.
func (rq *request) showCode(voucherID int64, code string) {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	rq.secrets = append(rq.secrets, code)
	if rq.codes == nil {
		rq.codes = map[int64]string{}
	}
	rq.codes[voucherID] = code
}

// showLink remembers the URL and QR code URL of a payment link made by
// this request, for its payload.
func (rq *request) showLink(id int64, url, qr string) {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	if rq.links == nil {
		rq.links = map[int64][2]string{}
	}
	rq.links[id] = [2]string{url, qr}
}

// shownLink is what showLink kept for a link.
func (rq *request) shownLink(id int64) ([2]string, bool) {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	l, ok := rq.links[id]
	return l, ok
}

// shownCode is the code this request set on a voucher, if any.
func (rq *request) shownCode(voucherID int64) (string, bool) {
	rq.mu.Lock()
	defer rq.mu.Unlock()
	c, ok := rq.codes[voucherID]
	return c, ok
}

func actor(ctx context.Context) seam.Actor { return requestFrom(ctx).token.Actor() }

func loads(ctx context.Context) *loaders { return requestFrom(ctx).load() }

// permAliases are permissions that another one also grants: Centra's old
// name for stock changes (WarehouseDelivery) is granted by StockChange:read.
var permAliases = map[string]string{"WarehouseDelivery:read": "StockChange:read"}

// permDirective implements @perm: a field whose permission the token lacks
// resolves to null with an authorization error naming the permission.
func permDirective(ctx context.Context, _ any, next graphql.Resolver, name string) (any, error) {
	rq := requestFrom(ctx)
	if mutant.On("read-grants-write") {
		name = strings.Replace(name, ":write", ":read", 1)
	}
	if !rq.token.Can(name) && !rq.token.Can(permAliases[name]) {
		field := "this field"
		if fc := graphql.GetFieldContext(ctx); fc != nil {
			field = fc.Field.Name
		}
		return nil, &gqlerror.Error{
			Message:    fmt.Sprintf("You need %s permission to access %s.", name, field),
			Path:       graphql.GetPath(ctx),
			Extensions: map[string]any{"category": "authorization", "permission": name},
		}
	}
	rq.use(name)
	return next(ctx)
}

// Config returns the gqlgen configuration of the executable schema.
func (r *Resolver) Config() exec.Config {
	return exec.Config{Resolvers: r, Directives: exec.DirectiveRoot{Perm: permDirective}}
}

// inputError is a GraphQL error about an argument, for queries, which have
// no userErrors: the message names the argument and the rule.
func inputError(ctx context.Context, arg, format string, args ...any) error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf(format, args...),
		Path:       graphql.GetPath(ctx),
		Extensions: map[string]any{"category": "validation", "argument": arg},
	}
}

// userErrors splits a domain error: input problems become userErrors, any
// other error is returned for the error presenter.
func userErrors(err error) ([]*model.UserError, error) {
	out := []*model.UserError{}
	if err == nil {
		return out, nil
	}
	ue, ok := seam.AsUserErrors(err)
	if !ok {
		return out, err
	}
	for _, u := range ue {
		out = append(out, &model.UserError{Message: u.Message, Path: pathOf(u.Path)})
	}
	return out, nil
}

func warnings(ws []seam.UserError) []*model.UserWarning {
	out := []*model.UserWarning{}
	for _, w := range ws {
		out = append(out, &model.UserWarning{Message: w.Message, Path: pathOf(w.Path)})
	}
	return out
}

func pathOf(p seam.Path) []string {
	if len(p) == 0 {
		return nil
	}
	return []string(p)
}

// presentError turns resolver errors into GraphQL errors: known kinds keep
// their message, anything else is logged and hidden behind the request id.
func (r *Resolver) presentError(ctx context.Context, err error) *gqlerror.Error {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && gqlErr.Err == nil {
		return gqlErr
	}
	out := graphql.DefaultErrorPresenter(ctx, err)
	switch {
	case errors.Is(err, seam.ErrInvalid):
		out.Extensions = map[string]any{"category": "validation"}
		return out
	case errors.Is(err, seam.ErrNotFound), errors.Is(err, seam.ErrConflict), errors.Is(err, seam.ErrForbidden):
		return out
	case errors.Is(err, errTooLarge):
		// The handler answers one error for the whole request instead.
		return out
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		out.Message = "The request was cancelled or took too long."
		return out
	}
	id := ""
	if rq, _ := ctx.Value(requestKey{}).(*request); rq != nil {
		id = rq.id
	}
	r.Log.ErrorContext(ctx, "graphql resolver failed", "err", err, "request_id", id, "path", out.Path.String())
	out.Message = "Internal error; it was logged with request id " + id + "."
	out.Extensions = map[string]any{"category": "internal", "requestId": id}
	return out
}

// recoverPanic logs a panic with the request id and answers an internal
// error.
func (r *Resolver) recoverPanic(ctx context.Context, p any) error {
	id := ""
	if rq, _ := ctx.Value(requestKey{}).(*request); rq != nil {
		id = rq.id
	}
	r.Log.ErrorContext(ctx, "graphql resolver panicked", "panic", fmt.Sprint(p), "request_id", id, "stack", string(debug.Stack()))
	return &gqlerror.Error{Message: "Internal error; it was logged with request id " + id + ".", Extensions: map[string]any{"category": "internal", "requestId": id}}
}
