package fulfil

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"seam/internal/seam"
)

// layouts are the absolute forms a time may take (those of the Integration
// API's DateTimeTz, and day/month/year as in "21/10/2023"); forms without
// an offset are UTC.
var layouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05-0700",
	"2006-01-02 15:04:05-07:00",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"02/01/2006 15:04:05",
	"02/01/2006 15:04",
	"02/01/2006",
	"2/1/2006",
}

var relative = regexp.MustCompile(`^([+-]?\d+)\s*(second|sec|minute|min|hour|day|week|month|year)s?(\s+ago)?$`)

// ParseWhen reads a point in time as Centra's shippedAt takes it: an
// absolute time, or words relative to now ("now", "today", "yesterday",
// "-1 hour", "2 days ago", "+0 minutes").
func ParseWhen(s string, now time.Time) (time.Time, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch in {
	case "now":
		return now, nil
	case "today", "midnight":
		return day, nil
	case "yesterday":
		return day.AddDate(0, 0, -1), nil
	case "tomorrow":
		return day.AddDate(0, 0, 1), nil
	}
	if m := relative.FindStringSubmatch(in); m != nil {
		n, err := strconv.Atoi(m[1])
		if err == nil {
			if m[3] != "" {
				n = -n
			}
			switch m[2] {
			case "second", "sec":
				return now.Add(time.Duration(n) * time.Second), nil
			case "minute", "min":
				return now.Add(time.Duration(n) * time.Minute), nil
			case "hour":
				return now.Add(time.Duration(n) * time.Hour), nil
			case "day":
				return now.AddDate(0, 0, n), nil
			case "week":
				return now.AddDate(0, 0, 7*n), nil
			case "month":
				return now.AddDate(0, n, 0), nil
			case "year":
				return now.AddDate(n, 0, 0), nil
			}
		}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t, nil
		}
	}
	return time.Time{}, seam.Invalid(nil, "%q is not a time: use 2024-02-01T15:04:05+01:00, 21/10/2023, now, yesterday or -1 hour.", s)
}
