package payment

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripe/stripe-go/v84"

	"seam/internal/money"
	"seam/internal/seam"
)

// stripe-mock is started once, on the first test that needs it, unless
// SEAM_STRIPE_MOCK_URL names one already running.
var mock struct {
	once sync.Once
	url  string
	err  error
	cmd  *exec.Cmd
}

func TestMain(m *testing.M) {
	code := m.Run()
	if mock.cmd != nil {
		_ = mock.cmd.Process.Kill()
		_ = mock.cmd.Wait()
	}
	os.Exit(code)
}

// stripeMock returns a Stripe provider talking to stripe-mock, or skips
// (fails with SEAM_TEST_REQUIRE_STRIPE=1) when there is none.
func stripeMock(t *testing.T) *Stripe {
	t.Helper()
	mock.once.Do(func() { mock.url, mock.err = startStripeMock() })
	if mock.err != nil {
		if os.Getenv("SEAM_TEST_REQUIRE_STRIPE") == "1" {
			t.Fatalf("stripe-mock is required (SEAM_TEST_REQUIRE_STRIPE=1): %v", mock.err)
		}
		t.Skipf("no stripe-mock (%v); install it with go install github.com/stripe/stripe-mock@latest or set SEAM_STRIPE_MOCK_URL", mock.err)
	}
	return &Stripe{SecretKey: "sk_test_seam", PublishableKey: "pk_test_seam", APIURL: mock.url}
}

func startStripeMock() (string, error) {
	if base := os.Getenv("SEAM_STRIPE_MOCK_URL"); base != "" {
		return base, answers(base)
	}
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, _ := os.UserHomeDir()
			gopath = filepath.Join(home, "go")
		}
		bin = filepath.Join(gopath, "bin", "stripe-mock")
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("stripe-mock is neither on PATH nor at %s", bin)
		}
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s: %w", bin, err)
	}
	mock.cmd = cmd
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "Listening for HTTP at address: "); ok {
				found <- "http://" + addr
			}
		}
		close(found)
	}()
	select {
	case base, ok := <-found:
		if !ok {
			return "", errors.New("stripe-mock exited before it listened")
		}
		return base, answers(base)
	case <-time.After(30 * time.Second):
		return "", errors.New("stripe-mock did not listen within 30s")
	}
}

// answers checks that something speaks HTTP at base.
func answers(base string) error {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(base + "/v1/payment_intents")
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func TestStripeStartWithoutPaymentMethodAnswersForm(t *testing.T) {
	t.Parallel()
	s := stripeMock(t)
	a, err := s.Start(context.Background(), Start{Ref: "ref-form", Amount: money.New(29000, "SEK"), SelectionID: "sel1",
		Email: "shopper@example.com", ReturnURL: "https://shop.example/return?x=1"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != ActionForm {
		t.Fatalf("action = %q (%s), want form", a.Kind, a.Message)
	}
	if !strings.HasPrefix(a.External, "pi_") || a.FormFields["paymentIntent"] != a.External {
		t.Errorf("External %q, paymentIntent field %q: want the same pi_ id", a.External, a.FormFields["paymentIntent"])
	}
	if !strings.Contains(a.FormFields["clientSecret"], "_secret_") {
		t.Errorf("clientSecret = %q, want a PaymentIntent client secret", a.FormFields["clientSecret"])
	}
	if diff := cmp.Diff(map[string]string{"publishableKey": "pk_test_seam", "returnUrl": "https://shop.example/return?x=1"},
		map[string]string{"publishableKey": a.FormFields["publishableKey"], "returnUrl": a.FormFields["returnUrl"]}); diff != "" {
		t.Errorf("form fields (-want +got):\n%s", diff)
	}
	for _, want := range []string{`src="https://js.stripe.com/v3/"`, `"pk_test_seam"`, `"` + a.FormFields["clientSecret"] + `"`,
		`elements.create("payment")`, "confirmPayment", `return_url: "https://shop.example/return?x=1"`} {
		if !strings.Contains(a.FormHTML, want) {
			t.Errorf("form HTML lacks %s:\n%s", want, a.FormHTML)
		}
	}
}

func TestStripeFormNeedsReturnPage(t *testing.T) {
	t.Parallel()
	s := &Stripe{SecretKey: "sk_test_seam", PublishableKey: "pk_test_seam", APIURL: "http://127.0.0.1:1"}
	_, err := s.Start(context.Background(), Start{Ref: "r", Amount: money.New(100, "EUR")})
	if !errors.Is(err, seam.ErrInvalid) || !strings.Contains(err.Error(), "paymentReturnPage") {
		t.Errorf("err = %v, want an input error about paymentReturnPage", err)
	}
}

func TestStripeStartWithPaymentMethodConfirmsAtStripe(t *testing.T) {
	t.Parallel()
	s := stripeMock(t)
	a, err := s.Start(context.Background(), Start{Ref: "ref-pm", Amount: money.New(1099, "USD"), SelectionID: "sel2",
		ReturnURL: "https://shop.example/return", Fields: map[string]any{FieldStripePaymentMethod: "pm_card_visa"}})
	if err != nil {
		t.Fatal(err)
	}
	// stripe-mock answers every PaymentIntent with status
	// requires_payment_method, which authorizes nothing.
	if a.Kind != ActionFailed || !strings.Contains(a.Message, "requires_payment_method") || !strings.HasPrefix(a.External, "pi_") {
		t.Errorf("action = %+v, want failed for status requires_payment_method with the pi_ id", a)
	}
}

func TestStripeStartAsksForManualCaptureTaggedWithRef(t *testing.T) {
	t.Parallel()
	s := stripeMock(t)
	// A proxy in front of stripe-mock records what Seam sends, since
	// stripe-mock does not echo metadata back.
	target, err := url.Parse(s.APIURL)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var sent []url.Values
	proxy := httputil.NewSingleHostReverseProxy(target)
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		mu.Lock()
		sent = append(sent, form)
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	defer rec.Close()
	s.APIURL = rec.URL
	_, err = s.Start(context.Background(), Start{Ref: "ref-tag", Amount: money.New(29000, "SEK"), SelectionID: "sel3", Email: "a@example.com",
		ReturnURL: "https://shop.example/return", Fields: map[string]any{FieldStripePaymentMethod: " pm_card_visa "}})
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"amount": {"29000"}, "currency": {"sek"}, "capture_method": {"manual"}, "confirm": {"true"},
		"payment_method": {"pm_card_visa"}, "return_url": {"https://shop.example/return"}, "receipt_email": {"a@example.com"},
		"metadata[seam_ref]": {"ref-tag"}, "metadata[selection]": {"sel3"}, "automatic_payment_methods[enabled]": {"true"}}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 1 {
		t.Fatalf("sent %d requests, want 1", len(sent))
	}
	if diff := cmp.Diff(want, sent[0]); diff != "" {
		t.Errorf("create payment intent parameters (-want +got):\n%s", diff)
	}
}

func TestStripeStartRejectsNonStringPaymentMethod(t *testing.T) {
	t.Parallel()
	s := &Stripe{SecretKey: "sk_test_seam", APIURL: "http://127.0.0.1:1"}
	_, err := s.Start(context.Background(), Start{Ref: "r", Amount: money.New(100, "EUR"), Fields: map[string]any{FieldStripePaymentMethod: 42}})
	if !errors.Is(err, seam.ErrInvalid) || !strings.Contains(err.Error(), FieldStripePaymentMethod) {
		t.Errorf("err = %v, want an input error naming %s", err, FieldStripePaymentMethod)
	}
}

func TestStripeCompleteRefusesAnotherPaymentsIntent(t *testing.T) {
	t.Parallel()
	s := stripeMock(t)
	// stripe-mock's PaymentIntent is 10.99 USD without metadata: it was
	// not started for ref-mine, whatever the shopper claims.
	for _, in := range []Complete{
		{Ref: "ref-mine", Amount: money.New(1099, "USD"), Fields: map[string]any{FieldStripePaymentIntent: "pi_someone_else"}},
		{Ref: "ref-mine", Amount: money.New(1099, "USD"), External: "pi_someone_else"},
	} {
		res, err := s.Complete(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Authorized || !strings.Contains(res.Message, "pi_someone_else was not started for this payment") {
			t.Errorf("Complete(%+v) = %+v, want refused as another payment's", in, res)
		}
	}
}

func TestStripeCompleteWithoutPaymentIntentIsNotAuthorized(t *testing.T) {
	t.Parallel()
	s := &Stripe{SecretKey: "sk_test_seam", APIURL: "http://127.0.0.1:1"}
	res, err := s.Complete(context.Background(), Complete{Ref: "r", Amount: money.New(100, "EUR"), Fields: map[string]any{}})
	if err != nil || res.Authorized || !strings.Contains(res.Message, "payment_intent") {
		t.Errorf("Complete = %+v, %v; want not authorized naming payment_intent", res, err)
	}
}

func TestStripeCancelReachesStripe(t *testing.T) {
	t.Parallel()
	s := stripeMock(t)
	if err := s.Cancel(context.Background(), "pi_to_cancel"); err != nil {
		t.Errorf("Cancel: %v", err)
	}
	// An unreachable Stripe is an error, so the call above did reach it.
	down := &Stripe{SecretKey: "sk_test_seam", APIURL: "http://127.0.0.1:1"}
	if err := down.Cancel(context.Background(), "pi_to_cancel"); err == nil {
		t.Error("Cancel against nothing succeeded")
	}
}

func TestStripeCaptureRefusesUnauthorizedIntent(t *testing.T) {
	t.Parallel()
	s := stripeMock(t)
	// stripe-mock's PaymentIntent (10.99 USD) is in requires_payment_method.
	err := s.Capture(context.Background(), "pi_unpaid", money.New(1099, "USD"))
	if !errors.Is(err, seam.ErrConflict) || !strings.Contains(err.Error(), "requires_payment_method") {
		t.Errorf("Capture = %v, want a conflict about status requires_payment_method", err)
	}
}

func TestStripeErrorsDoNotCarryTheSecretKey(t *testing.T) {
	t.Parallel()
	s := &Stripe{SecretKey: "sk_test_do_not_show", APIURL: "http://127.0.0.1:1"}
	err := s.Cancel(context.Background(), "pi_x")
	if err == nil || strings.Contains(err.Error(), "do_not_show") {
		t.Errorf("err = %v, want an error without the secret key", err)
	}
	if got := fmt.Sprintf("%v %+v", s.SecretKey, s); strings.Contains(got, "do_not_show") {
		t.Errorf("formatting the provider shows the key: %s", got)
	}
}

func TestStripeStatusDecidesStartAction(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		pi   stripe.PaymentIntent
		want Action
	}{
		{"authorized", stripe.PaymentIntent{ID: "pi_1", Status: stripe.PaymentIntentStatusRequiresCapture},
			Action{Kind: ActionSuccess, External: "pi_1"}},
		{"captured", stripe.PaymentIntent{ID: "pi_1", Status: stripe.PaymentIntentStatusSucceeded},
			Action{Kind: ActionSuccess, External: "pi_1"}},
		{"3-D Secure", stripe.PaymentIntent{ID: "pi_1", Status: stripe.PaymentIntentStatusRequiresAction,
			NextAction: &stripe.PaymentIntentNextAction{Type: "redirect_to_url",
				RedirectToURL: &stripe.PaymentIntentNextActionRedirectToURL{URL: "https://hooks.stripe.com/3ds"}}},
			Action{Kind: ActionRedirect, URL: "https://hooks.stripe.com/3ds", External: "pi_1"}},
		{"action in the browser only", stripe.PaymentIntent{ID: "pi_1", Status: stripe.PaymentIntentStatusRequiresAction,
			NextAction: &stripe.PaymentIntentNextAction{Type: "use_stripe_sdk"}},
			Action{Kind: ActionFailed, External: "pi_1", Message: `Stripe asks for a step Seam cannot send the browser to (next action "use_stripe_sdk"); pay with the payment form instead (leave stripePaymentMethod out).`}},
		{"declined", stripe.PaymentIntent{ID: "pi_1", Status: stripe.PaymentIntentStatusRequiresPaymentMethod,
			LastPaymentError: &stripe.Error{Msg: "Your card was declined."}},
			Action{Kind: ActionFailed, External: "pi_1", Message: "Stripe did not authorize the payment: Your card was declined."}},
		{"no reason", stripe.PaymentIntent{ID: "pi_1", Status: stripe.PaymentIntentStatusRequiresPaymentMethod},
			Action{Kind: ActionFailed, External: "pi_1", Message: "Stripe did not authorize the payment (status requires_payment_method)."}},
		{"processing", stripe.PaymentIntent{ID: "pi_1", Status: stripe.PaymentIntentStatusProcessing},
			Action{Kind: ActionFailed, External: "pi_1", Message: "Stripe is still processing the payment; it is not authorized yet."}},
		{"canceled", stripe.PaymentIntent{ID: "pi_1", Status: stripe.PaymentIntentStatusCanceled},
			Action{Kind: ActionFailed, External: "pi_1", Message: "The Stripe payment was canceled."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, startOutcome(&tc.pi)); diff != "" {
				t.Errorf("startOutcome (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStripeCompleteAuthorizesOnlyThisPaymentsAmount(t *testing.T) {
	t.Parallel()
	mine := func(status stripe.PaymentIntentStatus) stripe.PaymentIntent {
		return stripe.PaymentIntent{ID: "pi_1", Amount: 29000, Currency: "sek", Status: status, ClientSecret: "pi_1_secret_a",
			Metadata: map[string]string{"seam_ref": "ref1", "selection": "sel1"}}
	}
	other := mine(stripe.PaymentIntentStatusRequiresCapture)
	other.Metadata = map[string]string{"seam_ref": "ref2"}
	cheaper := mine(stripe.PaymentIntentStatusRequiresCapture)
	cheaper.Amount = 100
	euro := mine(stripe.PaymentIntentStatusRequiresCapture)
	euro.Currency = "eur"
	declined := mine(stripe.PaymentIntentStatusRequiresPaymentMethod)
	declined.LastPaymentError = &stripe.Error{Msg: "Your card has insufficient funds."}
	for _, tc := range []struct {
		name   string
		pi     stripe.PaymentIntent
		secret string
		want   Result
	}{
		{"authorized", mine(stripe.PaymentIntentStatusRequiresCapture), "pi_1_secret_a", Result{Authorized: true, External: "pi_1"}},
		{"captured", mine(stripe.PaymentIntentStatusSucceeded), "", Result{Authorized: true, External: "pi_1"}},
		{"another payment's", other, "", Result{Foreign: true, Message: "Stripe payment intent pi_1 was not started for this payment."}},
		{"wrong client secret", mine(stripe.PaymentIntentStatusRequiresCapture), "pi_2_secret_b",
			Result{Foreign: true, Message: "The client secret does not belong to Stripe payment intent pi_1."}},
		{"other amount", cheaper, "", Result{Message: "Stripe payment intent pi_1 is for 1.00 SEK, but this payment is for 290.00 SEK."}},
		{"other currency", euro, "", Result{Message: "Stripe payment intent pi_1 is for 290.00 EUR, but this payment is for 290.00 SEK."}},
		{"declined", declined, "", Result{External: "pi_1", Message: "Stripe did not authorize the payment: Your card has insufficient funds."}},
		{"3-D Secure abandoned", mine(stripe.PaymentIntentStatusRequiresAction), "",
			Result{External: "pi_1", Message: "The shopper did not finish the Stripe payment (status requires_action)."}},
		{"canceled", mine(stripe.PaymentIntentStatusCanceled), "", Result{External: "pi_1", Message: "The Stripe payment was canceled."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := completeOutcome(&tc.pi, "ref1", money.New(29000, "SEK"), tc.secret)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("completeOutcome (-want +got):\n%s", diff)
			}
		})
	}
}
