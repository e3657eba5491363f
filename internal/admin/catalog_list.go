package admin

import (
	"context"
	"net/http"

	"seam/internal/db"
	"seam/internal/media"
	"seam/internal/store"
)

type catalogList struct {
	Query    string
	Products []store.Product
	// Pictures are each product's thumbnails, by product id.
	Pictures map[int64][]picture
}

// picture is one product picture as a thumbnail: the URL of its mini
// size (its first size when mini is not configured) and its alt text.
type picture struct {
	Src string
	Alt string
}

// catalogList lists products (searched by name) with their pictures,
// each with its stock and payment links.
func (h *Handler) catalogList(w http.ResponseWriter, r *http.Request) {
	v := catalogList{Query: clipped(r.URL.Query().Get("q"), 100)}
	var f store.ProductFilter
	if v.Query != "" {
		f.Name = &store.StringMatch{Contains: &v.Query}
	}
	ctx, q := r.Context(), h.cfg.DB.Read()
	var err error
	if v.Products, err = store.ListProducts(ctx, q, f, []store.Sort{{Field: "id"}}, store.Page{Limit: 200}); err != nil {
		h.fail(w, r, err)
		return
	}
	if v.Pictures, err = productPictures(ctx, q, v.Products); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "catalog_list", "Catalog", "catalog", v)
}

// thumbSize is the size the back office shows pictures in.
const thumbSize = "mini"

// productPictures reads the products' pictures with
// store.MediaOfProducts and makes their URLs with media.URLs, as the
// Checkout API does; the URLs are relative, since the back office is
// served by the same Seam that serves /media/. A picture without alt
// text is described by its product's name.
func productPictures(ctx context.Context, q db.Q, products []store.Product) (map[int64][]picture, error) {
	ids := make([]int64, 0, len(products))
	names := map[int64]string{}
	for _, p := range products {
		ids = append(ids, p.ID)
		names[p.ID] = p.Name
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := store.MediaOfProducts(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := map[int64][]picture{}
	for _, m := range rows {
		urls := media.URLs([]store.ProductMedia{m}, "")
		src := urls[thumbSize]
		if len(src) == 0 && len(m.Sizes) > 0 {
			src = urls[m.Sizes[0]]
		}
		if len(src) == 0 {
			continue
		}
		alt := names[m.ProductID]
		if m.AltText != nil && *m.AltText != "" {
			alt = *m.AltText
		}
		out[m.ProductID] = append(out[m.ProductID], picture{Src: src[0], Alt: alt})
	}
	return out, nil
}
