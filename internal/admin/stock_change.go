package admin

import (
	"net/http"
	"strconv"
	"strings"

	"seam/internal/adminuser"
	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/stock"
)

// stockChange moves stock into or out of a warehouse with stock.Change,
// the function of changeStock; it records the change and its event, and
// the audit log shows it.
func (h *Handler) stockChange(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.notFound(w, r)
		return
	}
	v := stockShow{Direction: r.PostForm.Get("direction"), Description: clipped(strings.TrimSpace(r.PostForm.Get("description")), 500),
		Qty: map[int64]string{}, Errors: map[string]string{}}
	v.WarehouseID, _ = strconv.ParseInt(r.PostForm.Get("warehouse"), 10, 64)
	in := stock.ChangeInput{}
	if v.Description != "" {
		in.Description = &v.Description
	}
	if v.WarehouseID == 0 {
		v.Errors["warehouse"] = "Choose the warehouse."
	} else if v.Direction == "out" {
		in.OutFromWarehouse = seam.ByID(v.WarehouseID)
	} else {
		v.Direction = "in"
		in.IntoWarehouse = seam.ByID(v.WarehouseID)
	}
	for key, vals := range r.PostForm {
		if !strings.HasPrefix(key, "qty_") || len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
			continue
		}
		sid, err := strconv.ParseInt(strings.TrimPrefix(key, "qty_"), 10, 64)
		if err != nil {
			continue
		}
		v.Qty[sid] = clipped(strings.TrimSpace(vals[0]), 12)
		n, err := strconv.Atoi(v.Qty[sid])
		if err != nil || n < 1 || n > stock.MaxQuantity {
			v.Errors["qty_"+strconv.FormatInt(sid, 10)] = "A quantity is a whole number from 1 up."
			continue
		}
		in.ProductSizes = append(in.ProductSizes, stock.SizeChange{ProductSize: seam.ByID(sid), DeliveredQuantity: n})
	}
	if len(in.ProductSizes) == 0 && len(v.Errors) == 0 {
		v.Errors["sizes"] = "Type the quantity of at least one size."
	}
	if len(v.Errors) == 0 {
		if id, err := stock.Change(r.Context(), h.cfg.DB, actorOf(r), in); err != nil {
			ue, ok := seam.AsUserErrors(err)
			if !ok {
				h.fail(w, r, err)
				return
			}
			for _, e := range ue {
				v.Errors["sizes"] += e.Message + " "
			}
		} else {
			summary := "changeStock " + v.Direction + " warehouse " + strconv.FormatInt(v.WarehouseID, 10) + ", " + strconv.Itoa(len(in.ProductSizes)) + " sizes"
			if err := h.cfg.DB.Tx(r.Context(), func(tx *db.Tx) error {
				return adminuser.Audit(r.Context(), tx, actorOf(r).Name, "UPDATE", "StockChange", strconv.FormatInt(id, 10), summary)
			}); err != nil {
				h.fail(w, r, err)
				return
			}
			redirect(w, r, Prefix+"/catalog/"+r.PathValue("id")+"/stock", "Stock changed.")
			return
		}
	}
	h.stockPage(w, r, http.StatusBadRequest, v)
}
