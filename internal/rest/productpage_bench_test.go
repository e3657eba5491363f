package rest_test

import (
	"net/http"
	"testing"

	"seam/internal/dbtest"
)

// BenchmarkLinkPage renders a link's page over HTTP on SQLite.
func BenchmarkLinkPage(b *testing.B) {
	e := startPL(b, dbtest.SQLiteFrom(b, demoShop), "0.92")
	uuid := plUUID(b, e.createLink("1", plSeedExample))
	for b.Loop() {
		if a := e.pageGet("/p/1?uuid=" + uuid); a.status != http.StatusOK {
			b.Fatalf("status %d", a.status)
		}
	}
}

// BenchmarkCreateLink makes links over HTTP on SQLite (the seed's
// example, with its derived EUR price).
func BenchmarkCreateLink(b *testing.B) {
	e := startPL(b, dbtest.SQLiteFrom(b, demoShop), "0.92")
	for b.Loop() {
		if a := e.melCall("POST", "/products/1/payment-links", plSeedExample, "-"); a.status != http.StatusCreated {
			b.Fatalf("status %d", a.status)
		}
	}
}
