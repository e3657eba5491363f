package admin

import (
	"net/http"
	"strconv"

	"seam/internal/order"
	"seam/internal/seam"
	"seam/internal/store"
)

// orderAction runs a domain function on the order in the path: on
// success back to the order with a message, on an input problem the order
// page again with the reason.
func (h *Handler) orderAction(w http.ResponseWriter, r *http.Request, done string, fn func(o store.Order) error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	o, err := store.GetOrder(r.Context(), h.cfg.DB.Read(), id)
	if err != nil {
		h.notFound(w, r)
		return
	}
	if err := fn(o); err != nil {
		ue, ok := seam.AsUserErrors(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		h.orderPage(w, r, http.StatusBadRequest, ue.Error())
		return
	}
	redirect(w, r, Prefix+"/orders/"+strconv.FormatInt(id, 10), done)
}

// orderConfirm confirms a PENDING order (order.Confirm, as confirmOrder).
func (h *Handler) orderConfirm(w http.ResponseWriter, r *http.Request) {
	h.orderAction(w, r, "Order confirmed.", func(o store.Order) error {
		_, err := order.Confirm(r.Context(), h.cfg.DB, actorOf(r), order.Ref{ID: &o.Hash})
		return err
	})
}

// orderLock locks or unlocks an order (order.SetLocked, as setOrdersLock).
func (h *Handler) orderLock(w http.ResponseWriter, r *http.Request) {
	locked := r.PostFormValue("locked") == "true"
	msg := "Order unlocked."
	if locked {
		msg = "Order locked."
	}
	h.orderAction(w, r, msg, func(o store.Order) error {
		_, err := order.SetLocked(r.Context(), h.cfg.DB, actorOf(r), []order.Ref{{ID: &o.Hash}}, locked)
		return err
	})
}
