package rest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"seam/internal/checkout"
)

// Storefronts often build Checkout API bodies from HTML forms, so booleans
// and numbers arrive as strings ("on", "1", "12"). The types here take
// both forms; a value that is neither is a *json.UnmarshalTypeError, which
// the decoder tags with the field's name so that the answer says which
// field was wrong (decode).

// flexBool is a boolean a client may send as true/false, 1/0, "1"/"0",
// "true"/"false" or "on" (a checked HTML checkbox).
type flexBool bool

// UnmarshalJSON accepts the forms listed on flexBool.
func (f *flexBool) UnmarshalJSON(b []byte) error {
	v, ok := parseFlexBool(b)
	if !ok {
		return &json.UnmarshalTypeError{Value: clip(b), Type: reflect.TypeFor[bool]()}
	}
	*f = flexBool(v)
	return nil
}

func parseFlexBool(b []byte) (bool, bool) {
	s := string(bytes.TrimSpace(b))
	if u, err := strconv.Unquote(s); err == nil {
		s = strings.ToLower(strings.TrimSpace(u))
	}
	switch s {
	case "true", "1", "on":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// flexInt is a whole number a client may send as 12 or "12".
type flexInt int64

// UnmarshalJSON accepts 12 and "12".
func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if u, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(u)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: clip(b), Type: reflect.TypeFor[int64]()}
	}
	*f = flexInt(n)
	return nil
}

// clip shortens a raw value for an error message.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// wanted says in words what a field of type t takes.
func wanted(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false (\"1\", \"0\", \"true\", \"false\" and \"on\" are also taken)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a " + t.String()
}

// addressIn is an address as a storefront sends it: checkout.Address with
// a form-style newsletter flag.
type addressIn struct {
	Email       string   `json:"email"`
	FirstName   string   `json:"firstName"`
	LastName    string   `json:"lastName"`
	Company     string   `json:"company"`
	Address1    string   `json:"address1"`
	Address2    string   `json:"address2"`
	ZipCode     string   `json:"zipCode"`
	City        string   `json:"city"`
	State       string   `json:"state"`
	Country     string   `json:"country"`
	PhoneNumber string   `json:"phoneNumber"`
	VatNumber   string   `json:"vatNumber"`
	Newsletter  flexBool `json:"newsletter"`
}

// domain converts the address; nil stays nil.
func (a *addressIn) domain() *checkout.Address {
	if a == nil {
		return nil
	}
	return &checkout.Address{Email: a.Email, FirstName: a.FirstName, LastName: a.LastName, Company: a.Company, Address1: a.Address1,
		Address2: a.Address2, ZipCode: a.ZipCode, City: a.City, State: a.State, Country: a.Country, PhoneNumber: a.PhoneNumber,
		VatNumber: a.VatNumber, NewsletterOptIn: bool(a.Newsletter)}
}
