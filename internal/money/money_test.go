package money

import (
	"errors"
	"testing"
)

func TestParseKeepsExactMinorUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value, cur string
		want       int64
		err        error
	}{
		{"290", "EUR", 29000, nil},
		{"41.5", "EUR", 4150, nil},
		{"0.1", "USD", 10, nil},
		{"100.55", "USD", 10055, nil},
		{"1000", "JPY", 1000, nil},
		{"1000.0", "JPY", 1000, nil},
		{"-2.25", "SEK", -225, nil},
		{"1.005", "EUR", 0, ErrTooPrecise},
		{"1.5", "JPY", 0, ErrTooPrecise},
		{"1", "XYZ", 0, ErrUnknownCurrency},
		{"1", "eur", 0, ErrUnknownCurrency},
		{"99999999999999999", "EUR", 0, ErrOverflow},
	}
	for _, tt := range tests {
		got, err := Parse(tt.value, tt.cur)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("Parse(%q, %q) error = %v, want %v", tt.value, tt.cur, err, tt.err)
			}
			continue
		}
		if err != nil || got.Minor != tt.want || got.Currency != tt.cur {
			t.Errorf("Parse(%q, %q) = %+v, %v; want %d", tt.value, tt.cur, got, err, tt.want)
		}
	}
}

func TestFormatUsesCurrencyDigits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a                     Amount
		number, trimmed, text string
	}{
		{New(29000, "EUR"), "290.00", "290", "290.00 EUR"},
		{New(4150, "EUR"), "41.50", "41.5", "41.50 EUR"},
		{New(1000, "JPY"), "1000", "1000", "1000 JPY"},
		{New(-5, "USD"), "-0.05", "-0.05", "-0.05 USD"},
	}
	for _, tt := range tests {
		if got := tt.a.Number(); got != tt.number {
			t.Errorf("%+v.Number() = %q, want %q", tt.a, got, tt.number)
		}
		if got := tt.a.Trimmed(); got != tt.trimmed {
			t.Errorf("%+v.Trimmed() = %q, want %q", tt.a, got, tt.trimmed)
		}
		if got := tt.a.String(); got != tt.text {
			t.Errorf("%+v.String() = %q, want %q", tt.a, got, tt.text)
		}
	}
}

func TestArithmeticIsChecked(t *testing.T) {
	t.Parallel()
	if _, err := New(1, "EUR").Add(New(1, "USD")); err == nil {
		t.Error("adding EUR to USD succeeded")
	}
	if _, err := New(1<<62, "EUR").Add(New(1<<62, "EUR")); !errors.Is(err, ErrOverflow) {
		t.Errorf("overflowing Add error = %v", err)
	}
	if _, err := New(1<<62, "EUR").Mul(4); !errors.Is(err, ErrOverflow) {
		t.Errorf("overflowing Mul error = %v", err)
	}
	got, err := New(250, "EUR").Mul(3)
	if err != nil || got.Minor != 750 {
		t.Errorf("Mul = %+v, %v", got, err)
	}
}
