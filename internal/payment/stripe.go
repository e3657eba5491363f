package payment

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"sync"

	"github.com/stripe/stripe-go/v84"

	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/secret"
)

// Field names of the Stripe provider.
const (
	// FieldStripePaymentMethod is the paymentMethodSpecificFields entry
	// with a Stripe payment method ("pm_card_visa") to confirm server-side.
	FieldStripePaymentMethod = "stripePaymentMethod"
	// FieldStripePaymentIntent and FieldStripeClientSecret are what Stripe
	// adds to the return page's URL, and the storefront passes on as
	// paymentMethodFields.
	FieldStripePaymentIntent = "payment_intent"
	FieldStripeClientSecret  = "payment_intent_client_secret"
)

// Stripe pays with Stripe PaymentIntents, authorizing now and capturing
// later (capture_method=manual). With a payment method in the shopper's
// fields it confirms server-side; without one it answers a form that mounts
// Stripe's Payment Element. Use it by pointer; it builds its client on
// first use.
type Stripe struct {
	// SecretKey authenticates Seam to Stripe (sk_live_…, sk_test_…). It
	// never appears in logs or errors.
	SecretKey secret.Secret
	// PublishableKey is handed to Stripe.js in the browser (pk_…).
	PublishableKey string
	// APIURL overrides Stripe's API base URL, e.g. stripe-mock's
	// http://127.0.0.1:12111; empty means https://api.stripe.com.
	APIURL string

	once   sync.Once
	client *stripe.Client
}

func (s *Stripe) api() *stripe.Client {
	s.once.Do(func() {
		cfg := &stripe.BackendConfig{
			// Errors come back to the caller; Stripe's own logger would
			// print them a second time, outside Seam's log.
			LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
		}
		if s.APIURL != "" {
			cfg.URL = stripe.String(s.APIURL)
		}
		s.client = stripe.NewClient(s.SecretKey.Reveal(), stripe.WithBackends(stripe.NewBackendsWithConfig(cfg)))
	})
	return s.client
}

// Start implements Provider: it creates a PaymentIntent for in.Amount
// tagged with in.Ref and, when the shopper gave a payment method, confirms
// it at once.
func (s *Stripe) Start(ctx context.Context, in Start) (Action, error) {
	pm, err := stringField(in.Fields, FieldStripePaymentMethod)
	if err != nil {
		return Action{}, err
	}
	if pm == "" && in.ReturnURL == "" {
		return Action{}, seam.Invalid(seam.P("paymentReturnPage"),
			"Stripe's payment form needs paymentReturnPage, the page the shopper comes back to after paying.")
	}
	if pm == "" && s.PublishableKey == "" {
		return Action{}, errors.New("stripe: no publishable key is configured (--stripe-publishable-key), so the payment form cannot be shown")
	}
	p := &stripe.PaymentIntentCreateParams{
		Amount:                  stripe.Int64(in.Amount.Minor),
		Currency:                stripe.String(strings.ToLower(in.Amount.Currency)),
		CaptureMethod:           stripe.String(string(stripe.PaymentIntentCaptureMethodManual)),
		AutomaticPaymentMethods: &stripe.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true)},
		Metadata:                map[string]string{"seam_ref": in.Ref, "selection": in.SelectionID},
	}
	// The reference is new for every attempt, so a retried request cannot
	// make a second PaymentIntent.
	p.SetIdempotencyKey("seam-start-" + in.Ref)
	if in.Email != "" {
		p.ReceiptEmail = stripe.String(in.Email)
	}
	if pm != "" {
		p.PaymentMethod = stripe.String(pm)
		p.Confirm = stripe.Bool(true)
		if in.ReturnURL != "" {
			p.ReturnURL = stripe.String(in.ReturnURL)
		} else {
			// Nowhere to come back to: only methods without a redirect.
			p.AutomaticPaymentMethods.AllowRedirects = stripe.String("never")
		}
	}
	pi, err := s.api().V1PaymentIntents.Create(ctx, p)
	if err != nil {
		if msg, ok := shopperError(err); ok {
			return Action{Kind: ActionFailed, Message: msg}, nil
		}
		return Action{}, apiError("create payment intent", err)
	}
	if pm != "" {
		return startOutcome(pi), nil
	}
	fields := map[string]string{
		"clientSecret":   pi.ClientSecret,
		"paymentIntent":  pi.ID,
		"publishableKey": s.PublishableKey,
		"returnUrl":      in.ReturnURL,
	}
	var html strings.Builder
	if err := stripeForm.Execute(&html, fields); err != nil {
		return Action{}, fmt.Errorf("stripe: payment form: %w", err)
	}
	return Action{Kind: ActionForm, FormHTML: html.String(), FormFields: fields, External: pi.ID}, nil
}

// startOutcome decides what the browser does after a server-side confirm.
func startOutcome(pi *stripe.PaymentIntent) Action {
	a := Action{External: pi.ID}
	switch pi.Status {
	case stripe.PaymentIntentStatusRequiresCapture, stripe.PaymentIntentStatusSucceeded:
		a.Kind = ActionSuccess
	case stripe.PaymentIntentStatusRequiresAction:
		if na := pi.NextAction; na != nil && na.RedirectToURL != nil && na.RedirectToURL.URL != "" {
			a.Kind, a.URL = ActionRedirect, na.RedirectToURL.URL
			break
		}
		next := "none"
		if pi.NextAction != nil {
			next = string(pi.NextAction.Type)
		}
		a.Kind = ActionFailed
		a.Message = fmt.Sprintf("Stripe asks for a step Seam cannot send the browser to (next action %q); pay with the payment form instead (leave %s out).",
			next, FieldStripePaymentMethod)
	default:
		a.Kind = ActionFailed
		a.Message = notAuthorized(pi)
	}
	return a
}

// Complete implements Provider: it fetches the PaymentIntent the shopper
// came back with (or the one Start confirmed) and checks that it is
// authorized, for this payment and for its amount.
func (s *Stripe) Complete(ctx context.Context, in Complete) (Result, error) {
	id, err := stringField(in.Fields, FieldStripePaymentIntent)
	if err != nil {
		return Result{}, err
	}
	if id == "" {
		id = in.External
	}
	if id == "" {
		return Result{Message: "The shopper came back without a Stripe payment (no payment_intent field)."}, nil
	}
	clientSecret, err := stringField(in.Fields, FieldStripeClientSecret)
	if err != nil {
		return Result{}, err
	}
	pi, err := s.api().V1PaymentIntents.Retrieve(ctx, id, nil)
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && se.Code == stripe.ErrorCodeResourceMissing {
			return Result{Foreign: true, Message: fmt.Sprintf("Stripe knows no payment intent %q.", id)}, nil
		}
		return Result{}, apiError("retrieve payment intent", err)
	}
	return completeOutcome(pi, in.Ref, in.Amount, clientSecret), nil
}

// completeOutcome decides whether a PaymentIntent authorizes the payment
// ref of amount. clientSecret, when the shopper brought one, must be the
// PaymentIntent's.
func completeOutcome(pi *stripe.PaymentIntent, ref string, amount money.Amount, clientSecret string) Result {
	switch {
	case clientSecret != "" && clientSecret != pi.ClientSecret:
		return Result{Foreign: true, Message: fmt.Sprintf("The client secret does not belong to Stripe payment intent %s.", pi.ID)}
	case pi.Metadata["seam_ref"] != ref:
		return Result{Foreign: true, Message: fmt.Sprintf("Stripe payment intent %s was not started for this payment.", pi.ID)}
	case pi.Amount != amount.Minor || !strings.EqualFold(string(pi.Currency), amount.Currency):
		got := money.New(pi.Amount, strings.ToUpper(string(pi.Currency)))
		return Result{Message: fmt.Sprintf("Stripe payment intent %s is for %s, but this payment is for %s.", pi.ID, got, amount)}
	}
	switch pi.Status {
	case stripe.PaymentIntentStatusRequiresCapture, stripe.PaymentIntentStatusSucceeded:
		return Result{Authorized: true, External: pi.ID}
	default:
		return Result{External: pi.ID, Message: notAuthorized(pi)}
	}
}

// notAuthorized says why a PaymentIntent in status pi.Status authorizes
// nothing.
func notAuthorized(pi *stripe.PaymentIntent) string {
	switch pi.Status {
	case stripe.PaymentIntentStatusCanceled:
		return "The Stripe payment was canceled."
	case stripe.PaymentIntentStatusProcessing:
		return "Stripe is still processing the payment; it is not authorized yet."
	case stripe.PaymentIntentStatusRequiresAction, stripe.PaymentIntentStatusRequiresConfirmation:
		return fmt.Sprintf("The shopper did not finish the Stripe payment (status %s).", pi.Status)
	}
	if e := pi.LastPaymentError; e != nil && e.Msg != "" {
		return "Stripe did not authorize the payment: " + e.Msg
	}
	return fmt.Sprintf("Stripe did not authorize the payment (status %s).", pi.Status)
}

// Cancel implements Provider: it cancels the PaymentIntent, voiding its
// authorization. One already canceled is left as it is.
func (s *Stripe) Cancel(ctx context.Context, external string) error {
	if external == "" {
		return nil
	}
	_, err := s.api().V1PaymentIntents.Cancel(ctx, external, nil)
	if err == nil {
		return nil
	}
	var se *stripe.Error
	if errors.As(err, &se) && se.Code == stripe.ErrorCodePaymentIntentUnexpectedState {
		pi, rerr := s.api().V1PaymentIntents.Retrieve(ctx, external, nil)
		if rerr == nil && pi.Status == stripe.PaymentIntentStatusCanceled {
			return nil
		}
	}
	return apiError("cancel payment intent "+external, err)
}

// Capture takes amount (at most what was authorized) of the authorized
// PaymentIntent external. Capturing again what was already captured
// succeeds; anything else that is not authorized is a seam.ErrConflict.
func (s *Stripe) Capture(ctx context.Context, external string, amount money.Amount) error {
	pi, err := s.api().V1PaymentIntents.Retrieve(ctx, external, nil)
	if err != nil {
		return apiError("retrieve payment intent "+external, err)
	}
	if !strings.EqualFold(string(pi.Currency), amount.Currency) {
		return fmt.Errorf("capture %s of Stripe payment intent %s in %s: %w", amount, pi.ID, strings.ToUpper(string(pi.Currency)), seam.ErrConflict)
	}
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
		if pi.AmountReceived == amount.Minor {
			return nil
		}
		return fmt.Errorf("capture %s: Stripe payment intent %s already captured %d minor units: %w", amount, pi.ID, pi.AmountReceived, seam.ErrConflict)
	case stripe.PaymentIntentStatusRequiresCapture:
	default:
		return fmt.Errorf("capture %s: Stripe payment intent %s is not authorized (status %s): %w", amount, pi.ID, pi.Status, seam.ErrConflict)
	}
	if amount.Minor <= 0 || amount.Minor > pi.AmountCapturable {
		return fmt.Errorf("capture %s: Stripe payment intent %s can capture %d minor units: %w", amount, pi.ID, pi.AmountCapturable, seam.ErrConflict)
	}
	p := &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(amount.Minor)}
	p.SetIdempotencyKey("seam-capture-" + external + "-" + strconv.FormatInt(amount.Minor, 10))
	if _, err := s.api().V1PaymentIntents.Capture(ctx, external, p); err != nil {
		return apiError("capture payment intent "+external, err)
	}
	return nil
}

// shopperError reports whether a failed create-and-confirm is the shopper's
// to fix (a declined card, an unusable payment method) and says why.
func shopperError(err error) (string, bool) {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return "", false
	}
	switch {
	case se.Type == stripe.ErrorTypeCard:
		return "Stripe declined the payment: " + se.Msg, true
	case se.Code == stripe.ErrorCodePaymentIntentAuthenticationFailure:
		return "The payment could not be authenticated: " + se.Msg, true
	case se.Type == stripe.ErrorTypeInvalidRequest && se.Param == "payment_method":
		return fmt.Sprintf("Stripe does not accept the payment method in %s: %s", FieldStripePaymentMethod, se.Msg), true
	}
	return "", false
}

// apiError shortens a Stripe error to its message, code and request id:
// the full error carries the PaymentIntent with its client secret, which
// does not belong in logs.
func apiError(op string, err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("stripe: %s: %w", op, err)
	}
	msg := fmt.Sprintf("stripe: %s: %s", op, se.Msg)
	if se.Code != "" {
		msg += " (" + string(se.Code) + ")"
	}
	if se.RequestID != "" {
		msg += " [request " + se.RequestID + "]"
	}
	return errors.New(msg)
}

// stringField returns fields[name] when it is a string, "" when it is
// missing, and an input error otherwise.
func stringField(fields map[string]any, name string) (string, error) {
	v, ok := fields[name]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", seam.Invalid(seam.P(name), "%s must be a string, got %T.", name, v)
	}
	return strings.TrimSpace(s), nil
}

// stripeForm mounts Stripe's Payment Element and confirms to returnUrl;
// Stripe then sends the shopper there with payment_intent and
// payment_intent_client_secret, which the storefront passes on as
// paymentMethodFields.
var stripeForm = template.Must(template.New("stripe").Parse(`<form id="seam-stripe-form">
<div id="seam-stripe-element"></div>
<button type="submit">Pay</button>
<div id="seam-stripe-message" role="alert"></div>
</form>
<script src="https://js.stripe.com/v3/"></script>
<script>
(function () {
  var stripe = Stripe({{.publishableKey}});
  var elements = stripe.elements({clientSecret: {{.clientSecret}}});
  elements.create("payment").mount("#seam-stripe-element");
  var form = document.getElementById("seam-stripe-form");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    form.querySelector("button").disabled = true;
    stripe.confirmPayment({elements: elements, confirmParams: {return_url: {{.returnUrl}}}}).then(function (r) {
      if (r.error) {
        document.getElementById("seam-stripe-message").textContent = r.error.message;
        form.querySelector("button").disabled = false;
      }
    });
  });
})();
</script>
`))
