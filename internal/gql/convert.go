package gql

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"seam/internal/checkout"
	"seam/internal/gql/model"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
	"strconv"
	"strings"

	"github.com/vikstrous/dataloadgen"
)

// sumStock adds up the stock of a product size over warehouses.
func sumStock(productSizeID int64, levels []store.StockLevel) *model.ProductSizeStock {
	s := &model.ProductSizeStock{ProductSizeID: productSizeID, Warehouses: []model.WarehouseStock{}}
	for _, l := range levels {
		s.PhysicalQuantity += l.Physical
		s.AllocatedQuantity += l.Allocated
		s.FreeToAllocateQuantity += l.FreeToAllocate()
		s.Warehouses = append(s.Warehouses, warehouseStock(l))
	}
	return s
}

// warehouseStock converts a stock row for the API.
func warehouseStock(l store.StockLevel) model.WarehouseStock {
	return model.WarehouseStock{WarehouseID: l.WarehouseID, ProductSizeID: l.ProductSizeID, PhysicalQuantity: l.Physical,
		AllocatedQuantity: l.Allocated, FreeToAllocateQuantity: l.FreeToAllocate()}
}

// minor wraps optional minor units as money.
func minor(v *int64, currency string) *model.Money {
	if v == nil {
		return nil
	}
	return &model.Money{A: money.New(*v, currency)}
}

// variantOf loads the variant of a price row; 0 is the product's price.
func variantOf(ctx context.Context, id int64) (*store.Variant, error) {
	if id == 0 {
		return nil, nil
	}
	return one(ctx, loads(ctx).variant, id)
}

// values dereferences the input list gqlgen hands over.
func values[T any](in []*T) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = *v
	}
	return out
}

// stockChangeFilter converts the stock change filter.
func stockChangeFilter(where *model.StockChangeFilter) store.StockChangeFilter {
	var f store.StockChangeFilter
	if where != nil {
		f.IDs, f.WarehouseIDs = where.ID, where.WarehouseID
		if where.CreatedAt != nil {
			f.CreatedFrom, f.CreatedTo = where.CreatedAt.From, where.CreatedAt.To
		}
	}
	return f
}

// encodeCursor makes the opaque cursor of a row: base64 of "id:<id>".
func encodeCursor(id int64) string {
	return base64.StdEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id, 10)))
}

// cursor decodes an after/before argument.
func cursor(ctx context.Context, arg string, c *string) (*int64, error) {
	if c == nil {
		return nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(*c)
	rest, ok := strings.CutPrefix(string(raw), "id:")
	id, perr := strconv.ParseInt(rest, 10, 64)
	if err != nil || !ok || perr != nil {
		return nil, inputError(ctx, arg, "%s is not a cursor this connection gave out.", arg)
	}
	return &id, nil
}

// nonEmpty is nil for "", for optional text fields.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ignoreNotFound turns a missing row into no error.
func ignoreNotFound(err error) error {
	if errors.Is(err, seam.ErrNotFound) {
		return nil
	}
	return err
}

// lineMoney is an amount of an order line, in its order's currency.
func lineMoney(ctx context.Context, l *store.OrderLine, v int64) (*model.Money, error) {
	o, err := loads(ctx).order.Load(ctx, l.OrderID)
	if err != nil {
		return nil, fmt.Errorf("order of line %d: %w", l.ID, err)
	}
	return &model.Money{A: money.New(v, o.Currency)}, nil
}

// foundSelection loads a selection the caller named or just made.
func foundSelection(ctx context.Context, id string) (*store.Selection, error) {
	sel, err := loads(ctx).selection.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &sel, nil
}

// lineVariant is the variant a selection line sells.
func lineVariant(ctx context.Context, l *store.SelectionLine) (*store.Variant, error) {
	ps, err := maybe(ctx, loads(ctx).productSize, &l.ProductSizeID)
	if ps == nil || err != nil {
		return nil, err
	}
	return maybe(ctx, loads(ctx).variant, &ps.ProductVariantID)
}

// viewLine is a selection line as the selection's buyer would be charged.
func viewLine(ctx context.Context, l *store.SelectionLine) (checkout.Line, error) {
	v, err := loads(ctx).selView.Load(ctx, l.SelectionID)
	if err != nil {
		return checkout.Line{}, err
	}
	for _, x := range v.Lines {
		if x.Line.Line == l.Line {
			return x, nil
		}
	}
	return checkout.Line{}, fmt.Errorf("line %s of selection %s is not priced", l.Line, l.SelectionID)
}

// checkoutPrefix is where the Checkout API lives (rest.Prefix), for the
// payment link QR code URLs handed out here.
const checkoutPrefix = "/api/checkout"
