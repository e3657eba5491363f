package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"seam/internal/checkout"
	"seam/internal/seam"
	"seam/internal/textguard"
)

// routes registers every endpoint: the session form, and the server form
// /selections/{selection}/… where it makes sense.
func (h *Handler) routes() {
	const both, session = true, false
	const sel, noSel = true, false
	h.route("GET", "/selection", session, sel, noop)
	h.mux.HandleFunc("GET "+Prefix+"/selections/{selection}", h.wrap(noop, sel, true))
	h.route("PUT", "/selection", both, sel, setLocation)
	h.mux.HandleFunc("PUT "+Prefix+"/selections/{selection}", h.wrap(attach, noSel, false))
	h.route("POST", "/items/{item}", both, sel, addItem)
	h.route("POST", "/items/{item}/quantity/{quantity}", both, sel, addItem)
	h.route("POST", "/lines/{line}", both, sel, lineDelta(+1, false))
	h.route("DELETE", "/lines/{line}", both, sel, removeLine)
	h.route("POST", "/lines/{line}/quantity/{quantity}", both, sel, lineDelta(+1, true))
	h.route("DELETE", "/lines/{line}/quantity/{quantity}", both, sel, lineDelta(-1, true))
	h.route("PUT", "/lines/{line}/quantity/{quantity}", both, sel, setLine)
	h.route("POST", "/vouchers", both, sel, addVoucher)
	h.route("DELETE", "/vouchers", both, sel, removeVoucher)
	h.route("DELETE", "/vouchers/{voucher}", both, sel, removeVoucher)
	h.route("PUT", "/countries/{country}", both, sel, setCountry)
	h.route("PUT", "/countries/{country}/states/{state}", both, sel, setCountry)
	h.route("PUT", "/languages/{language}", both, sel, setLanguage)
	h.route("GET", "/shipping-methods", both, sel, noop)
	h.route("PUT", "/shipping-methods/{shippingMethod}", both, sel, setShipping)
	h.route("GET", "/payment-methods", both, sel, noop)
	h.route("PUT", "/payment-methods/{paymentMethod}", both, sel, setPaymentMethod)
	h.route("PUT", "/address", both, sel, setAddress)
	h.route("POST", "/payment", both, sel, pay)
	// A session's payment result and receipt may concern the selection
	// it paid last (it has a new one since): they find theirs.
	h.mux.HandleFunc("POST "+Prefix+"/payment-result", h.wrap(paymentResult, noSel, false))
	h.mux.HandleFunc("POST "+Prefix+"/selections/{selection}/payment-result", h.wrap(paymentResult, sel, true))
	h.mux.HandleFunc("GET "+Prefix+"/receipt", h.wrap(receipt, noSel, false))
	h.mux.HandleFunc("GET "+Prefix+"/selections/{selection}/receipt", h.wrap(receipt, sel, true))
	// Calls that only read store no session (issue 12 A7).
	h.read("POST", "/products", products)
	h.read("GET", "/products/{product}", product)
	h.read("POST", "/categories", categories)
	h.read("POST", "/uri", lookupURI)
	h.read("GET", "/countries", countries)
	h.read("GET", "/markets", markets)
	h.read("GET", "/pricelists", pricelists)
	h.read("GET", "/languages", languages)
	h.route("POST", "/newsletter-subscription", session, sel, subscribe)
	h.route("POST", "/payment-links/{selection}/{hash}", session, noSel, claimLink)
	h.read("GET", "/gift-certificates", giftCertificates)
	h.route("POST", "/gift-certificates/balance", session, noSel, giftBalance)
	h.route("POST", "/items/gift-certificates/{giftCertificate}", session, sel, addGiftCertificate)
	h.route("POST", "/items/gift-certificates/{giftCertificate}/amount/{amount}", session, sel, addGiftCertificate)
	h.mux.HandleFunc("POST "+Prefix+"/selections/{selection}/gift-certificates/{giftCertificate}", h.wrap(addGiftCertificate, sel, true))
	h.mux.HandleFunc("POST "+Prefix+"/selections/{selection}/gift-certificates/{giftCertificate}/amount/{amount}", h.wrap(addGiftCertificate, sel, true))
	h.mux.HandleFunc("GET "+Prefix+"/payment-links/{selection}/{hash}/qr.png", h.guarded(h.linkQR("png")))
	h.mux.HandleFunc("GET "+Prefix+"/payment-links/{selection}/{hash}/qr.svg", h.guarded(h.linkQR("svg")))
	h.mux.HandleFunc("GET "+Prefix+"/test-payment/{ref}", h.guarded(h.testPaymentPage))
	h.mux.HandleFunc("GET "+Prefix+"/openapi.yaml", serveOpenAPI)
	h.mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		h.writeJSON(w, r, http.StatusNotFound, errorBody(nil, "route", "No Checkout API call "+r.Method+" "+strings.TrimPrefix(r.URL.Path, Prefix)+"; see "+Prefix+"/openapi.yaml."))
	})
}

func noop(*call) (any, error) { return nil, nil }

// guarded refuses, for a route that does not go through wrap, path
// values, query parameters and headers that no database can hold.
func (h *Handler) guarded(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if bad := textguard.Request(r, nil); bad != nil {
			h.writeJSON(w, r, http.StatusBadRequest, errorBody(nil, bad.Field, bad.Message))
			return
		}
		next(w, r)
	}
}

func attach(c *call) (any, error) {
	if err := c.h.svc.Attach(c.ctx, c.caller, c.r.PathValue("selection")); err != nil {
		return nil, err
	}
	c.selection = c.r.PathValue("selection")
	return nil, nil
}

// locationBody is PUT /selection.
type locationBody struct {
	Market    *flexID `json:"market"`
	Pricelist *flexID `json:"pricelist"`
	Country   *string `json:"country"`
	Language  *string `json:"language"`
}

func setLocation(c *call) (any, error) {
	var b locationBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if (b.Market != nil || b.Pricelist != nil) && !c.caller.Server {
		return nil, fmt.Errorf("only a server with the shared secret may set the market or pricelist: %w", seam.ErrForbidden)
	}
	var loc checkout.Location
	var err error
	if loc.Market, err = optID("market", b.Market); err != nil {
		return nil, err
	}
	if loc.Pricelist, err = optID("pricelist", b.Pricelist); err != nil {
		return nil, err
	}
	loc.Country, loc.Language = b.Country, b.Language
	return nil, c.h.svc.SetLocation(c.ctx, c.selection, loc)
}

// itemBody is the optional body of POST /items/{item}.
type itemBody struct {
	Quantity *flexInt `json:"quantity"`
}

func addItem(c *call) (any, error) {
	n := int64(1)
	if c.r.PathValue("quantity") != "" {
		var err error
		if n, err = c.quantity(); err != nil {
			return nil, err
		}
	} else {
		var b itemBody
		if err := c.decode(&b); err != nil {
			return nil, err
		}
		if b.Quantity != nil {
			n = int64(*b.Quantity)
			if n < 1 || n > checkout.MaxQuantity {
				return nil, &badRequest{field: "quantity", msg: "A quantity is a whole number from 1 to 10000."}
			}
		}
	}
	return nil, c.h.svc.AddItem(c.ctx, c.selection, c.r.PathValue("item"), n)
}

func lineDelta(sign int64, withQuantity bool) action {
	return func(c *call) (any, error) {
		n := int64(1)
		if withQuantity {
			var err error
			if n, err = c.quantity(); err != nil {
				return nil, err
			}
		}
		return nil, c.h.svc.ChangeLine(c.ctx, c.selection, c.r.PathValue("line"), sign*n)
	}
}

func removeLine(c *call) (any, error) {
	return nil, c.h.svc.RemoveLine(c.ctx, c.selection, c.r.PathValue("line"))
}

func setLine(c *call) (any, error) {
	n, err := c.quantity()
	if err != nil {
		return nil, err
	}
	return nil, c.h.svc.SetLine(c.ctx, c.selection, c.r.PathValue("line"), n)
}

type voucherBody struct {
	Voucher string `json:"voucher"`
}

func addVoucher(c *call) (any, error) {
	var b voucherBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if strings.TrimSpace(b.Voucher) == "" {
		return nil, c.h.svc.AddVoucher(c.ctx, c.selection, b.Voucher, c.caller.Token)
	}
	return nil, c.tryCode(func() error { return c.h.svc.AddVoucher(c.ctx, c.selection, b.Voucher, c.caller.Token) })
}

func removeVoucher(c *call) (any, error) {
	code := c.r.PathValue("voucher")
	if code == "" {
		var b voucherBody
		if err := c.decode(&b); err != nil {
			return nil, err
		}
		code = b.Voucher
	}
	if strings.TrimSpace(code) == "" {
		return nil, &badRequest{field: "voucher", msg: "Give the voucher code to remove."}
	}
	return nil, c.h.svc.RemoveVoucher(c.ctx, c.selection, code)
}

func setCountry(c *call) (any, error) {
	var state *string
	if s := c.r.PathValue("state"); s != "" {
		state = &s
	}
	return nil, c.h.svc.SetCountry(c.ctx, c.selection, c.r.PathValue("country"), state)
}

func setLanguage(c *call) (any, error) {
	return nil, c.h.svc.SetLanguage(c.ctx, c.selection, c.r.PathValue("language"))
}

func setShipping(c *call) (any, error) {
	n, err := c.pathInt("shippingMethod")
	if err != nil {
		return nil, err
	}
	return nil, c.h.svc.SetShippingMethod(c.ctx, c.selection, n)
}

func setPaymentMethod(c *call) (any, error) {
	n, err := c.pathInt("paymentMethod")
	if err != nil {
		return nil, err
	}
	return nil, c.h.svc.SetPaymentMethod(c.ctx, c.selection, n)
}

type addressBody struct {
	Address         *addressIn `json:"address"`
	ShippingAddress *addressIn `json:"shippingAddress"`
}

func setAddress(c *call) (any, error) {
	var b addressBody
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if b.Address == nil && b.ShippingAddress == nil {
		return nil, &badRequest{field: "address", msg: "Give address or shippingAddress."}
	}
	return nil, c.h.svc.SetAddress(c.ctx, c.selection, b.Address.domain(), b.ShippingAddress.domain())
}

func subscribe(c *call) (any, error) {
	var b struct {
		Email   string `json:"email"`
		Country string `json:"country"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if err := c.h.svc.Subscribe(c.ctx, c.selection, strings.TrimSpace(b.Email), b.Country); err != nil {
		return nil, err
	}
	return map[string]any{"token": c.token(), "subscribed": true}, nil
}

// flexID is an id a client may send as a string or a number.
type flexID string

// UnmarshalJSON accepts "12" and 12.
func (f *flexID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("an id is a string or a number, got %s", b)
	}
	*f = flexID(n.String())
	return nil
}

// optID reads an optional id.
func optID(field string, s *flexID) (*int64, error) {
	if s == nil {
		return nil, nil
	}
	n, err := strconv.ParseInt(string(*s), 10, 64)
	if err != nil || n < 1 {
		return nil, &badRequest{field: field, msg: field + " must be an id, got " + string(*s) + "."}
	}
	return &n, nil
}
