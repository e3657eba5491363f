package admin

import (
	"net/http"
	"strconv"

	"seam/internal/store"
)

type customerShow struct {
	Customer store.Customer
}

// customerShow is a customer card with the Create selection button (seed
// 000, step 1).
func (h *Handler) customerShow(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	cs, err := store.CustomersByIDs(r.Context(), h.cfg.DB.Read(), []int64{id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(cs) != 1 {
		h.notFound(w, r)
		return
	}
	h.render(w, r, http.StatusOK, "customer_show", cs[0].Email, "customers", customerShow{Customer: cs[0]})
}
