package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"seam/internal/adminuser"
	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/shop"
	"seam/internal/store"
)

// storeSave saves a store's settings through shop.UpdateStore, as
// updateStore of the Integration API does; a bad template re-renders the
// form with the typed value and the reason.
func (h *Handler) storeSave(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	st, err := store.GetStore(r.Context(), h.cfg.DB.Read(), id)
	if errors.Is(err, seam.ErrNotFound) {
		h.notFound(w, r)
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	f := storeForm{Store: st, Template: clipped(strings.TrimSpace(r.PostFormValue("payment_link")), 2000),
		Autoconf: r.PostFormValue("autoconfirm") != "", DirectShp: r.PostFormValue("direct_to_shipment") != "", Errors: map[string]string{}}
	in := shop.StoreSettings{PaymentLinkTemplate: &f.Template, AutoconfirmOrders: &f.Autoconf, DirectToShipment: &f.DirectShp}
	if err := shop.UpdateStore(r.Context(), h.cfg.DB, actorOf(r), id, in); err != nil {
		ue, ok := seam.AsUserErrors(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		for _, e := range ue {
			key := e.Path[len(e.Path)-1]
			if key == "paymentLinkTemplate" {
				key = "payment_link"
			}
			f.Errors[key] = e.Message
		}
		h.settingsPage(w, r, http.StatusBadRequest, &f)
		return
	}
	summary := "payment_link " + map[bool]string{true: "set", false: "cleared"}[f.Template != ""] +
		", auto-confirm " + onOff(f.Autoconf) + ", direct to shipment " + onOff(f.DirectShp)
	if err := h.cfg.DB.Tx(r.Context(), func(tx *db.Tx) error {
		return adminuser.Audit(r.Context(), tx, actorOf(r).Name, "UPDATE", "Store", strconv.FormatInt(id, 10), summary)
	}); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, Prefix+"/settings", "Settings of "+st.Name+" saved.")
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
