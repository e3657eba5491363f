package admin

import (
	"net/http"

	"seam/internal/store"
)

type catalogList struct {
	Query    string
	Products []store.Product
}

// catalogList lists products (searched by name), each with its payment
// links.
func (h *Handler) catalogList(w http.ResponseWriter, r *http.Request) {
	v := catalogList{Query: clipped(r.URL.Query().Get("q"), 100)}
	var f store.ProductFilter
	if v.Query != "" {
		f.Name = &store.StringMatch{Contains: &v.Query}
	}
	var err error
	if v.Products, err = store.ListProducts(r.Context(), h.cfg.DB.Read(), f, []store.Sort{{Field: "id"}}, store.Page{Limit: 200}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "catalog_list", "Catalog", "catalog", v)
}
