// Package money holds amounts of money as integer minor units of an ISO 4217
// currency. Floats never hold money here: decimal text is parsed exactly and
// arithmetic is checked for overflow.
package money

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/govalues/decimal"
	"golang.org/x/text/currency"

	"seam/internal/seam"
)

// Amount is an amount of money: Minor units (cents, öre, yen) of Currency.
type Amount struct {
	Minor    int64
	Currency string
}

// ErrUnknownCurrency is returned for a code that is not an ISO 4217 currency.
var ErrUnknownCurrency = errors.New("unknown currency")

// ErrTooPrecise is returned for a value with more decimals than its
// currency has minor digits.
var ErrTooPrecise = errors.New("more decimals than the currency allows")

// ErrOverflow is returned for an amount over MaxMinor from a client, and
// for a sum or product of amounts that does not fit in 64 bits of minor
// units. It is an input error (seam.ErrInvalid): the one call that meets it
// fails with a clear message, never with an internal error.
var ErrOverflow error = rangeError{}

type rangeError struct{}

func (rangeError) Error() string { return "amount out of range" }

// Is makes an overflow an input error.
func (rangeError) Is(target error) bool { return target == seam.ErrInvalid }

// MaxMinor is the largest amount, in minor units of its currency, that Seam
// accepts from a client (10^12: 10,000,000,000.00 EUR, 1,000,000,000,000
// JPY). Bounding every input keeps every sum and product of amounts far
// from overflowing.
const MaxMinor = 1_000_000_000_000

// Digits returns the number of minor digits of an ISO 4217 currency code
// (JPY 0, SEK 2, …), or ErrUnknownCurrency.
func Digits(code string) (int, error) {
	if len(code) != 3 || strings.ToUpper(code) != code {
		return 0, fmt.Errorf("%q: %w", code, ErrUnknownCurrency)
	}
	unit, err := currency.ParseISO(code)
	if err != nil || unit.String() == "XXX" {
		return 0, fmt.Errorf("%q: %w", code, ErrUnknownCurrency)
	}
	scale, _ := currency.Standard.Rounding(unit)
	return scale, nil
}

// Valid reports whether code is a known ISO 4217 currency.
func Valid(code string) bool {
	_, err := Digits(code)
	return err == nil
}

// Parse reads a decimal number of major units ("290", "41.5", "1000") as an
// Amount of currency code. It refuses more decimals than the currency has.
func Parse(value, code string) (Amount, error) {
	d, err := decimal.Parse(value)
	if err != nil {
		return Amount{}, fmt.Errorf("%q is not a number: %w", value, err)
	}
	return FromDecimal(d, code)
}

// FromDecimal converts a decimal number of major units to an Amount.
func FromDecimal(d decimal.Decimal, code string) (Amount, error) {
	digits, err := Digits(code)
	if err != nil {
		return Amount{}, err
	}
	d = d.Trim(0)
	if d.Scale() > digits {
		return Amount{}, fmt.Errorf("%s has %d decimals, %s allows %d: %w", d, d.Scale(), code, digits, ErrTooPrecise)
	}
	whole, frac, ok := d.Pad(digits).Int64(digits)
	mul := pow10(digits)
	if !ok || whole > math.MaxInt64/mul || whole < math.MinInt64/mul {
		return Amount{}, fmt.Errorf("%s %s is over the largest amount Seam holds, %s %s: %w", d, code, decimal.MustNew(MaxMinor, digits), code, ErrOverflow)
	}
	minor := whole*mul + frac
	if (whole > 0 && minor < 0) || (whole < 0 && minor > 0) || minor > MaxMinor || minor < -MaxMinor {
		return Amount{}, fmt.Errorf("%s %s is over the largest amount Seam holds, %s %s: %w", d, code, decimal.MustNew(MaxMinor, digits), code, ErrOverflow)
	}
	return Amount{Minor: minor, Currency: code}, nil
}

// New returns an Amount of minor units; it does not check the currency.
func New(minor int64, code string) Amount { return Amount{Minor: minor, Currency: code} }

// Decimal returns the amount in major units as an exact decimal.
func (a Amount) Decimal() decimal.Decimal {
	digits, err := Digits(a.Currency)
	if err != nil {
		digits = 2
	}
	return decimal.MustNew(a.Minor, digits)
}

// Number returns the amount in major units as decimal text with the
// currency's minor digits ("290.00", "1000" for JPY).
func (a Amount) Number() string { return a.Decimal().String() }

// Trimmed returns the amount in major units without trailing zero decimals
// ("290", "41.5"), the form GraphQL money values use.
func (a Amount) Trimmed() string { return a.Decimal().Trim(0).String() }

// String formats the amount as "290.00 EUR".
func (a Amount) String() string { return a.Number() + " " + a.Currency }

// IsZero reports whether the amount is zero.
func (a Amount) IsZero() bool { return a.Minor == 0 }

// Add returns a+b; both must be in the same currency.
func (a Amount) Add(b Amount) (Amount, error) {
	if a.Currency != b.Currency {
		return Amount{}, fmt.Errorf("add %s to %s: currencies differ", b, a)
	}
	s := a.Minor + b.Minor
	if (s > a.Minor) != (b.Minor > 0) {
		return Amount{}, fmt.Errorf("add %s to %s: %w", b, a, ErrOverflow)
	}
	return Amount{Minor: s, Currency: a.Currency}, nil
}

// Mul returns a×n.
func (a Amount) Mul(n int64) (Amount, error) {
	if n == 0 || a.Minor == 0 {
		return Amount{Currency: a.Currency}, nil
	}
	p := a.Minor * n
	if p/n != a.Minor || (a.Minor == -1 && n == math.MinInt64) || (n == -1 && a.Minor == math.MinInt64) {
		return Amount{}, fmt.Errorf("%s × %d: %w", a, n, ErrOverflow)
	}
	return Amount{Minor: p, Currency: a.Currency}, nil
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// Input is a money value as a client sends it: a decimal number of major
// units and an ISO 4217 code (GraphQL MonetaryValueInput).
type Input struct {
	Value           Number
	CurrencyIsoCode string
}

// Amount converts the input, refusing unknown currencies and values with
// more decimals than the currency has.
func (in Input) Amount() (Amount, error) {
	return FromDecimal(in.Value.D, in.CurrencyIsoCode)
}

// Sub returns a-b; both must be in the same currency.
func (a Amount) Sub(b Amount) (Amount, error) {
	if b.Minor == math.MinInt64 {
		return Amount{}, fmt.Errorf("subtract %s from %s: %w", b, a, ErrOverflow)
	}
	return a.Add(Amount{Minor: -b.Minor, Currency: b.Currency})
}

// Sum checks a chain of additions and subtractions: it keeps the first
// error, so that one test at the end covers the chain.
type Sum struct {
	Err error
}

// Add returns a+b, or a when it fails (the error is kept in Err).
func (s *Sum) Add(a, b Amount) Amount {
	r, err := a.Add(b)
	if err != nil {
		s.keep(err)
		return a
	}
	return r
}

// Sub returns a-b, or a when it fails (the error is kept in Err).
func (s *Sum) Sub(a, b Amount) Amount {
	r, err := a.Sub(b)
	if err != nil {
		s.keep(err)
		return a
	}
	return r
}

func (s *Sum) keep(err error) {
	if s.Err == nil {
		s.Err = err
	}
}
