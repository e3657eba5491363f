// Package model holds the Go types of the Integration API that are not
// domain types: money and time on the wire, and the models gqlgen generates
// (models_gen.go, never edited by hand).
package model

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

// Money is a MonetaryValue.
type Money struct {
	A money.Amount
}

// MoneyOf wraps an amount; nil stays nil.
func MoneyOf(a *money.Amount) *Money {
	if a == nil {
		return nil
	}
	return &Money{A: *a}
}

// Value is the amount in major units, exact.
func (m Money) Value() money.Number { return money.NumberOf(m.A.Decimal()) }

// FormattedValue is "290.00 EUR".
func (m Money) FormattedValue() string { return m.A.String() }

// ValueInCents is the amount in minor units.
func (m Money) ValueInCents() int64 { return m.A.Minor }

// Currency is the amount's currency.
func (m Money) Currency() Currency { return Currency{Code: m.A.Currency} }

// Currency is an ISO 4217 currency.
type Currency struct {
	Code string
}

// DecimalDigits is the number of minor digits.
func (c Currency) DecimalDigits() int {
	d, err := money.Digits(c.Code)
	if err != nil {
		return 2
	}
	return d
}

// MarshalDateTimeTz writes a time as ISO 8601 with offset.
func MarshalDateTimeTz(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format("2006-01-02T15:04:05-07:00")))
	})
}

// timeLayouts are the input forms of DateTimeTz and Date that Centra's
// documentation uses.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05-07:00",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseTime reads the date and time forms the Integration API accepts;
// forms without an offset are UTC. Text it cannot read is seam.ErrInvalid.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			// Both engines and the wire hold years 1 to 9999 in UTC:
			// 9999-12-31T23:59:59-23:59 is in the year 10000.
			if y := t.UTC().Year(); y < 1 || y > 9999 {
				return time.Time{}, seam.Invalid(nil, "%q is out of range: times are from the year 1 to 9999 in UTC.", s)
			}
			return t, nil
		}
	}
	return time.Time{}, seam.Invalid(nil, "%q is not a date or time; use 2024-02-01, 2024-02-01T15:04:05+01:00 or 2024-02-01 15:04:05.", s)
}

// UnmarshalDateTimeTz reads a DateTimeTz input.
func UnmarshalDateTimeTz(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, seam.Invalid(nil, "A DateTimeTz is a string such as 2024-02-01T15:04:05+01:00, not %T.", v)
	}
	return ParseTime(s)
}

// MarshalDate writes a date as YYYY-MM-DD.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format("2006-01-02")))
	})
}

// UnmarshalDate reads a Date input; a date-time gives its date in its own
// offset.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, seam.Invalid(nil, "A Date is a string such as 2024-02-01, not %T.", v)
	}
	t, err := ParseTime(s)
	if err != nil {
		return t, err
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// ProductSizeStock is the stock of one product size summed over warehouses.
type ProductSizeStock struct {
	ProductSizeID          int64
	PhysicalQuantity       int64
	AllocatedQuantity      int64
	FreeToAllocateQuantity int64
	Warehouses             []WarehouseStock
}

// AvailableNowQuantity is what can be sold now.
func (s ProductSizeStock) AvailableNowQuantity() int64 { return max(0, s.FreeToAllocateQuantity) }

// WarehouseStock is the stock of one product size in one warehouse.
type WarehouseStock struct {
	WarehouseID            int64
	ProductSizeID          int64
	PhysicalQuantity       int64
	AllocatedQuantity      int64
	FreeToAllocateQuantity int64
}

// VariantPrice is a variant's effective price in a pricelist.
type VariantPrice struct {
	Pricelist              *store.Pricelist
	Price                  Money
	DiscountPrice          *Money
	RecommendedRetailPrice *Money
	IsIndividual           bool
}

// MarshalString writes a String.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString reads a String input, refusing the NUL character, which
// PostgreSQL cannot store in text, so that both engines answer alike.
func UnmarshalString(v any) (string, error) {
	s, err := graphql.UnmarshalString(v)
	if err != nil {
		return s, seam.Invalid(nil, "%v.", err)
	}
	if strings.ContainsRune(s, 0) {
		return "", seam.Invalid(nil, "Text must not contain the NUL character (U+0000).")
	}
	return s, nil
}
