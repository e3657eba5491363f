package form

import (
	"net/url"
	"strconv"
	"strings"

	"seam/internal/auth"
)

// Token is the "Create token" form: an Integration API token with
// permissions and an optional store restriction, or a Checkout API shared
// secret.
type Token struct {
	Kind        string // "integration" or "checkout"
	Name        string
	All         bool
	Permissions map[string]bool
	StoreID     int64
	ExpiresDays string
	Days        int
	Errors      Errors
}

// ParseToken reads and checks the form.
func ParseToken(v url.Values) Token {
	f := Token{Kind: value(v.Get("kind"), 16), Name: value(v.Get("name"), 100), All: v.Get("all") != "", Permissions: map[string]bool{},
		StoreID: id(v.Get("store")), ExpiresDays: value(v.Get("expires_days"), 6), Errors: Errors{}}
	for _, p := range v["permission"] {
		if auth.Known(p) {
			f.Permissions[p] = true
		}
	}
	if f.Kind != "checkout" {
		f.Kind = "integration"
	}
	if f.Name == "" {
		f.Errors.Add("name", "Name the integration or server the token is for, such as erp.")
	}
	if f.Kind == "integration" && !f.All && len(f.Permissions) == 0 {
		f.Errors.Add("permissions", "Tick the permissions the token needs, or All permissions.")
	}
	if f.ExpiresDays != "" {
		n, err := strconv.Atoi(strings.TrimSpace(f.ExpiresDays))
		if err != nil || n < 1 || n > 3650 {
			f.Errors.Add("expires_days", "Give the days the token lives, 1 to 3650, or leave it empty for no expiry.")
		}
		f.Days = n
	}
	return f
}

// List returns the ticked permissions in the order auth knows them.
func (f Token) List() []string {
	var out []string
	for _, p := range auth.Permissions {
		if f.Permissions[p] {
			out = append(out, p)
		}
	}
	return out
}
