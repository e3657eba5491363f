package gql

import (
	"context"
	"strconv"
	"strings"

	"seam/internal/gql/model"
	"seam/internal/mutant"
	"seam/internal/store"
)

// Limits of list arguments.
const (
	defaultLimit = 20
	maxLimit     = 200
)

// paging checks limit (1–200, default 20) and page (1-based) and returns
// the store page; past the end a page is simply empty.
func paging(ctx context.Context, limit, page *int64) (store.Page, error) {
	l, p := int64(defaultLimit), int64(1)
	if limit != nil {
		l = *limit
	}
	if page != nil {
		p = *page
	}
	if l < 1 || l > maxLimit {
		return store.Page{}, inputError(ctx, "limit", "limit must be between 1 and %d, got %d.", maxLimit, l)
	}
	if p < 1 || p > 1_000_000 {
		return store.Page{}, inputError(ctx, "page", "page is 1-based and must be between 1 and 1000000, got %d.", p)
	}
	return store.Page{Limit: int(l), Offset: int((p - 1) * l)}, nil
}

// sorts reads sort enum values such as "name_DESC".
func sorts(in []string) []store.Sort {
	out := make([]store.Sort, 0, len(in))
	for _, s := range in {
		field, dir, _ := strings.Cut(s, "_")
		out = append(out, store.Sort{Field: field, Desc: dir == "DESC"})
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// match converts a GraphQL StringMatch.
func match(m *model.StringMatch) *store.StringMatch {
	if m == nil || (m.Equals == nil && m.Contains == nil) {
		return nil
	}
	return &store.StringMatch{Equals: m.Equals, Contains: m.Contains}
}

// storeScope narrows a store id filter to the token's store when the token
// is restricted to one.
func storeScope(ctx context.Context, ids []int64) []int64 {
	s := actor(ctx).StoreID
	if s == nil || mutant.On("store-scope-ignored") {
		return ids
	}
	if ids == nil {
		return []int64{*s}
	}
	var out []int64
	for _, id := range ids {
		if id == *s {
			out = append(out, id)
		}
	}
	if out == nil {
		out = []int64{}
	}
	return out
}

// inScope reports whether a store-restricted token may see storeID.
func inScope(ctx context.Context, storeID int64) bool {
	s := actor(ctx).StoreID
	return s == nil || *s == storeID
}
