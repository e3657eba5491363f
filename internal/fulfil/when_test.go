package fulfil

import (
	"testing"
	"time"
)

func TestParseWhenReadsTimesAndWordsRelativeToNow(t *testing.T) {
	t.Parallel()
	now := time.Date(2023, 1, 16, 9, 35, 35, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"now", now},
		{" NOW ", now},
		{"today", time.Date(2023, 1, 16, 0, 0, 0, 0, time.UTC)},
		{"yesterday", time.Date(2023, 1, 15, 0, 0, 0, 0, time.UTC)},
		{"tomorrow", time.Date(2023, 1, 17, 0, 0, 0, 0, time.UTC)},
		{"-1 hour", now.Add(-time.Hour)},
		{"+30 minutes", now.Add(30 * time.Minute)},
		{"2 days ago", now.AddDate(0, 0, -2)},
		{"-1 week", now.AddDate(0, 0, -7)},
		{"-3 months", now.AddDate(0, -3, 0)},
		{"21/10/2023", time.Date(2023, 10, 21, 0, 0, 0, 0, time.UTC)},
		{"2023-01-09T15:18:33+01:00", time.Date(2023, 1, 9, 14, 18, 33, 0, time.UTC)},
		{"2022-06-23 15:47:12", time.Date(2022, 6, 23, 15, 47, 12, 0, time.UTC)},
	} {
		got, err := ParseWhen(tc.in, now)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseWhen(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "soon", "-1 fortnight", "32/13/2023", "1 hour 2 minutes"} {
		if got, err := ParseWhen(bad, now); err == nil {
			t.Errorf("ParseWhen(%q) = %v, want an error", bad, got)
		}
	}
}
