package admin

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"

	"seam/internal/paylink"
	"seam/internal/qr"
	"seam/internal/seam"
	"seam/internal/store"
)

// selectionSend is "Send to customer" on the generated link's page: the
// link's URL goes to the customer through the mail outbox
// (paylink.Send). The page stays, so the operator can still copy the URL.
func (h *Handler) selectionSend(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	selID := r.PathValue("id")
	linkID, _ := strconv.ParseInt(r.PathValue("link"), 10, 64)
	plain := clipped(r.PostFormValue("hash"), 64)
	v := linkMade{SelectionID: selID, Secret: plain, Email: clipped(r.PostFormValue("to"), 254), Errors: map[string]string{}}
	l, err := paylink.Find(r.Context(), h.cfg.DB.Read(), selID, plain)
	if err != nil || l.ID != linkID {
		h.notFound(w, r)
		return
	}
	v.Link = l
	if st, err := store.GetStore(r.Context(), h.cfg.DB.Read(), l.StoreID); err == nil && st.PaymentLinkTemplate != nil {
		v.URL = paylink.LinkURL(*st.PaymentLinkTemplate, selID, plain)
		if svg, err := qr.SVG(v.URL); err == nil {
			v.QR = template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg))
		}
	}
	status := http.StatusOK
	if err := paylink.Send(r.Context(), h.cfg.DB, actorOf(r), selID, plain, v.Email, h.cfg.Now()); err != nil {
		ue, ok := seam.AsUserErrors(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		for _, e := range ue {
			v.Errors[e.Path[len(e.Path)-1]] = e.Message
		}
		status = http.StatusBadRequest
	} else {
		v.Sent = v.Email
	}
	h.render(w, r, status, "selection_link", "Payment link", "orders", v)
}
