package admin

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"seam/internal/admin/form"
	"seam/internal/productlink"
	"seam/internal/seam"
	"seam/internal/store"
)

type productLinkRow struct {
	Link   store.ProductLink
	Prices []store.ProductLinkPrice
	State  string
}

type productLinks struct {
	Product    store.Product
	Links      []productLinkRow
	Currencies []store.Currency
	Form       form.ProductLink
	// Rate is the USD:EUR rate a USD price's EUR price is derived at.
	Rate string
	// URL and QR are the link just made, shown this once.
	URL string
	QR  template.URL
}

// productLinkList is a product's payment links (seed 002): each with its
// prices, use once, sales and state, and Delete; and the form that makes
// one.
func (h *Handler) productLinkList(w http.ResponseWriter, r *http.Request) {
	h.productLinkPage(w, r, http.StatusOK, productLinks{Form: form.NewProductLink()})
}

func (h *Handler) productLinkPage(w http.ResponseWriter, r *http.Request, status int, v productLinks) {
	ctx, q := r.Context(), h.cfg.DB.Read()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	if v.Product, err = store.GetProduct(ctx, q, id); errors.Is(err, seam.ErrNotFound) {
		h.notFound(w, r)
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	links, err := store.ProductLinksOf(ctx, q, id, 200)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.cfg.Now()
	for _, l := range links {
		prices, err := store.ProductLinkPrices(ctx, q, l.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		v.Links = append(v.Links, productLinkRow{Link: l, Prices: prices, State: productlink.State(l, now)})
	}
	if v.Currencies, err = store.Currencies(ctx, q); err != nil {
		h.fail(w, r, err)
		return
	}
	if rate, err := productlink.GetRate(ctx, q, "USD", "EUR"); err == nil {
		v.Rate = rate.Rate.String()
	}
	h.render(w, r, status, "productlink_list", v.Product.Name+" · payment links", "catalog", v)
}
