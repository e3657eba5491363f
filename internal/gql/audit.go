package gql

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"unicode"

	"github.com/99designs/gqlgen/graphql"

	"seam/internal/db"
	"seam/internal/store"
)

// auditMutations writes an audit log row (the back office's "Audit log",
// seed 001's "API Logs") after every Integration API mutation that
// succeeded: who (the token's name), which mutation, the object type its
// name says and the id of the object its payload returns. It never
// records inputs or payload values, so no secret (a voucher code, a link
// hash) reaches the log.
type auditMutations struct {
	db  *db.DB
	log *slog.Logger
}

func (auditMutations) ExtensionName() string                   { return "AuditMutations" }
func (auditMutations) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptField records root mutation fields whose payload has no
// userErrors.
func (a auditMutations) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	fc := graphql.GetFieldContext(ctx)
	if err != nil || fc == nil || fc.Object != "Mutation" || fc.Field.Field == nil {
		return res, err
	}
	v := reflect.Indirect(reflect.ValueOf(res))
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return res, err
	}
	if ue := v.FieldByName("UserErrors"); ue.IsValid() && ue.Kind() == reflect.Slice && ue.Len() > 0 {
		return res, err
	}
	name := fc.Field.Name
	row := store.Audit{Actor: actor(ctx).Name, Action: "API", ObjectType: objectOf(name), ObjectID: payloadID(v), CreatedAt: db.Now()}
	summary := name + " through the Integration API"
	row.Detail = &summary
	if werr := a.db.Tx(ctx, func(tx *db.Tx) error { return store.InsertAudit(ctx, tx, row) }); werr != nil {
		a.log.WarnContext(ctx, "audit of a mutation not written", "mutation", name, "err", werr)
	}
	return res, err
}

// objectOf names a mutation's object type: createProduct → Product,
// setOrdersLock → OrdersLock.
func objectOf(mutation string) string {
	for i, r := range mutation {
		if unicode.IsUpper(r) {
			return mutation[i:]
		}
	}
	return mutation
}

// payloadID is the id of the first object a payload returns, or "".
func payloadID(v reflect.Value) string {
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Pointer || f.IsNil() || f.Elem().Kind() != reflect.Struct {
			continue
		}
		if id := f.Elem().FieldByName("ID"); id.IsValid() && id.CanInterface() {
			switch id.Kind() {
			case reflect.Int, reflect.Int64, reflect.String:
				return fmt.Sprint(id.Interface())
			}
		}
	}
	return ""
}
