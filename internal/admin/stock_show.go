package admin

import (
	"errors"
	"net/http"
	"strconv"

	"seam/internal/seam"
	"seam/internal/store"
)

// stockRow is one size of a product with its stock per warehouse.
type stockRow struct {
	Variant string
	Size    store.ProductSize
	// Levels are by warehouse id.
	Levels map[int64]store.StockLevel
}

type stockShow struct {
	Product    store.Product
	Pictures   []picture
	Warehouses []store.Warehouse
	Rows       []stockRow
	// Form: the direction, warehouse, description and quantities typed.
	Direction   string
	WarehouseID int64
	Description string
	Qty         map[int64]string
	Errors      map[string]string
}

// stockShow is a product's sizes with stock per warehouse, and the form
// that changes it through stock.Change, as changeStock does.
func (h *Handler) stockShow(w http.ResponseWriter, r *http.Request) {
	h.stockPage(w, r, http.StatusOK, stockShow{Direction: "in", Qty: map[int64]string{}, Errors: map[string]string{}})
}

func (h *Handler) stockPage(w http.ResponseWriter, r *http.Request, status int, v stockShow) {
	ctx, q := r.Context(), h.cfg.DB.Read()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	if v.Product, err = store.GetProduct(ctx, q, id); errors.Is(err, seam.ErrNotFound) {
		h.notFound(w, r)
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	pictures, err := productPictures(ctx, q, []store.Product{v.Product})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Pictures = pictures[id]
	variants, err := store.VariantsByProductIDs(ctx, q, []int64{id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	var vids []int64
	for _, v := range variants {
		names[v.ID] = v.Name
		vids = append(vids, v.ID)
	}
	sizes, err := store.ProductSizesByVariantIDs(ctx, q, vids)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var sids []int64
	for _, s := range sizes {
		sids = append(sids, s.ID)
	}
	levels, err := store.StockByProductSizeIDs(ctx, q, sids)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	by := map[int64]map[int64]store.StockLevel{}
	for _, l := range levels {
		if by[l.ProductSizeID] == nil {
			by[l.ProductSizeID] = map[int64]store.StockLevel{}
		}
		by[l.ProductSizeID][l.WarehouseID] = l
	}
	for _, s := range sizes {
		v.Rows = append(v.Rows, stockRow{Variant: names[s.ProductVariantID], Size: s, Levels: by[s.ID]})
	}
	if v.Warehouses, err = store.ListWarehouses(ctx, q, store.WarehouseFilter{}, nil, store.Page{Limit: 100}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "stock_show", v.Product.Name+" · stock", "catalog", v)
}
