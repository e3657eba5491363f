package money

import (
	"strconv"
	"strings"
)

// style is how shops write amounts of a currency.
type style struct {
	thousands string
	// trimWhole drops the decimals of whole amounts ("100 SEK").
	trimWhole bool
}

var styles = map[string]style{
	"USD": {thousands: ","},
	"GBP": {thousands: ","},
	"SEK": {thousands: " ", trimWhole: true},
	"NOK": {thousands: " ", trimWhole: true},
	"DKK": {thousands: " ", trimWhole: true},
}

// Format writes an amount as shops show it, with the currency code after
// it: "10.00 USD", "1,000.00 USD", "100 SEK", "99.50 SEK", "1 000 JPY",
// "35.00 EUR". The number is exact; only grouping differs by currency.
func Format(a Amount) string {
	st, ok := styles[a.Currency]
	if !ok {
		st = style{thousands: " "}
	}
	digits, err := Digits(a.Currency)
	if err != nil {
		digits = 2
	}
	neg := a.Minor < 0
	minor := a.Minor
	if neg {
		minor = -minor
	}
	text := strconv.FormatInt(minor, 10)
	if len(text) <= digits {
		text = strings.Repeat("0", digits-len(text)+1) + text
	}
	whole, frac := text[:len(text)-digits], text[len(text)-digits:]
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(st.thousands)
		}
		b.WriteRune(c)
	}
	if digits > 0 && !(st.trimWhole && strings.Trim(frac, "0") == "") {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	b.WriteString(" ")
	b.WriteString(a.Currency)
	return b.String()
}
