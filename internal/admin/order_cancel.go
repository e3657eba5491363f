package admin

import (
	"net/http"
	"strconv"
	"strings"

	"seam/internal/order"
	"seam/internal/seam"
	"seam/internal/store"
)

// orderCancelLines cancels units of an order's lines with the chosen
// stock action (order.Update, as updateDirectToConsumerOrder's
// cancelLines); cancelling every unit cancels the order.
func (h *Handler) orderCancelLines(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	action := r.PostFormValue("stock_action")
	if action != order.ReleaseBackToWarehouse && action != order.RemoveFromWarehouse {
		action = order.ReleaseBackToWarehouse
	}
	comment := clipped(strings.TrimSpace(r.PostFormValue("comment")), 500)
	h.orderAction(w, r, "Lines cancelled.", func(o store.Order) error {
		lines, err := store.OrderLinesByOrderIDs(r.Context(), h.cfg.DB.Read(), []int64{o.ID})
		if err != nil {
			return err
		}
		in := order.UpdateInput{}
		if comment != "" {
			in.CancellationComment = &comment
		}
		for _, l := range lines {
			raw := strings.TrimSpace(r.PostFormValue("cancel_" + strconv.FormatInt(l.ID, 10)))
			if raw == "" || raw == "0" {
				continue
			}
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || n < 0 {
				return seam.Invalid(seam.P("lines"), "The quantity to cancel of %s is not a whole number.", l.ProductName)
			}
			a := action
			in.CancelLines = append(in.CancelLines, order.CancelLine{Line: seam.ByID(l.ID), Quantity: n, StockAction: &a})
		}
		if len(in.CancelLines) == 0 {
			return seam.Invalid(seam.P("lines"), "Type how many units of which line to cancel.")
		}
		_, _, err = order.Update(r.Context(), h.cfg.Checkout, actorOf(r), order.Ref{ID: &o.Hash}, false, in)
		return err
	})
}
