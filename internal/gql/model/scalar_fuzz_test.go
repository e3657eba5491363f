package model

import (
	"bytes"
	"errors"
	"strconv"
	"testing"

	"seam/internal/seam"
)

// FuzzScalars feeds any text to the Integration API's input scalars: each
// either reads it or refuses it with an input error, and a Date or
// DateTimeTz it reads writes back to a value it reads as the same time.
func FuzzScalars(f *testing.F) {
	for _, s := range []string{"2024-02-01", "2024-02-01T15:04:05+01:00", "2024-02-01 15:04", "now", "", "\x00", "9999-12-31T23:59:59-23:59", "0000-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := UnmarshalString(s); err != nil && !errors.Is(err, seam.ErrInvalid) {
			t.Fatalf("UnmarshalString(%q): %v is not an input error", s, err)
		}
		if d, err := UnmarshalDate(s); err == nil {
			var b bytes.Buffer
			MarshalDate(d).MarshalGQL(&b)
			text, _ := strconv.Unquote(b.String())
			again, err := UnmarshalDate(text)
			if err != nil || !again.Equal(d) {
				t.Fatalf("Date %q wrote %s, read back as %v, %v", s, b.String(), again, err)
			}
		} else if !errors.Is(err, seam.ErrInvalid) {
			t.Fatalf("UnmarshalDate(%q): %v is not an input error", s, err)
		}
		if tm, err := UnmarshalDateTimeTz(s); err == nil {
			var b bytes.Buffer
			MarshalDateTimeTz(tm).MarshalGQL(&b)
			text, _ := strconv.Unquote(b.String())
			again, err := UnmarshalDateTimeTz(text)
			if err != nil || !again.Equal(tm.Truncate(1e9)) {
				t.Fatalf("DateTimeTz %q wrote %s, read back as %v, %v", s, b.String(), again, err)
			}
		} else if !errors.Is(err, seam.ErrInvalid) {
			t.Fatalf("UnmarshalDateTimeTz(%q): %v is not an input error", s, err)
		}
	})
}
