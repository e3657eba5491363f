package resttest

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/legacy"

	"seam/internal/rest"
)

// loadMelStore reads and validates rest.MelStoreOpenAPI once per test
// binary.
var loadMelStore = sync.OnceValues(func() (*contract, error) {
	ctx := context.Background()
	doc, err := openapi3.NewLoader().LoadFromData(rest.MelStoreOpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load melstore.yaml: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("melstore.yaml is not a valid OpenAPI document: %w", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route melstore.yaml: %w", err)
	}
	return &contract{doc: doc, router: router}, nil
})

// MelStoreSpec returns the mel-store API's OpenAPI document
// (rest.MelStoreOpenAPI), loaded and validated; it stops the test when the
// document does not load or is not valid.
func MelStoreSpec(t testing.TB) *openapi3.T {
	t.Helper()
	c, err := loadMelStore()
	if err != nil {
		t.Fatal(err)
	}
	return c.doc
}

// MelStoreValidator is Validator for the mel-store API: it wraps next (nil:
// http.DefaultTransport) in a Transport that checks every request under
// /api/mel-store and its answer against rest.MelStoreOpenAPI, and passes
// other requests unchecked.
func MelStoreValidator(t testing.TB, next http.RoundTripper) *Transport {
	t.Helper()
	c, err := loadMelStore()
	if err != nil {
		t.Fatal(err)
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &Transport{t: t, c: c, next: next, exercised: map[string]bool{}}
}
