// Package textguard refuses text that no database column can hold: a NUL
// character (PostgreSQL text cannot store U+0000) or bytes that are not
// UTF-8. Adapters check every path value, query parameter, credential
// header and JSON body at their edge with it, so that SQLite and
// PostgreSQL answer such input the same way: a 400 naming the field.
package textguard

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error names the field whose text was refused and why.
type Error struct {
	// Field is the path value, query parameter, header or JSON path
	// (items[0].name) that holds the text; "body" for a body that is not
	// UTF-8 as a whole.
	Field string
	// Message says what is wrong, for a person to act on.
	Message string
}

func (e *Error) Error() string { return e.Message }

// Problem says what is wrong with s ("" when nothing is).
func Problem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL character (\\u0000)"
	}
	return ""
}

// Check returns an *Error naming field when s cannot be stored.
func Check(field, s string) *Error {
	if p := Problem(s); p != "" {
		return &Error{Field: field, Message: field + " " + p + "; send text without NUL characters, encoded as UTF-8."}
	}
	return nil
}

// Headers are the request headers Seam reads values from that reach the
// database (credentials are hashed, but an Idempotency-Key is stored).
var Headers = []string{"Idempotency-Key", "API-Token", "Authorization", "API-Authorization", "X-Shared-Secret"}

// Request checks a routed request: every path value of its pattern, every
// query parameter name and value, the Headers, and body as JSON (see
// JSON). Call it after routing, so that r.Pattern names the path values.
func Request(r *http.Request, body []byte) *Error {
	for _, name := range wildcards(r.Pattern) {
		if e := Check(name, r.PathValue(name)); e != nil {
			return e
		}
	}
	if e := Check("path", r.URL.Path); e != nil {
		return e
	}
	if e := Values(r.URL.Query()); e != nil {
		return e
	}
	for _, h := range Headers {
		for _, v := range r.Header.Values(h) {
			if e := Check(h, v); e != nil {
				return e
			}
		}
	}
	return JSON(body)
}

// Values checks the names and values of a query or a form.
func Values(q url.Values) *Error {
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if e := Check("parameter name", k); e != nil {
			return e
		}
		for _, v := range q[k] {
			if e := Check(k, v); e != nil {
				return e
			}
		}
	}
	return nil
}

// wildcards returns the names of a ServeMux pattern's {wildcards}.
func wildcards(pattern string) []string {
	var out []string
	for {
		i := strings.IndexByte(pattern, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(pattern[i:], '}')
		if j < 0 {
			return out
		}
		name := strings.TrimSuffix(pattern[i+1:i+j], "...")
		if name != "$" && name != "" {
			out = append(out, name)
		}
		pattern = pattern[i+j+1:]
	}
}

// nulEscape is how JSON spells a NUL inside a string.
var nulEscape = []byte(`\u0000`)

// JSON checks a request body: it must be UTF-8 as a whole, and no string
// (nor object key) in it may hold a NUL. A body that is not JSON passes:
// the handler that decodes it says so.
func JSON(body []byte) *Error {
	if !utf8.Valid(body) {
		return &Error{Field: "body", Message: "The body is not valid UTF-8; send JSON encoded as UTF-8."}
	}
	if !bytes.Contains(body, nulEscape) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	return Value("", v)
}

// Value checks every string and object key of a decoded JSON value; path
// names the value itself ("" for a whole body, "variables" for GraphQL
// variables).
func Value(path string, v any) *Error {
	switch x := v.(type) {
	case string:
		return Check(orBody(path), x)
	case []any:
		for i, e := range x {
			if err := Value(path+"["+strconv.Itoa(i)+"]", e); err != nil {
				return err
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if e := Check(orBody(path)+" key", k); e != nil {
				return e
			}
			if err := Value(join(path, k), x[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orBody(path string) string {
	if path == "" {
		return "body"
	}
	return path
}
