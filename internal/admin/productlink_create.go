package admin

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"seam/internal/admin/form"
	"seam/internal/productlink"
	"seam/internal/qr"
	"seam/internal/seam"
)

// productLinkCreate makes a product payment link with productlink.Create,
// as POST /api/mel-store/products/{id}/payment-links does, and shows its
// URL (with copy and QR) this once.
func (h *Handler) productLinkCreate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.notFound(w, r)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.notFound(w, r)
		return
	}
	f := form.ParseProductLink(r.PostForm)
	in := productlink.CreateInput{UseOnce: f.UseOnce, Metadata: f.MetadataJSON()}
	rows := map[int]int{} // input index → form row
	for i, p := range f.Prices {
		if p.CurrencyID == "" && p.Price == "" {
			continue
		}
		cid, err := strconv.ParseInt(p.CurrencyID, 10, 64)
		if err != nil {
			f.Errors.Add("prices."+strconv.Itoa(i)+".currency_id", "Choose the currency.")
			continue
		}
		pi := productlink.PriceInput{CurrencyID: &cid, IsDiscountPrice: ptr(p.Discount != "")}
		price := strings.ReplaceAll(p.Price, ",", ".")
		pi.Price = &price
		if p.Discount != "" {
			d := strings.ReplaceAll(p.Discount, ",", ".")
			pi.DiscountPrice = &d
		}
		rows[len(in.Prices)] = i
		in.Prices = append(in.Prices, pi)
	}
	if f.Errors.Empty() {
		made, err := productlink.Create(r.Context(), h.cfg.DB, actorOf(r), id, in, h.cfg.Now())
		if err == nil {
			u := productlink.URL(h.base(r), id, made.UUID)
			v := productLinks{Form: form.NewProductLink(), URL: u}
			if svg, err := qr.SVG(u); err == nil {
				v.QR = template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg))
			}
			h.productLinkPage(w, r, http.StatusCreated, v)
			return
		}
		ue, ok := seam.AsUserErrors(err)
		if !ok {
			if productlink.UnknownProduct(err) {
				h.notFound(w, r)
				return
			}
			h.fail(w, r, err)
			return
		}
		for _, e := range ue {
			key := e.Path.String()
			if len(e.Path) >= 2 && e.Path[0] == "prices" {
				if n, err := strconv.Atoi(e.Path[1]); err == nil {
					e.Path[1] = strconv.Itoa(rows[n])
					key = "prices." + e.Path[1]
				}
			} else if len(e.Path) >= 1 && e.Path[0] == "metadata" {
				key = "metadata"
			}
			f.Errors.Add(key, e.Message)
		}
	}
	h.productLinkPage(w, r, http.StatusBadRequest, productLinks{Form: f})
}

// base is Seam's public URL: the configured one, else the request's host.
func (h *Handler) base(r *http.Request) string {
	if h.cfg.PublicURL != "" {
		return strings.TrimRight(h.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
