package money

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/govalues/decimal"

	"seam/internal/seam"
)

// Number is a decimal number read from a client exactly as written. It
// implements the GraphQL scalar interfaces so that the Float scalar of the
// Integration API never passes through float64 arithmetic: JSON variables
// keep their digits; GraphQL literals, which the parser hands over as
// float64, are turned back into the shortest decimal that round-trips,
// which is the literal itself for any value of up to 15 significant digits.
type Number struct {
	D decimal.Decimal
}

// NumberOf returns a Number from a decimal.
func NumberOf(d decimal.Decimal) Number { return Number{D: d} }

// UnmarshalGQL reads a GraphQL Float or Int input value.
func (n *Number) UnmarshalGQL(v any) error {
	var text string
	switch x := v.(type) {
	case json.Number:
		text = x.String()
	case string:
		text = x
	case int:
		text = strconv.Itoa(x)
	case int32:
		text = strconv.FormatInt(int64(x), 10)
	case int64:
		text = strconv.FormatInt(x, 10)
	case float64:
		text = strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		text = strconv.FormatFloat(float64(x), 'f', -1, 32)
	default:
		return seam.Invalid(nil, "%v is not a number.", v)
	}
	// The errors are input errors (seam.ErrInvalid), so that the API shows
	// them rather than hiding them as internal errors.
	d, err := decimal.Parse(text)
	if err != nil {
		return seam.Invalid(nil, "%v is not a number Seam can hold exactly (at most 19 digits).", v)
	}
	n.D = d
	return nil
}

// MarshalGQL writes the number as a JSON number without trailing zeros.
func (n Number) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, n.D.Trim(0).String())
}

// String returns the decimal text.
func (n Number) String() string { return n.D.String() }
