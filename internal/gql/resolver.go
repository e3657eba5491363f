package gql

import (
	"log/slog"
	"time"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/media"
	"seam/internal/payment"
)

// Resolver is the root of the Integration API resolvers; it holds what they
// share. Resolvers stay thin: they call domain functions and load results.
type Resolver struct {
	DB  *db.DB
	Log *slog.Logger
	// Now is the clock (time.Now unless a test sets it).
	Now func() time.Time
	// Checkout voids the payments of cancelled orders; nil voids none.
	Checkout *checkout.Service
	// Payments are the payment providers by name, for captures.
	Payments map[string]payment.Provider
	// Media stores product pictures; nil refuses createProductMedia.
	Media *media.Library
}
