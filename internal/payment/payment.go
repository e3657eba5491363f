// Package payment talks to payment service providers. A Provider starts a
// payment for a selection (answering what the shopper's browser must do
// next), completes it from what the shopper's return carries, and voids an
// authorization that will not become an order. Two providers exist: test
// (built in, deterministic) and stripe.
package payment

import (
	"context"

	"seam/internal/money"
)

// Provider is a payment service provider.
type Provider interface {
	// Start begins paying in.Amount.
	Start(ctx context.Context, in Start) (Action, error)
	// Complete checks the fields the shopper came back with and reports
	// whether the amount is authorized.
	Complete(ctx context.Context, in Complete) (Result, error)
	// Cancel voids an authorization that will not become an order.
	Cancel(ctx context.Context, external string) error
}

// Start is what a provider needs to begin a payment.
type Start struct {
	// Ref is Seam's reference of this payment attempt.
	Ref         string
	Amount      money.Amount
	SelectionID string
	Email       string
	// ReturnURL and FailURL are the storefront's pages the shopper comes
	// back to (paymentReturnPage, paymentFailedPage).
	ReturnURL string
	FailURL   string
	// BaseURL is Seam's public URL, for pages Seam serves itself.
	BaseURL string
	// Fields are the shopper's provider-specific fields.
	Fields map[string]any
}

// Action kinds: what the storefront does after POST /payment.
const (
	ActionRedirect = "redirect"
	ActionForm     = "form"
	ActionSuccess  = "success"
	ActionFailed   = "failed"
)

// Action is what the storefront must do next.
type Action struct {
	Kind       string
	URL        string
	FormHTML   string
	FormFields map[string]string
	// External is the provider's reference of the payment.
	External string
	// Message says why a payment failed.
	Message string
}

// Complete is what a provider needs to finish a payment.
type Complete struct {
	Ref      string
	External string
	Amount   money.Amount
	// Fields are what the shopper came back with (paymentMethodFields).
	Fields map[string]any
}

// Result is the outcome of a payment.
type Result struct {
	Authorized bool
	External   string
	// Message says why a payment was not authorized.
	Message string
	// Foreign is set when the fields do not belong to this payment (an
	// earlier attempt's, forged, unknown to the provider): they say nothing
	// about it, so it stays in progress.
	Foreign bool
}

// Capturer is a Provider that takes money it authorized: all of it or a
// part (a shipment's worth). Capturing more than is authorized is the
// caller's to prevent; a provider that refuses returns an error wrapping
// seam.ErrConflict.
type Capturer interface {
	Capture(ctx context.Context, external string, amount money.Amount) error
}
