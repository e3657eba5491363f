package money

import (
	"errors"
	"math"
	"testing"

	"github.com/govalues/decimal"

	"seam/internal/seam"
)

func TestAmountsOverTheMaximumAreRefusedAsInputErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value, code string
		ok          bool
	}{
		{"10000000000.00", "SEK", true},
		{"-10000000000", "EUR", true},
		{"1000000000000", "JPY", true},
		{"10000000000.01", "SEK", false},
		{"10000000000000", "SEK", false},
		{"92233720368547758.07", "SEK", false},
		{"1000000000001", "JPY", false},
		{"-10000000000.01", "EUR", false},
	}
	for _, tt := range tests {
		a, err := Parse(tt.value, tt.code)
		if tt.ok {
			if err != nil {
				t.Errorf("Parse(%s %s) = %v; want it accepted", tt.value, tt.code, err)
			}
			continue
		}
		if !errors.Is(err, ErrOverflow) || !errors.Is(err, seam.ErrInvalid) {
			t.Errorf("Parse(%s %s) = %+v, %v; want ErrOverflow, an input error", tt.value, tt.code, a, err)
		}
	}
}

func TestSumKeepsTheFirstOverflow(t *testing.T) {
	t.Parallel()
	var s Sum
	big := New(math.MaxInt64-1, "EUR")
	got := s.Add(New(5, "EUR"), New(7, "EUR"))
	if got.Minor != 12 || s.Err != nil {
		t.Fatalf("5+7 = %+v, %v", got, s.Err)
	}
	got = s.Sub(s.Add(big, New(2, "EUR")), New(1, "EUR"))
	if !errors.Is(s.Err, ErrOverflow) {
		t.Errorf("overflowing sum: %+v, err %v; want ErrOverflow", got, s.Err)
	}
	if _, err := New(math.MinInt64+1, "EUR").Sub(New(2, "EUR")); !errors.Is(err, ErrOverflow) {
		t.Errorf("underflowing Sub: %v; want ErrOverflow", err)
	}
}

// FuzzParse checks that any text and currency either parse to an amount
// within MaxMinor that prints back to the same number, or fail with an
// error; never a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "290", "41.5", "-1", "92233720368547758.07", "1e3", "0.001", "", " 1", "1_000", "NaN", "10000000000.00"} {
		f.Add(s, "SEK")
		f.Add(s, "JPY")
	}
	f.Fuzz(func(t *testing.T, value, code string) {
		a, err := Parse(value, code)
		if err != nil {
			return
		}
		if a.Minor > MaxMinor || a.Minor < -MaxMinor {
			t.Fatalf("Parse(%q, %q) = %+v, over MaxMinor", value, code, a)
		}
		d, _ := decimal.Parse(value)
		if a.Decimal().Cmp(d) != 0 {
			t.Fatalf("Parse(%q, %q) = %s; the value changed", value, code, a)
		}
	})
}

// FuzzNumber checks the Integration API's Float scalar with every kind of
// value a client can send.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"0", "1.5", "-0.001", "1e400", "92233720368547758.07", "abc", ""} {
		f.Add(s, 1.5, int64(3))
	}
	f.Fuzz(func(t *testing.T, s string, x float64, i int64) {
		for _, v := range []any{s, x, i} {
			var n Number
			if err := n.UnmarshalGQL(v); err != nil {
				if !errors.Is(err, seam.ErrInvalid) {
					t.Fatalf("UnmarshalGQL(%v): %v is not an input error", v, err)
				}
				continue
			}
			a, err := (Input{Value: n, CurrencyIsoCode: "EUR"}).Amount()
			if err == nil && (a.Minor > MaxMinor || a.Minor < -MaxMinor) {
				t.Fatalf("Amount of %v = %+v, over MaxMinor", v, a)
			}
		}
	})
}
