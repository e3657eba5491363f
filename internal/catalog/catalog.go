// Package catalog holds the rules for size charts, products, variants,
// product sizes, bundles, displays and the brands, collections, folders and
// categories they are filed under.
package catalog

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"seam/internal/db"
	"seam/internal/idconv"
	"seam/internal/seam"
)

// Statuses of products, variants and displays.
var (
	ProductStatuses = []string{"ACTIVE", "INACTIVE", "CANCELLED"}
	Statuses        = []string{"ACTIVE", "INACTIVE"}
)

// MaxText is the longest free text accepted in a name or number field.
const MaxText = 1000

// text checks a required text field and returns it trimmed.
func text(p *seam.Problems, path seam.Path, v *string, field string) string {
	if v == nil || strings.TrimSpace(*v) == "" {
		p.Add(path, "%s must not be empty.", field)
		return ""
	}
	s := strings.TrimSpace(*v)
	if n := utf8.RuneCountInString(s); n > MaxText {
		p.Add(path, "%s is %d characters long; the limit is %d.", field, n, MaxText)
	}
	return s
}

// optText checks an optional text field; an empty string clears it.
func optText(p *seam.Problems, path seam.Path, v *string, field string) *string {
	if v == nil {
		return nil
	}
	s := strings.TrimSpace(*v)
	if s == "" {
		return nil
	}
	if n := utf8.RuneCountInString(s); n > MaxText*10 {
		p.Add(path, "%s is %d characters long; the limit is %d.", field, n, MaxText*10)
	}
	return &s
}

// oneOf checks an enum value.
func oneOf(p *seam.Problems, path seam.Path, v *string, allowed []string, field string) string {
	if v == nil {
		p.Add(path, "%s is required.", field)
		return ""
	}
	if !slices.Contains(allowed, *v) {
		p.Add(path, "%s must be one of %s, got %q.", field, strings.Join(allowed, ", "), *v)
	}
	return *v
}

// collect resolves a required reference into *dst, gathering an unknown or
// ambiguous one in p (dst then stays as it was).
func collect(ctx context.Context, q db.Q, p *seam.Problems, actor seam.Actor, typ string, ref *seam.Ref, path seam.Path, dst *int64) error {
	id, ok, err := idconv.Collect(ctx, q, p, actor, typ, ref, path)
	if ok {
		*dst = id
	}
	return err
}

// notFound turns a store ErrNotFound into a user error on path.
func notFound(err error, path seam.Path, format string, args ...any) error {
	if errors.Is(err, seam.ErrNotFound) {
		return seam.Invalid(path, format, args...)
	}
	return err
}
