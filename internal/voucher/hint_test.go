package voucher_test

import (
	"testing"

	"seam/internal/voucher"
)

func TestHintNeverShowsMostOfAShortCode(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]string{"abc": "C", "summer": "ER", "summer24": "24", "UNIQUECODE": "ODE",
		"ABCDEFGH2345": "2345", "ABCDEFGHJKMN2345": "2345", " ab ": ""} {
		if got := voucher.Hint(code); got != want {
			t.Errorf("Hint(%q) = %q, want %q", code, got, want)
		}
	}
}
