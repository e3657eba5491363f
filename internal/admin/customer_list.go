package admin

import (
	"net/http"
	"strconv"

	"seam/internal/store"
)

const customerPage = 50

type customerList struct {
	Query      string
	Customers  []store.Customer
	Page       int
	Prev, Next string
}

// customerList lists customers, searched by e-mail address.
func (h *Handler) customerList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := customerList{Query: clipped(q.Get("q"), 100), Page: pageNumber(q.Get("page"))}
	var f store.CustomerFilter
	if v.Query != "" {
		needle := store.NormalEmail(v.Query)
		f.Email = &store.StringMatch{Contains: &needle}
	}
	cs, err := store.ListCustomers(r.Context(), h.cfg.DB.Read(), f, []store.Sort{{Field: "id", Desc: true}},
		store.Page{Limit: customerPage + 1, Offset: (v.Page - 1) * customerPage})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(cs) > customerPage {
		cs = cs[:customerPage]
		v.Next = Prefix + "/customers?q=" + v.Query + "&page=" + strconv.Itoa(v.Page+1)
	}
	if v.Page > 1 {
		v.Prev = Prefix + "/customers?q=" + v.Query + "&page=" + strconv.Itoa(v.Page-1)
	}
	v.Customers = cs
	h.render(w, r, http.StatusOK, "customer_list", "Customers", "customers", v)
}
