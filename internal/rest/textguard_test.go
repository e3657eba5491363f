package rest_test

import (
	"net/http"
	"testing"

	"seam/internal/db"
	"seam/internal/dbtest"
)

// TestNULAndInvalidUTF8AreRefusedNamingTheField sends the inputs that
// PostgreSQL cannot store (a NUL, bytes that are not UTF-8) in path values,
// bodies and headers: both engines answer the same 400 naming the field,
// never a 500.
func TestNULAndInvalidUTF8AreRefusedNamingTheField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path, field string
		body                any
		header              string
	}{
		{"PUT", "/selections/%00", "selection", nil, ""},
		{"PUT", "/countries/%00", "country", nil, ""},
		{"PUT", "/countries/SE/states/%ff", "state", nil, ""},
		{"POST", "/items/gift-certificates/%ff", "giftCertificate", nil, ""},
		{"POST", "/items/%00", "item", nil, ""},
		{"DELETE", "/vouchers/%00", "voucher", nil, ""},
		{"POST", "/products", "search", []byte(`{"search": "\u0000"}`), ""},
		{"PUT", "/selection", "country", []byte(`{"country": "S\u0000E"}`), ""},
		{"PUT", "/address", "address.city", []byte(`{"address": {"city": "\u0000"}}`), ""},
		{"POST", "/vouchers", "body", []byte("{\"voucher\": \"\xff\"}"), ""},
		{"POST", "/products?x=%00", "x", nil, ""},
		{"POST", "/items/" + tee, "Idempotency-Key", nil, "\xff\xfe"},
	}
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		a := startAPI(t, d)
		// Not checked against openapi.yaml: these bodies match its schemas.
		b := a.quickBrowser(t)
		b.must(http.StatusOK, "GET", "/selection", nil)
		for _, tc := range tests {
			var opts []option
			if tc.header != "" {
				opts = append(opts, header("Idempotency-Key", tc.header))
			}
			b.fails(http.StatusBadRequest, tc.field, tc.method, tc.path, tc.body, opts...)
		}
		// Nothing was stored: the selection is still empty and usable.
		s := b.must(http.StatusOK, "POST", "/items/"+tee, nil)
		if n := len(s.list("selection", "items")); n != 1 {
			t.Errorf("after the refused calls the selection has %d items, want 1", n)
		}
	})
}
