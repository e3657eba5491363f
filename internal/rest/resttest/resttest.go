// Package resttest holds the Checkout API's contract to tests: an HTTP
// transport that checks every request and answer passing through it
// against the OpenAPI document the API publishes (rest.OpenAPI), so that the
// document cannot drift from what the handlers do.
package resttest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"seam/internal/rest"
)

// contract is the loaded document and its router.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

// load reads and validates rest.OpenAPI once per test binary.
var load = sync.OnceValues(func() (*contract, error) {
	ctx := context.Background()
	// Pictures (payment link QR codes) are checked for their content type
	// only.
	for _, ct := range []string{"image/png", "image/svg+xml"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
	doc, err := openapi3.NewLoader().LoadFromData(rest.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("openapi.yaml is not a valid OpenAPI document: %w", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route openapi.yaml: %w", err)
	}
	return &contract{doc: doc, router: router}, nil
})

// Spec returns the Checkout API's OpenAPI document, loaded and validated;
// it stops the test when the document does not load or is not valid.
func Spec(t testing.TB) *openapi3.T {
	t.Helper()
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	return c.doc
}

type outsideKey struct{}

// OutsideContract marks a request that breaks the document on purpose (a
// quantity of 0, a server call without the shared secret), to test how the
// API refuses it. Its answer is still checked, and the request must really
// break the document: a marked request the document allows is reported,
// since the document would then be looser than the test believes.
func OutsideContract(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), outsideKey{}, true))
}

// Transport checks the requests it carries and their answers against the
// document and reports every mismatch with t.Errorf. Requests to paths the
// document does not describe (/graphql, the test payment page) pass
// unchecked.
type Transport struct {
	t    testing.TB
	c    *contract
	next http.RoundTripper

	mu        sync.Mutex
	exercised map[string]bool
}

// Validator wraps next (nil: http.DefaultTransport) in a Transport for t.
func Validator(t testing.TB, next http.RoundTripper) *Transport {
	t.Helper()
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &Transport{t: t, c: c, next: next, exercised: map[string]bool{}}
}

// Unexercised lists the document's operations ("POST /items/{item}") that
// no request through tr has reached, sorted.
func (tr *Transport) Unexercised() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []string
	for path, item := range tr.c.doc.Paths.Map() {
		for method := range item.Operations() {
			if op := method + " " + path; !tr.exercised[op] {
				out = append(out, op)
			}
		}
	}
	slices.Sort(out)
	return out
}

var options = &openapi3filter.Options{
	MultiError:            true,
	IncludeResponseStatus: true,
	SkipSettingDefaults:   true,
	AuthenticationFunc:    credentialsPresent,
	SchemaValidationOptions: []openapi3.SchemaValidationOption{
		openapi3.DisableSchemaErrorDetails(),
	},
}

// RoundTrip implements http.RoundTripper.
func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	// The document's server is the relative /api/checkout: route on the
	// path alone.
	routed := req.Clone(req.Context())
	routed.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	routed.Body, routed.GetBody = bodyOf(body)
	route, pathParams, err := tr.c.router.FindRoute(routed)
	if err != nil {
		return tr.next.RoundTrip(req)
	}
	what := req.Method + " " + req.URL.Path
	in := &openapi3filter.RequestValidationInput{Request: routed, PathParams: pathParams, Route: route, Options: options}
	reqErr := openapi3filter.ValidateRequest(req.Context(), in)
	_, outside := req.Context().Value(outsideKey{}).(bool)

	resp, err := tr.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("resttest: read the answer to %s: %w", what, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(answer))

	tr.mu.Lock()
	tr.exercised[route.Method+" "+route.Path] = true
	tr.mu.Unlock()

	switch {
	case reqErr != nil && !outside:
		tr.t.Errorf("%s → %d: the request does not match openapi.yaml: %v", what, resp.StatusCode, reqErr)
	case reqErr == nil && outside:
		tr.t.Errorf("%s → %d: the request is marked OutsideContract, but openapi.yaml allows it", what, resp.StatusCode)
	}
	respIn := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(answer)), Options: options}
	if err := openapi3filter.ValidateResponse(req.Context(), respIn); err != nil {
		tr.t.Errorf("%s → %d: the answer does not match openapi.yaml: %v\nanswer: %s", what, resp.StatusCode, err, clip(answer))
	}
	if resp.StatusCode == http.StatusNotFound && unrouted(answer) {
		tr.t.Errorf("%s → 404: openapi.yaml documents %s %s, but the server has no such route", what, route.Method, route.Path)
	}
	return resp, nil
}

// readBody reads a request's body and puts a fresh reader back.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("resttest: read the body of %s %s: %w", req.Method, req.URL.Path, err)
	}
	req.Body, req.GetBody = bodyOf(b)
	return b, nil
}

func bodyOf(b []byte) (io.ReadCloser, func() (io.ReadCloser, error)) {
	get := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	if b == nil {
		return http.NoBody, func() (io.ReadCloser, error) { return http.NoBody, nil }
	}
	rc, _ := get()
	return rc, get
}

// credentialsPresent checks that a request carries the credentials a
// security scheme names; whether they are valid is the server's to say.
func credentialsPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	s := in.SecurityScheme
	switch {
	case s.Type == "apiKey" && s.In == "header":
		if strings.TrimSpace(r.Header.Get(s.Name)) != "" {
			return nil
		}
		if s.Name == "API-Token" && strings.Contains(strings.ToLower(r.Header.Get("Accept")), "api-token=") {
			return nil
		}
		return in.NewError(fmt.Errorf("no %s header", s.Name))
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		for _, h := range []string{"Authorization", "API-Authorization"} {
			if scheme, tok, ok := strings.Cut(r.Header.Get(h), " "); ok && strings.EqualFold(scheme, "Bearer") && tok != "" {
				return nil
			}
		}
		return in.NewError(errors.New("no Authorization: Bearer header"))
	}
	return in.NewError(fmt.Errorf("resttest does not know security scheme %q", in.SecuritySchemeName))
}

// unrouted reports whether an answer is the Checkout API's "no such call"
// 404, which any path under /api/checkout/ gets without a handler.
func unrouted(answer []byte) bool {
	var e struct {
		Errors map[string]string `json:"errors"`
	}
	_ = json.Unmarshal(answer, &e)
	_, ok := e.Errors["route"]
	return ok
}

func clip(b []byte) string {
	const limit = 2000
	if len(b) > limit {
		return string(b[:limit]) + "…"
	}
	return string(b)
}
