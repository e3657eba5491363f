package money

import (
	"errors"
	"fmt"
	"testing"

	"github.com/govalues/decimal"
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

func TestFormatLooksLikeTheShopsDo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a    Amount
		want string
	}{
		{New(1000, "USD"), "10.00 USD"},
		{New(100000, "USD"), "1,000.00 USD"},
		{New(10000, "SEK"), "100 SEK"},
		{New(9950, "SEK"), "99.50 SEK"},
		{New(1000, "JPY"), "1 000 JPY"},
		{New(3500, "EUR"), "35.00 EUR"},
		{New(123456789, "EUR"), "1 234 567.89 EUR"},
		{New(-5, "EUR"), "-0.05 EUR"},
		{New(0, "JPY"), "0 JPY"},
	}
	for _, tt := range tests {
		if got := Format(tt.a); got != tt.want {
			t.Errorf("Format(%+v) = %q, want %q", tt.a, got, tt.want)
		}
	}
}

func TestTaxIsRoundedHalfToEvenOnce(t *testing.T) {
	t.Parallel()
	rate := decimal.MustParse("25")
	// 550000 cents including 25 % tax holds 110000 cents of tax (seed 004).
	if got, err := TaxIncluded(550000, rate); err != nil || got != 110000 {
		t.Errorf("TaxIncluded(550000, 25) = %d, %v; want 110000", got, err)
	}
	// 10 cents × 25 / 125 = 2 exactly; 11 cents → 2.2 → 2; 13 → 2.6 → 3.
	for gross, want := range map[int64]int64{10: 2, 11: 2, 13: 3} {
		if got, _ := TaxIncluded(gross, rate); got != want {
			t.Errorf("TaxIncluded(%d, 25) = %d, want %d", gross, got, want)
		}
	}
	// Half to even: 2.5 → 2, 3.5 → 4 (10 % of 25 and 35).
	ten := decimal.MustParse("10")
	if a, _ := Percent(25, ten); a != 2 {
		t.Errorf("10%% of 25 = %d, want 2", a)
	}
	if a, _ := Percent(35, ten); a != 4 {
		t.Errorf("10%% of 35 = %d, want 4", a)
	}
	if got, _ := TaxExcluded(1000, decimal.MustParse("8.875")); got != 89 {
		t.Errorf("TaxExcluded(1000, 8.875) = %d, want 89 (88.75 rounds up)", got)
	}
}

func TestAllocateSplitsExactly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		total   int64
		weights []int64
		want    []int64
	}{
		{100, []int64{1, 1, 1}, []int64{34, 33, 33}},
		{1000, []int64{500, 300, 200}, []int64{500, 300, 200}},
		{10, []int64{0, 0}, []int64{5, 5}},
		{7, []int64{1, 2}, []int64{2, 5}},
	}
	for _, tt := range tests {
		got := Allocate(tt.total, tt.weights)
		var sum int64
		for _, g := range got {
			sum += g
		}
		if sum != tt.total || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Allocate(%d, %v) = %v, want %v", tt.total, tt.weights, got, tt.want)
		}
	}
}
