package admin

import (
	"errors"
	"net/http"
	"strconv"

	"seam/internal/checkout"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

type orderLineRow struct {
	Line      store.OrderLine
	Unit, Sum money.Amount
	// Open is what can still go into a shipment.
	Open int64
}

type orderShow struct {
	Order     store.Order
	Name      string
	Address   checkout.Address
	Lines     []orderLineRow
	Totals    map[string]money.Amount
	Payments  []store.PaymentEntry
	Shipments []store.Shipment
	History   []store.AuditEntry
	Open      int64
	// Error is why an action was refused.
	Error string
	// Link is the payment link the order used, if any.
	Link *store.PaymentLink
}

// orderShow is an order: lines, totals, taxes, payments, shipments, its
// history, and the actions Confirm, Create shipment, Complete shipment
// and Lock/Unlock.
func (h *Handler) orderShow(w http.ResponseWriter, r *http.Request) {
	h.orderPage(w, r, http.StatusOK, "")
}

func (h *Handler) orderPage(w http.ResponseWriter, r *http.Request, status int, problem string) {
	ctx, q := r.Context(), h.cfg.DB.Read()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	o, err := store.GetOrder(ctx, q, id)
	if errors.Is(err, seam.ErrNotFound) {
		h.notFound(w, r)
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	v := orderShow{Order: o, Address: checkout.ParseAddress(o.Address), Error: problem}
	v.Name = v.Address.FirstName + " " + v.Address.LastName
	m := func(n int64) money.Amount { return money.New(n, o.Currency) }
	v.Totals = map[string]money.Amount{"items": m(o.ItemsTotal), "discount": m(o.Discount), "shipping": m(o.Shipping), "tax": m(o.Tax),
		"grand": m(o.GrandTotal), "credit": m(o.Credit)}
	lines, err := store.OrderLinesByOrderIDs(ctx, q, []int64{o.ID})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, l := range lines {
		open := l.Quantity - l.ShippedQuantity
		v.Open += open
		v.Lines = append(v.Lines, orderLineRow{Line: l, Unit: m(l.UnitPrice), Sum: m(l.LineValue), Open: open})
	}
	if v.Payments, err = store.PaymentEntriesByOrderIDs(ctx, q, []int64{o.ID}); err != nil {
		h.fail(w, r, err)
		return
	}
	if v.Shipments, err = store.ShipmentsOfOrders(ctx, q, []int64{o.ID}); err != nil {
		h.fail(w, r, err)
		return
	}
	if v.History, err = store.ListAudit(ctx, q, store.AuditFilter{ObjectType: "Order", ObjectIDs: []string{o.Hash, strconv.FormatInt(o.ID, 10)}}, 50); err != nil {
		h.fail(w, r, err)
		return
	}
	if l, err := store.PaymentLinkOfOrder(ctx, q, o.ID); err == nil {
		v.Link = &l
	} else if !errors.Is(err, seam.ErrNotFound) {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "order_show", "Order "+strconv.FormatInt(o.Number, 10), "orders", v)
}
