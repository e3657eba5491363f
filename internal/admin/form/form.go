// Package form parses and checks the back office's forms. Each form keeps
// what the operator typed, so that a page can show it again with a
// message next to each wrong field.
package form

import (
	"strconv"
	"strings"
)

// Errors are messages by field name.
type Errors map[string]string

// Add sets a field's message (the first one wins).
func (e Errors) Add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// Empty reports whether there are no messages.
func (e Errors) Empty() bool { return len(e) == 0 }

// value trims a form value and cuts it to max bytes.
func value(s string, max int) string {
	s = strings.TrimSpace(s)
	if len(s) > max {
		s = s[:max]
	}
	return s
}

// id reads a positive id, 0 when empty or not one.
func id(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
