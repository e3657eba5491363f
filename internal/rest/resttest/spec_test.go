package resttest_test

import (
	"testing"

	"seam/internal/rest/resttest"
)

func TestOpenAPIDocumentLoadsAndValidates(t *testing.T) {
	t.Parallel()
	doc := resttest.Spec(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
}
