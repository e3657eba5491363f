package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Call names, as reports show them.
const (
	callSelection     = "selection"
	callProducts      = "products"
	callAddItem       = "add item"
	callCountry       = "country"
	callShipping      = "shipping"
	callPayment       = "payment"
	callPaymentResult = "payment-result"
	callReceipt       = "receipt"
)

var checkoutCalls = []string{callSelection, callProducts, callAddItem, callCountry, callShipping, callPayment, callPaymentResult, callReceipt}

// returnPage is the storefront page the test payment provider sends the
// shopper back to; the load test reads the signed fields off its URL.
const returnPage = "https://loadtest.invalid/return"

// guestCountry is where load-test guests ship to, and guestAddress the
// billing address they pay with.
const guestCountry = "SE"

var guestAddress = map[string]string{"email": "guest@loadtest.invalid", "firstName": "Load", "lastName": "Test",
	"address1": "Testgatan 1", "zipCode": "11122", "city": "Stockholm", "country": guestCountry}

// shopper is one guest of the Checkout API: a session token and the calls a
// storefront makes for it. It records the latency of every answered call.
type shopper struct {
	http  *http.Client
	base  string
	token string
	rec   *recorder
}

func newShopper(c *http.Client, base string, rec *recorder) *shopper {
	return &shopper{http: c, base: base + "/api/checkout", rec: rec}
}

// callError is a call that did not answer what a checkout expects.
type callError struct {
	Call string
	// Status is the HTTP status; 0 means no answer came.
	Status int
	Msg    string
}

func (e *callError) Error() string { return e.label() + ": " + e.Msg }

// label groups errors for the report: the call and what went wrong.
func (e *callError) label() string {
	if e.Status == 0 {
		return e.Call + ": no answer"
	}
	if e.Status == http.StatusOK {
		return e.Call + ": unexpected answer"
	}
	return e.Call + ": HTTP " + strconv.Itoa(e.Status)
}

// soldOut reports whether err is the Checkout API's 410: stock could not
// cover the selection.
func soldOut(err error) bool {
	var ce *callError
	return errors.As(err, &ce) && ce.Status == http.StatusGone
}

// do sends one call and decodes a 200 answer into out.
func (s *shopper) do(ctx context.Context, call, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.token != "" {
		req.Header.Set("API-Token", s.token)
	}
	start := time.Now()
	resp, err := s.http.Do(req)
	if err != nil {
		return &callError{Call: call, Msg: err.Error()}
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return &callError{Call: call, Msg: "reading the answer: " + err.Error()}
	}
	s.rec.add(call, time.Since(start))
	if resp.StatusCode != http.StatusOK {
		return &callError{Call: call, Status: resp.StatusCode, Msg: brief(raw)}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return &callError{Call: call, Status: resp.StatusCode, Msg: "the answer is not the JSON expected: " + err.Error()}
		}
	}
	return nil
}

// brief is the start of an answer body, for error samples.
func brief(raw []byte) string {
	s := strings.TrimSpace(string(raw))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// envelope is the part of the selection envelope a checkout reads.
type envelope struct {
	Token           string `json:"token"`
	ShippingMethods []struct {
		ShippingMethod string `json:"shippingMethod"`
	} `json:"shippingMethods"`
}

// start opens a session with an empty selection.
func (s *shopper) start(ctx context.Context) error {
	var env envelope
	if err := s.do(ctx, callSelection, http.MethodGet, "/selection", nil, &env); err != nil {
		return err
	}
	if env.Token == "" {
		return &callError{Call: callSelection, Status: http.StatusOK, Msg: "no token in the answer"}
	}
	s.token = env.Token
	return nil
}

// product is what POST /products lists of one product.
type product struct {
	Product string `json:"product"`
	Items   []struct {
		Item      string `json:"item"`
		Available bool   `json:"available"`
	} `json:"items"`
}

// products lists products matching search ("" for all) that have stock.
func (s *shopper) products(ctx context.Context, search string, limit int) ([]product, error) {
	var out struct {
		Products []product `json:"products"`
	}
	body := map[string]any{"limit": limit, "onlyAvailable": true}
	if search != "" {
		body["search"] = search
	}
	err := s.do(ctx, callProducts, http.MethodPost, "/products", body, &out)
	return out.Products, err
}

func (s *shopper) addItem(ctx context.Context, item string) error {
	return s.do(ctx, callAddItem, http.MethodPost, "/items/"+url.PathEscape(item), nil, nil)
}

// prepare sets the country and the first shipping method offered for it.
func (s *shopper) prepare(ctx context.Context, country string) error {
	var env envelope
	if err := s.do(ctx, callCountry, http.MethodPut, "/countries/"+url.PathEscape(country), nil, &env); err != nil {
		return err
	}
	if len(env.ShippingMethods) == 0 {
		return &callError{Call: callCountry, Status: http.StatusOK, Msg: "no shipping method offered for " + country}
	}
	return s.do(ctx, callShipping, http.MethodPut, "/shipping-methods/"+url.PathEscape(env.ShippingMethods[0].ShippingMethod), nil, nil)
}

// orderRef identifies an order in payment answers and the receipt.
type orderRef struct {
	Order  string `json:"order"`
	Number int64  `json:"number"`
}

type paymentAnswer struct {
	Action string            `json:"action"`
	URL    string            `json:"url"`
	Order  *orderRef         `json:"order"`
	Errors map[string]string `json:"errors"`
}

// purchase is how paying for a prepared selection went.
type purchase struct {
	// Settled is true once payment-result answered success.
	Settled bool
	// Paid is the order payment-result answered; nil when it answered
	// success without one.
	Paid *orderRef
	// Receipt is the order the receipt showed.
	Receipt *orderRef
}

// buy pays with the test provider, comes back with the signed fields and
// reads the receipt. A *callError with status 410 means sold out.
func (s *shopper) buy(ctx context.Context) (purchase, error) {
	var p purchase
	var pay paymentAnswer
	err := s.do(ctx, callPayment, http.MethodPost, "/payment", map[string]any{"termsAndConditions": true,
		"paymentReturnPage": returnPage, "address": guestAddress}, &pay)
	if err != nil {
		return p, err
	}
	var fields map[string]any
	switch pay.Action {
	case "redirect":
		u, err := url.Parse(pay.URL)
		if err != nil || !strings.HasPrefix(pay.URL, returnPage) || u.Query().Get("seam_payment") == "" {
			return p, &callError{Call: callPayment, Status: http.StatusOK, Msg: fmt.Sprintf("redirect to %q, not to the return page with the test provider's fields", pay.URL)}
		}
		fields = map[string]any{}
		for k, v := range u.Query() {
			fields[k] = v[0]
		}
	case "success":
		// Approved at once: payment-result confirms with no fields.
		fields = map[string]any{}
	default:
		return p, &callError{Call: callPayment, Status: http.StatusOK, Msg: fmt.Sprintf("action %q %v", pay.Action, pay.Errors)}
	}
	var res paymentAnswer
	if err := s.do(ctx, callPaymentResult, http.MethodPost, "/payment-result", map[string]any{"paymentMethodFields": fields}, &res); err != nil {
		return p, err
	}
	if res.Action != "success" {
		return p, &callError{Call: callPaymentResult, Status: http.StatusOK, Msg: fmt.Sprintf("action %q %v", res.Action, res.Errors)}
	}
	p.Settled, p.Paid = true, res.Order
	var rec struct {
		Order *orderRef `json:"order"`
	}
	if err := s.do(ctx, callReceipt, http.MethodGet, "/receipt", nil, &rec); err != nil {
		return p, err
	}
	p.Receipt = rec.Order
	return p, nil
}

// matches reports whether the receipt shows the order payment-result
// answered.
func (p purchase) matches() bool {
	return p.Paid != nil && p.Receipt != nil && p.Paid.Order != "" && *p.Paid == *p.Receipt
}

// send makes one call and returns its status and body whatever the status,
// for a run that tells refusals apart by what they say. Only a call that got
// no answer is an error: a *callError with status 0.
func (s *shopper) send(ctx context.Context, call, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.token != "" {
		req.Header.Set("API-Token", s.token)
	}
	start := time.Now()
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, nil, &callError{Call: call, Msg: err.Error()}
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, nil, &callError{Call: call, Msg: "reading the answer: " + err.Error()}
	}
	s.rec.add(call, time.Since(start))
	return resp.StatusCode, raw, nil
}
