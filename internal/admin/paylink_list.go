package admin

import (
	"net/http"
	"strconv"

	"seam/internal/store"
)

// paylinkPage is how many links the list shows at once.
const paylinkPage = 50

type paylinkList struct {
	Status string
	Links  []linkRow
	Page   int
	Prev   string
	Next   string
}

// paylinkList lists selection payment links, newest first, with status
// (active, used, revoked, expired), who made each and when, the order
// that used it, and Revoke.
func (h *Handler) paylinkList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := paylinkList{Status: q.Get("status"), Page: pageNumber(q.Get("page"))}
	now := h.cfg.Now()
	f := store.PaymentLinkFilter{Now: now}
	switch v.Status {
	case store.LinkActive, store.LinkUsed, store.LinkRevoked, store.LinkExpired:
		f.Statuses = []string{v.Status}
	default:
		v.Status = ""
	}
	links, err := store.ListPaymentLinks(r.Context(), h.cfg.DB.Read(), f, []store.Sort{{Field: "id", Desc: true}},
		store.Page{Limit: paylinkPage + 1, Offset: (v.Page - 1) * paylinkPage})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(links) > paylinkPage {
		links = links[:paylinkPage]
		v.Next = Prefix + "/payment-links?status=" + v.Status + "&page=" + strconv.Itoa(v.Page+1)
	}
	if v.Page > 1 {
		v.Prev = Prefix + "/payment-links?status=" + v.Status + "&page=" + strconv.Itoa(v.Page-1)
	}
	for _, l := range links {
		v.Links = append(v.Links, linkRow{Link: l, Status: l.Status(now)})
	}
	h.render(w, r, http.StatusOK, "paylink_list", "Payment links", "links", v)
}

// pageNumber reads a 1-based page number, 1 when absent or wrong, at most
// 10,000.
func pageNumber(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 10_000)
}
