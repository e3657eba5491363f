package gql

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// MaxResponse caps the JSON answer of one request: an answer that would be
// larger is not built; the request answers one error instead.
const MaxResponse = 32 << 20

// errTooLarge stops the execution of an answer over MaxResponse.
var errTooLarge = errors.New("the answer is over the response size cap")

func tooLarge() *gqlerror.Error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf("The answer would be over %d MiB, so it was not built. Ask for fewer rows (limit) or fewer fields.", MaxResponse>>20),
		Extensions: map[string]any{"code": "RESPONSE_TOO_LARGE", "maxBytes": MaxResponse},
	}
}

// bounded is the field middleware of every field: it resolves nothing once
// the request's context is done (the client left, or the answer grew past
// MaxResponse), and adds what each field adds to the answer to the
// request's running estimate.
func bounded(ctx context.Context, next graphql.Resolver) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := next(ctx)
	rq, _ := ctx.Value(requestKey{}).(*request)
	if rq == nil || err != nil {
		return res, err
	}
	n := int64(8)
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		n += int64(len(fc.Field.Alias))
	}
	n += sizeOf(res)
	if rq.size.Add(n) > MaxResponse && rq.cut.CompareAndSwap(false, true) {
		rq.stop(errTooLarge)
	}
	if rq.cut.Load() {
		return nil, errTooLarge
	}
	return res, nil
}

// sizeOf estimates the bytes a resolved value writes, not counting its
// fields, which are counted as they resolve: text by its length, lists by
// their items' separators and text.
func sizeOf(v any) int64 {
	switch x := v.(type) {
	case nil:
		return 4
	case string:
		return int64(len(x)) + 2
	case *string:
		if x == nil {
			return 4
		}
		return int64(len(*x)) + 2
	case []string:
		n := int64(2)
		for _, s := range x {
			n += int64(len(s)) + 3
		}
		return n
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		n := int64(2) + int64(rv.Len())
		if rv.Type().Elem().Kind() == reflect.String {
			for i := range rv.Len() {
				n += int64(rv.Index(i).Len()) + 2
			}
		}
		return n
	}
	return 8
}
