package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
)

// TestASearchOver200CharactersIs400: a 50,000-character search was a 500
// on SQLite ("LIKE or GLOB pattern too complex").
func TestASearchOver200CharactersIs400(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		b := a.browser(t)
		b.fails(http.StatusBadRequest, "search", "POST", "/products", map[string]any{"search": strings.Repeat("%_", 25_000)}, outside)
		b.fails(http.StatusBadRequest, "search", "POST", "/products", map[string]any{"search": strings.Repeat("x", 201)}, outside)
		b.must(http.StatusOK, "POST", "/products", map[string]any{"search": strings.Repeat("é", 200)})
	})
}
