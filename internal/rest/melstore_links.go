package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"seam/internal/money"
	"seam/internal/productlink"
	"seam/internal/store"
	"seam/internal/textguard"
)

// melMaxBody is the largest create body: 16 KiB of metadata and a few
// prices fit many times over.
const melMaxBody = 256 << 10

// linkJSON is a link as POST answers it: seed 002's {uuid, metadata,
// payment_link, use_once} and Seam's additions.
type linkJSON struct {
	UUID        string          `json:"uuid"`
	Metadata    json.RawMessage `json:"metadata"`
	PaymentLink string          `json:"payment_link"`
	UseOnce     bool            `json:"use_once"`
	ExpiresAt   *string         `json:"expires_at"`
	Prices      []linkPriceJSON `json:"prices"`
	QRCode      qrJSON          `json:"qr_code"`
}

type linkPriceJSON struct {
	CurrencyID      int64        `json:"currency_id"`
	Currency        string       `json:"currency"`
	Price           json.Number  `json:"price"`
	IsDiscountPrice bool         `json:"is_discount_price"`
	DiscountPrice   *json.Number `json:"discount_price"`
	DerivedFrom     *string      `json:"derived_from"`
	ExchangeRate    *json.Number `json:"exchange_rate"`
}

type qrJSON struct {
	PNG string `json:"png"`
	SVG string `json:"svg"`
}

// createLink is POST /products/{productId}/payment-links.
func createLink(c *melCall) (melStatus, error) {
	productID, err := melProductID(c.r)
	if err != nil {
		return melStatus{}, err
	}
	in, err := readCreate(c.w, c.r)
	if err != nil {
		return melStatus{}, err
	}
	made, err := productlink.Create(c.ctx, c.h.cfg.DB, c.token.Actor(), productID, in, c.h.cfg.Now())
	if err != nil {
		return melStatus{}, err
	}
	ids, err := currencyIDs(c)
	if err != nil {
		return melStatus{}, err
	}
	base := publicBase(c.h.cfg.BaseURL, c.r)
	page := productlink.URL(base, productID, made.UUID)
	out := linkJSON{UUID: made.UUID, Metadata: productlink.MetadataJSON(made.Link), PaymentLink: page, UseOnce: made.Link.UseOnce,
		Prices: []linkPriceJSON{}, QRCode: qrJSON{PNG: productlink.QRURL(base, productID, made.UUID, "png"), SVG: productlink.QRURL(base, productID, made.UUID, "svg")}}
	if made.Link.ExpiresAt != nil {
		s := made.Link.ExpiresAt.UTC().Format(time.RFC3339)
		out.ExpiresAt = &s
	}
	for _, p := range made.Prices {
		lp := linkPriceJSON{CurrencyID: ids[p.Currency], Currency: p.Currency, Price: json.Number(money.New(p.Price, p.Currency).Number()),
			IsDiscountPrice: p.Discount != nil, DerivedFrom: p.DerivedFrom}
		if p.Discount != nil {
			lp.DiscountPrice = ptr(json.Number(money.New(*p.Discount, p.Currency).Number()))
		}
		if p.Rate != nil {
			lp.ExchangeRate = ptr(json.Number(*p.Rate))
		}
		out.Prices = append(out.Prices, lp)
	}
	return melStatus{status: http.StatusCreated, body: out}, nil
}

// deleteLink is DELETE /products/{productId}/payment-links/{uuid} and
// DELETE /{productId}/payment-links/{uuid}.
func deleteLink(c *melCall) (melStatus, error) {
	productID, err := melProductID(c.r)
	if err != nil {
		return melStatus{}, err
	}
	if err := productlink.Delete(c.ctx, c.h.cfg.DB, c.token.Actor(), productID, c.r.PathValue("uuid"), c.h.cfg.Now()); err != nil {
		return melStatus{}, err
	}
	return melStatus{status: http.StatusNoContent}, nil
}

// melProductID reads the {productId} path value.
func melProductID(r *http.Request) (int64, error) {
	s := r.PathValue("productId")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0, invalidField("productId", "productId must be a product id (a positive whole number), got %q.", s)
	}
	return n, nil
}

// createFields are the fields POST …/payment-links takes.
var createFields = []string{"prices", "use_once", "metadata", "expires_at"}

// readCreate reads a create body exactly: amounts keep the digits sent,
// and every field has the type seed 002 gives it.
func readCreate(w http.ResponseWriter, r *http.Request) (productlink.CreateInput, error) {
	var in productlink.CreateInput
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, melMaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return in, &melBad{status: http.StatusRequestEntityTooLarge, field: "body", msg: fmt.Sprintf("The request body is over %d bytes.", melMaxBody)}
		}
		return in, &melBad{status: http.StatusBadRequest, field: "body", msg: "Could not read the request body."}
	}
	// Text that is not UTF-8 gets the field's own 422 below; a NUL, which
	// JSON can carry in valid UTF-8, is refused here.
	if bad := textguard.JSON(raw); bad != nil && utf8.Valid(raw) {
		return in, &melBad{status: http.StatusBadRequest, field: bad.Field, msg: bad.Message}
	}
	var body map[string]json.RawMessage
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			return in, &melBad{status: http.StatusBadRequest, field: "body", msg: "The body is not a JSON object: " + err.Error() + "."}
		}
		if dec.More() {
			return in, &melBad{status: http.StatusBadRequest, field: "body", msg: "The body holds more than one JSON value."}
		}
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(createFields, k) {
			return in, invalidField(k, "%s is not a field of a payment link; the fields are %s.", k, strings.Join(createFields, ", "))
		}
	}
	if v, ok := present(body, "prices"); ok {
		var list []json.RawMessage
		if err := json.Unmarshal(v, &list); err != nil {
			return in, invalidField("prices", "prices must be a list of prices, such as [{\"currency_id\": 2, \"price\": 25, \"is_discount_price\": false}].")
		}
		in.Prices = []productlink.PriceInput{}
		for i, item := range list {
			p, err := readPrice(i, item)
			if err != nil {
				return in, err
			}
			in.Prices = append(in.Prices, p)
		}
	}
	if v, ok := present(body, "use_once"); ok {
		if err := json.Unmarshal(v, &in.UseOnce); err != nil {
			return in, invalidField("use_once", "use_once must be true or false.")
		}
	}
	in.Metadata = body["metadata"]
	if v, ok := present(body, "expires_at"); ok {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return in, invalidField("expires_at", "expires_at must be an ISO 8601 date and time as a string, such as \"2030-01-31T23:59:59Z\".")
		}
		t, err := parseTime(s)
		if err != nil {
			return in, invalidField("expires_at", "expires_at %q is not an ISO 8601 date and time such as 2030-01-31T23:59:59Z.", s)
		}
		in.ExpiresAt = &t
	}
	return in, nil
}

// readPrice reads prices[i].
func readPrice(i int, raw json.RawMessage) (productlink.PriceInput, error) {
	var p productlink.PriceInput
	path := "prices." + strconv.Itoa(i)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return p, invalidField(path, "%s must be an object {currency_id, price, is_discount_price, discount_price}.", path)
	}
	for k := range fields {
		if !slices.Contains([]string{"currency_id", "price", "is_discount_price", "discount_price"}, k) {
			return p, invalidField(path+"."+k, "%s is not a field of a price; the fields are currency_id, price, is_discount_price, discount_price.", k)
		}
	}
	if v, ok := present(fields, "currency_id"); ok {
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return p, invalidField(path+".currency_id", "currency_id must be a whole number, such as 2 for USD.")
		}
		p.CurrencyID = &n
	}
	for name, dst := range map[string]**string{"price": &p.Price, "discount_price": &p.DiscountPrice} {
		if v, ok := present(fields, name); ok {
			var n json.Number
			if err := json.Unmarshal(v, &n); err != nil || !isJSONNumber(v) {
				return p, invalidField(path+"."+name, "%s must be a number such as 100.55, not %s.", name, clipValue(v))
			}
			s := n.String()
			*dst = &s
		}
	}
	if v, ok := present(fields, "is_discount_price"); ok {
		var b bool
		if err := json.Unmarshal(v, &b); err != nil {
			return p, invalidField(path+".is_discount_price", "is_discount_price must be true or false.")
		}
		p.IsDiscountPrice = &b
	}
	return p, nil
}

// present returns a field that is there and not null.
func present(m map[string]json.RawMessage, k string) (json.RawMessage, bool) {
	v, ok := m[k]
	if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return nil, false
	}
	return v, true
}

func isJSONNumber(v json.RawMessage) bool {
	t := bytes.TrimSpace(v)
	return len(t) > 0 && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9'))
}

func clipValue(v json.RawMessage) string {
	s := string(bytes.TrimSpace(v))
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// parseTime reads an ISO 8601 date and time; one without a zone is UTC.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not ISO 8601: %q", s)
}

// currencyIDs maps codes to the API's currency ids.
func currencyIDs(c *melCall) (map[string]int64, error) {
	cs, err := store.Currencies(c.ctx, c.h.cfg.DB.Read())
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, cur := range cs {
		out[cur.Code] = cur.ID
	}
	return out, nil
}

// currencyJSON is a currency as GET /currencies lists it.
type currencyJSON struct {
	ID          int64   `json:"id"`
	Code        string  `json:"code"`
	Decimals    int     `json:"decimals"`
	DerivedFrom *string `json:"derived_from"`
}

// currencies is GET /currencies.
func currencies(c *melCall) (melStatus, error) {
	cs, err := store.Currencies(c.ctx, c.h.cfg.DB.Read())
	if err != nil {
		return melStatus{}, err
	}
	out := []currencyJSON{}
	for _, cur := range cs {
		digits, err := money.Digits(cur.Code)
		if err != nil {
			return melStatus{}, err
		}
		out = append(out, currencyJSON{ID: cur.ID, Code: cur.Code, Decimals: digits, DerivedFrom: productlink.DerivedFrom(cur.Code)})
	}
	return melStatus{status: http.StatusOK, body: out}, nil
}
