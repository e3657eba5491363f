package admin

import (
	"net/http"
	"net/url"
	"strconv"

	"seam/internal/money"
	"seam/internal/store"
)

// orderPage is how many orders the list shows at once.
const orderPage = 50

// orderStatuses are the statuses the list filters by.
var orderStatuses = []string{store.OrderPending, store.OrderConfirmed, store.OrderProcessing, store.OrderShipped, store.OrderArchived, store.OrderCancelled}

type orderRow struct {
	Order store.Order
	Total money.Amount
}

type orderList struct {
	Status, Query string
	Statuses      []string
	Orders        []orderRow
	Page          int
	Prev, Next    string
}

// orderList lists orders newest first: filter by status, search by
// number, e-mail or name, one page at a time. "Create selection" is at
// the top right, as in seed 000.
func (h *Handler) orderList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := orderList{Status: q.Get("status"), Query: clipped(q.Get("q"), 100), Statuses: orderStatuses, Page: pageNumber(q.Get("page"))}
	f := store.OrderFilter{Search: v.Query}
	valid := false
	for _, s := range orderStatuses {
		valid = valid || s == v.Status
	}
	if valid {
		f.Statuses = []string{v.Status}
	} else {
		v.Status = ""
	}
	orders, err := store.OrdersNewestFirst(r.Context(), h.cfg.DB.Read(), f, store.Page{Limit: orderPage + 1, Offset: (v.Page - 1) * orderPage})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	at := func(page int) string {
		return Prefix + "/orders?" + url.Values{"status": {v.Status}, "q": {v.Query}, "page": {strconv.Itoa(page)}}.Encode()
	}
	if len(orders) > orderPage {
		orders = orders[:orderPage]
		v.Next = at(v.Page + 1)
	}
	if v.Page > 1 {
		v.Prev = at(v.Page - 1)
	}
	for _, o := range orders {
		v.Orders = append(v.Orders, orderRow{Order: o, Total: money.New(o.GrandTotal, o.Currency)})
	}
	h.render(w, r, http.StatusOK, "order_list", "Orders", "orders", v)
}
