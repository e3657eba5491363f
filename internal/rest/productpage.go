package rest

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"seam/internal/checkout"
	"seam/internal/money"
	"seam/internal/productlink"
	"seam/internal/seam"
	"seam/internal/store"
	"seam/internal/textguard"
)

// ProductPagePrefix is where product pages live: /p/{productId}?uuid=….
const ProductPagePrefix = "/p"

//go:embed templates/*.html
var templateFiles embed.FS

var pageTemplates = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

// ProductPageConfig is what the product pages need.
type ProductPageConfig struct {
	// Checkout sells; its ProductLinkUsable and ProductLinkSold hooks must
	// be set (productlink.Wire).
	Checkout *checkout.Service
	Log      *slog.Logger
	// BaseURL is Seam's public URL, for the pages payment providers send
	// the buyer back to; "" means the request's own scheme and host.
	BaseURL string
	// RequestID returns the request id the server's middleware assigned.
	RequestID func(context.Context) string
}

// ProductPage serves the buyer's pages of products and their payment
// links: server-rendered HTML that works without JavaScript (Stripe's card
// form aside). Every value shown is escaped by html/template; the uuid in
// the URL is kept out of Referer headers.
type ProductPage struct {
	cfg ProductPageConfig
	mux *http.ServeMux
}

// NewProductPage builds the product pages' handler; mount it at
// ProductPagePrefix + "/".
func NewProductPage(cfg ProductPageConfig) *ProductPage {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.RequestID == nil {
		cfg.RequestID = func(context.Context) string { return "" }
	}
	h := &ProductPage{cfg: cfg, mux: http.NewServeMux()}
	post := http.NewCrossOriginProtection()
	h.mux.HandleFunc("GET "+ProductPagePrefix+"/{productId}", h.guarded(h.show))
	h.mux.Handle("POST "+ProductPagePrefix+"/{productId}/checkout", post.Handler(h.guarded(h.buy)))
	h.mux.HandleFunc("GET "+ProductPagePrefix+"/{productId}/return", h.guarded(h.back))
	h.mux.HandleFunc("GET "+ProductPagePrefix+"/{productId}/thanks", h.guarded(h.thanks))
	h.mux.HandleFunc("GET "+ProductPagePrefix+"/{productId}/qr.png", h.guarded(h.qr("png")))
	h.mux.HandleFunc("GET "+ProductPagePrefix+"/{productId}/qr.svg", h.guarded(h.qr("svg")))
	h.mux.HandleFunc(ProductPagePrefix+"/", func(w http.ResponseWriter, r *http.Request) {
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such page.", "")
	})
	return h
}

// ServeHTTP answers a product page; a panic becomes a logged 500 page.
func (h *ProductPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			id := h.cfg.RequestID(r.Context())
			h.cfg.Log.ErrorContext(r.Context(), "product page panicked", "panic", p, "request_id", id, "path", r.URL.Path,
				"stack", string(debug.Stack()))
			h.message(w, r, http.StatusInternalServerError, "Something went wrong", "Something went wrong on our side; it was logged with request id "+id+". Please try again.", "")
		}
	}()
	h.mux.ServeHTTP(w, r)
}

// guarded refuses path values and query parameters that no database can
// hold, before the page's handler sees them. (The order form's fields get
// the form's own messages: buy shows the form again.)
func (h *ProductPage) guarded(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if bad := textguard.Request(r, nil); bad != nil {
			h.message(w, r, http.StatusBadRequest, "Not readable", "The field "+bad.Field+" could not be read: "+bad.Message, "")
			return
		}
		next(w, r)
	}
}

// prefilled are the query and form fields the page takes as they are;
// reserved are the page's own; any other plain field name is an
// additional field.
var (
	prefilled = []string{"name", "email", "phone_number", "address1", "zip_code", "city", "country", "state", "item", "payment_method"}
	reserved  = []string{"uuid", "currency", "terms", "selection"}
)

// additionalFrom reads the additional fields of a query: plain field
// names not taken otherwise, first value each, tracking parameters left
// out, at most productlink.MaxAdditional.
func additionalFrom(q url.Values) []nameValue {
	var out []nameValue
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range q {
			if !yield(k) {
				return
			}
		}
	}) {
		if slices.Contains(prefilled, k) || slices.Contains(reserved, k) || !productlink.AdditionalName(k) ||
			strings.HasPrefix(k, "utm_") || k == "fbclid" || k == "gclid" || len(out) == productlink.MaxAdditional {
			continue
		}
		out = append(out, nameValue{Name: k, Value: q.Get(k)})
	}
	return out
}

type nameValue struct{ Name, Value string }

type choiceView struct {
	ID, Code, Name, Label, URL string
	Selected, SoldOut          bool
}

// stateGroup is a country's states on the page.
type stateGroup struct {
	Country string
	Options []choiceView
}

// pageView is what product.html shows.
type pageView struct {
	Title      string
	Offer      productlink.Offer
	UUID       string
	Message    string
	Form       map[string]string
	Errors     map[string]string
	Price      string
	Before     string
	TaxNote    string
	Currencies []choiceView
	Items      []choiceView
	Countries  []choiceView
	// States are the states to choose from, by country, for the
	// countries whose sales tax depends on the state.
	States     []stateGroup
	Methods    []choiceView
	Additional []nameValue
	Action     string
}

// view builds the page of an offer with the form's values.
func (h *ProductPage) view(r *http.Request, productID int64, o productlink.Offer, uuid string, form map[string]string, additional []nameValue) pageView {
	v := pageView{Title: o.Title, Offer: o, UUID: uuid, Form: form, Errors: map[string]string{}, Additional: additional,
		Action: ProductPagePrefix + "/" + strconv.FormatInt(productID, 10) + "/checkout"}
	if o.Problem != "" {
		return v
	}
	v.Price = money.Format(o.Price.Amount)
	if o.Price.Before != nil {
		v.Before = money.Format(*o.Price.Before)
	}
	v.TaxNote = "Tax included. Free shipping."
	if !o.Pricelist.PricesIncludeTax {
		v.TaxNote = "Sales tax is added where it applies. Free shipping."
	}
	q := url.Values{}
	if uuid != "" {
		q.Set("uuid", uuid)
	}
	for _, k := range prefilled {
		if form[k] != "" {
			q.Set(k, form[k])
		}
	}
	for _, f := range additional {
		q.Set(f.Name, f.Value)
	}
	for _, c := range o.Currencies {
		q.Set("currency", c)
		v.Currencies = append(v.Currencies, choiceView{Code: c, Selected: c == o.Currency,
			URL: ProductPagePrefix + "/" + strconv.FormatInt(productID, 10) + "?" + q.Encode()})
	}
	chosen := form["item"]
	if !slices.ContainsFunc(o.Items, func(it productlink.Item) bool { return it.ID == chosen && it.Free > 0 }) {
		chosen = ""
		for _, it := range o.Items {
			if it.Free > 0 {
				chosen = it.ID
				break
			}
		}
	}
	for _, it := range o.Items {
		label := it.Label
		if o.Link == nil && it.Price.Amount != o.Price.Amount {
			label += " · " + money.Format(it.Price.Amount)
		}
		v.Items = append(v.Items, choiceView{ID: it.ID, Label: label, Selected: it.ID == chosen, SoldOut: it.Free <= 0})
	}
	country := strings.ToUpper(form["country"])
	if !slices.ContainsFunc(o.Countries, func(c store.Country) bool { return c.Code == country }) {
		country = o.DefaultCountry
	}
	for _, c := range o.Countries {
		v.Countries = append(v.Countries, choiceView{Code: c.Code, Name: c.Name, Selected: c.Code == country})
	}
	for _, c := range o.Countries {
		if states := o.States[c.Code]; len(states) > 0 {
			g := stateGroup{Country: c.Name}
			for _, st := range states {
				g.Options = append(g.Options, choiceView{Code: st.Code, Name: st.Name, Selected: c.Code == country && strings.EqualFold(st.Code, form["state"])})
			}
			v.States = append(v.States, g)
		}
	}
	for i, m := range o.PaymentMethods {
		id := strconv.FormatInt(m.ID, 10)
		v.Methods = append(v.Methods, choiceView{ID: id, Name: m.Name, Selected: id == form["payment_method"] || (form["payment_method"] == "" && i == 0)})
	}
	return v
}

// show is GET /p/{productId}: the product at its link's price (uuid) or
// its pricelist price, with the order form prefilled from the query.
func (h *ProductPage) show(w http.ResponseWriter, r *http.Request) {
	productID, ok := h.productID(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	uuid := strings.TrimSpace(q.Get("uuid"))
	o, err := productlink.MakeOffer(r.Context(), h.cfg.Checkout, productlink.OfferInput{ProductID: productID, UUID: uuid, Currency: q.Get("currency")})
	if err != nil {
		h.offerError(w, r, err, uuid)
		return
	}
	if o.Gone {
		h.message(w, r, http.StatusGone, o.Title, o.Problem, "")
		return
	}
	form := map[string]string{}
	for _, k := range prefilled {
		form[k] = strings.TrimSpace(q.Get(k))
	}
	h.render(w, r, http.StatusOK, "product.html", h.view(r, productID, o, uuid, form, additionalFrom(q)))
}

// productID reads {productId}, answering 404 when it is not an id.
func (h *ProductPage) productID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue("productId"), 10, 64)
	if err != nil || n < 1 {
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such product.", "")
		return 0, false
	}
	return n, true
}

// offerError answers a product page that cannot be shown.
func (h *ProductPage) offerError(w http.ResponseWriter, r *http.Request, err error, uuid string) {
	switch {
	case errors.Is(err, seam.ErrInvalid):
		h.message(w, r, http.StatusBadRequest, "Payment link not valid", "This payment link is not valid: check that it was copied whole.", "")
	case errors.Is(err, seam.ErrNotFound) && uuid != "" && !productlink.UnknownProduct(err):
		h.message(w, r, http.StatusNotFound, "Payment link not found", "This payment link does not exist.", "")
	case errors.Is(err, seam.ErrNotFound):
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such product.", "")
	case errors.Is(err, seam.ErrConflict):
		h.message(w, r, http.StatusConflict, "Not for sale", upperFirst(trimKind(err, seam.ErrConflict)), "")
	default:
		h.internal(w, r, err)
	}
}

// internal logs an unexpected error and answers 500.
func (h *ProductPage) internal(w http.ResponseWriter, r *http.Request, err error) {
	id := h.cfg.RequestID(r.Context())
	h.cfg.Log.ErrorContext(r.Context(), "product page failed", "err", err, "request_id", id, "path", r.URL.Path)
	h.message(w, r, http.StatusInternalServerError, "Something went wrong", "Something went wrong on our side; it was logged with request id "+id+". Please try again.", "")
}

// message answers a page with one message and, optionally, a way back.
func (h *ProductPage) message(w http.ResponseWriter, r *http.Request, status int, heading, msg, back string) {
	h.render(w, r, status, "message.html", map[string]string{"Title": heading, "Heading": heading, "Message": msg, "Back": back})
}

// render writes a page with the headers every product page carries.
func (h *ProductPage) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var b strings.Builder
	if err := pageTemplates.ExecuteTemplate(&b, name, data); err != nil {
		h.cfg.Log.ErrorContext(r.Context(), "render product page", "err", err, "template", name, "request_id", h.cfg.RequestID(r.Context()))
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	pageHeaders(w, "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// pageHeaders sets the headers of an HTML page: no caching (it may show a
// buyer's details), no Referer (the URL holds the link's uuid), no framing.
func pageHeaders(w http.ResponseWriter, csp string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", csp)
}

// nonce is a fresh value for a page's inline script.
func nonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawStdEncoding.EncodeToString(b[:])
}
