package admin

import (
	"net/http"
	"strconv"

	"seam/internal/fulfil"
	"seam/internal/order"
	"seam/internal/seam"
	"seam/internal/store"
)

// shipmentCreate puts the chosen units of an order's lines into a
// good-to-go shipment, capturing its worth when asked (fulfil.Create, as
// createShipment).
func (h *Handler) shipmentCreate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	capture := r.PostFormValue("capture") != ""
	h.orderAction(w, r, "Shipment created.", func(o store.Order) error {
		in := fulfil.CreateInput{Order: &order.Ref{ID: &o.Hash}, IsGoodToGo: ptr(true), Capture: &capture}
		lines, err := store.OrderLinesByOrderIDs(r.Context(), h.cfg.DB.Read(), []int64{o.ID})
		if err != nil {
			return err
		}
		for _, l := range lines {
			raw := r.PostFormValue("qty_" + strconv.FormatInt(l.ID, 10))
			if raw == "" {
				continue
			}
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || n < 0 {
				return seam.Invalid(seam.P("lines"), "The quantity of %s is not a whole number.", l.ProductName)
			}
			if n > 0 {
				in.Lines = append(in.Lines, fulfil.LineInput{OrderLine: seam.ByID(l.ID), Quantity: n})
			}
		}
		if len(in.Lines) == 0 {
			return seam.Invalid(seam.P("lines"), "Choose at least one unit to ship.")
		}
		_, err = h.cfg.Fulfil.Create(r.Context(), actorOf(r), in)
		return err
	})
}

// shipmentComplete ships a shipment with its tracking details
// (fulfil.Complete, as completeShipment).
func (h *Handler) shipmentComplete(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	sh, err := store.GetShipment(r.Context(), h.cfg.DB.Read(), id)
	if err != nil {
		h.notFound(w, r)
		return
	}
	r.SetPathValue("id", strconv.FormatInt(sh.OrderID, 10))
	info := &fulfil.ShipmentInfo{}
	if c := clipped(r.PostFormValue("carrier"), 100); c != "" {
		info.Carrier = &c
	}
	if t := clipped(r.PostFormValue("tracking"), 100); t != "" {
		info.TrackingNumber = &t
	}
	send := r.PostFormValue("send_email") != ""
	h.orderAction(w, r, "Shipment "+sh.Number+" completed.", func(store.Order) error {
		return h.cfg.Fulfil.Complete(r.Context(), actorOf(r), id, fulfil.CompleteInput{ShipmentInfo: info, SendEmail: &send})
	})
}

func ptr[T any](v T) *T { return &v }
