package secret

import (
	"encoding/json"
	"strings"
)

// ShownOnce stands for a secret in an answer that is kept (for
// Idempotency-Key replays): the secret was shown once, to the first
// answer, and is not kept anywhere in plain text.
const ShownOnce = "[secret shown once; not kept]"

// minInside is the shortest secret that is also hidden inside longer
// strings (a payment link's hash inside its URL). Shorter ones (human-chosen
// voucher codes of 3 characters and up) are hidden only where a whole
// string equals them, so that a short code cannot blot out unrelated text.
const minInside = 16

// Redact returns a JSON document with every string that equals one of
// secrets replaced by ShownOnce, and every secret of 16 characters or more
// replaced inside longer strings too (a URL that carries it). Everything
// else (field order, spacing, numbers) stays byte for byte. A document
// that does not scan as JSON strings is returned with the long secrets
// replaced as plain text.
func Redact(doc []byte, secrets []string) []byte {
	var live []string
	for _, s := range secrets {
		if s != "" {
			live = append(live, s)
		}
	}
	if len(live) == 0 {
		return doc
	}
	var out []byte
	i := 0
	for i < len(doc) {
		if doc[i] != '"' {
			out = append(out, doc[i])
			i++
			continue
		}
		end := stringEnd(doc, i)
		if end < 0 {
			return append(out, doc[i:]...)
		}
		lit := doc[i : end+1]
		var s string
		if err := json.Unmarshal(lit, &s); err != nil {
			out = append(out, lit...)
		} else if r, changed := redactString(s, live); changed {
			b, _ := json.Marshal(r)
			out = append(out, b...)
		} else {
			out = append(out, lit...)
		}
		i = end + 1
	}
	return out
}

// stringEnd is the index of the quote that closes the JSON string opening
// at doc[start], or -1.
func stringEnd(doc []byte, start int) int {
	for j := start + 1; j < len(doc); j++ {
		switch doc[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

func redactString(s string, secrets []string) (string, bool) {
	for _, sec := range secrets {
		if s == sec {
			return ShownOnce, true
		}
	}
	changed := false
	for _, sec := range secrets {
		if len(sec) >= minInside && strings.Contains(s, sec) {
			s, changed = strings.ReplaceAll(s, sec, ShownOnce), true
		}
	}
	return s, changed
}
