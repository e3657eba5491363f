package checkout

import (
	"testing"

	"github.com/govalues/decimal"
)

func TestConvertBackUpIsTheLeastDebitThatPays(t *testing.T) {
	tests := []struct {
		minor    int64
		from, to string
		rate     string
		want     int64
	}{
		{3, "EUR", "SEK", "0.06", 50},       // 0.03 EUR is exactly 0.50 SEK
		{1, "EUR", "SEK", "0.092", 11},      // 0.108… SEK, up to 0.11
		{1000, "JPY", "USD", "150", 667},    // 6.666… USD, up to 6.67
		{667, "USD", "JPY", "0.0066", 1011}, // 1010.6… JPY, up to 1011
		{0, "EUR", "SEK", "0.06", 0},
	}
	for _, tc := range tests {
		rate := decimal.MustParse(tc.rate)
		got, err := convertBackUp(tc.minor, tc.from, tc.to, rate)
		if err != nil || got != tc.want {
			t.Errorf("convertBackUp(%d %s → %s at %s) = %d, %v; want %d", tc.minor, tc.from, tc.to, tc.rate, got, err, tc.want)
		}
	}
	// For every amount: the debit converted forward pays at least the
	// amount, and one minor unit less would not.
	rate := decimal.MustParse("0.06")
	for minor := int64(1); minor <= 5000; minor++ {
		d, err := convertBackUp(minor, "EUR", "SEK", rate)
		if err != nil {
			t.Fatal(err)
		}
		pays := func(sek int64) bool { // sek öre × 0.06 ≥ minor cents, in exact integers
			return sek*6 >= minor*100
		}
		if !pays(d) || pays(d-1) {
			t.Fatalf("%d cents: debit %d öre is not the least that pays", minor, d)
		}
	}
	if _, err := convertBackUp(1, "EUR", "SEK", decimal.Zero); err == nil {
		t.Error("a zero rate converted")
	}
}
