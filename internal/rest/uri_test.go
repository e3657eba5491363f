package rest_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/seam"
	"seam/internal/store"
)

// TestURIFindsAProductThroughItsCategories: POST /uri resolves a product
// by its own URI and as "<category path>/<product uri>" at any depth, and
// the product lists that category with its whole path; a category the
// product is not in finds nothing.
func TestURIFindsAProductThroughItsCategories(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		ctx := context.Background()
		str := func(s string) *string { return &s }
		var parent *seam.Ref
		var leaf int64
		for _, name := range []string{"Women", "Shirts", "Summer"} {
			id, err := catalog.CreateCategory(ctx, d, seam.Actor{Name: "t"}, catalog.CategoryInput{Store: seam.ByID(1), Parent: parent, Name: str(name)})
			if err != nil {
				t.Fatal(err)
			}
			parent, leaf = seam.ByID(id), id
		}
		if err := d.Tx(ctx, func(tx *db.Tx) error { return store.LinkDisplay(ctx, tx, store.DisplayCategory, 1, leaf) }); err != nil {
			t.Fatal(err)
		}
		b := a.browser(t)
		own := b.must(http.StatusOK, "POST", "/uri", map[string]any{"uri": "organic-cotton-tee-black"})
		for _, uri := range []string{"tops/organic-cotton-tee-black", "women/shirts/summer/organic-cotton-tee-black", "/Women/Shirts/Summer/organic-cotton-tee-black/"} {
			f := b.must(http.StatusOK, "POST", "/uri", map[string]any{"uri": uri, "for": []string{"category", "product"}})
			if f.str("found") != "product" || f.str("product", "product") != own.str("product", "product") {
				t.Errorf("POST /uri %q: %s", uri, f.raw)
			}
		}
		var paths []string
		for _, c := range own.list("product", "categories") {
			cm := c.(map[string]any)
			paths = append(paths, cm["uri"].(string))
			if cm["uri"] == "women/shirts/summer" && len(cm["name"].([]any)) != 3 {
				t.Errorf("the summer category's names: %v, want the three along its path", cm["name"])
			}
		}
		if !slices.Contains(paths, "women/shirts/summer") || !slices.Contains(paths, "tops") {
			t.Errorf("the product's categories: %v", paths)
		}
		for _, uri := range []string{"women/organic-cotton-tee-black", "nope/organic-cotton-tee-black"} {
			b.fails(http.StatusNotFound, "notFound", "POST", "/uri", map[string]any{"uri": uri})
		}
		if f := b.must(http.StatusOK, "POST", "/uri", map[string]any{"uri": "women/shirts"}); f.str("found") != "category" {
			t.Errorf("POST /uri women/shirts: %s", f.raw)
		}
	})
}
