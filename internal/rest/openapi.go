package rest

import (
	_ "embed"
	"net/http"
)

// OpenAPI is the Checkout API's contract, served at
// /api/checkout/openapi.yaml and checked against every request and answer
// of the test suite.
//
//go:embed openapi.yaml
var OpenAPI []byte

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(OpenAPI)
}
