package rest_test

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"seam/internal/checkout"
	"seam/internal/dbtest"
	"seam/internal/payment"
	"seam/internal/seam"
	plshop "seam/internal/shop"
)

// plStripeMock starts stripe-mock for one test, or skips (fails with
// SEAM_TEST_REQUIRE_STRIPE=1) when there is none; SEAM_STRIPE_MOCK_URL
// names one already running.
func plStripeMock(t *testing.T) string {
	t.Helper()
	if base := os.Getenv("SEAM_STRIPE_MOCK_URL"); base != "" {
		return base
	}
	skip := t.Skipf
	if os.Getenv("SEAM_TEST_REQUIRE_STRIPE") == "1" {
		skip = t.Fatalf
	}
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		home, _ := os.UserHomeDir()
		bin = filepath.Join(home, "go", "bin", "stripe-mock")
		if _, err := os.Stat(bin); err != nil {
			skip("no stripe-mock: install it with go install github.com/stripe/stripe-mock@latest")
		}
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		skip("start stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
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
			skip("stripe-mock exited before it listened")
		}
		return base
	case <-time.After(30 * time.Second):
		skip("stripe-mock did not listen within 30s")
	}
	return ""
}

// TestStripeBuyerGetsStripesCardForm pays with a Stripe payment method:
// the page answers Stripe's Payment Element form with the PaymentIntent's
// client secret, returning to the product's return page.
func TestStripeBuyerGetsStripesCardForm(t *testing.T) {
	t.Parallel()
	base := plStripeMock(t)
	d := dbtest.SQLiteFrom(t, demoShop)
	e := startPL(t, d, "0.92", func(svc *checkout.Service) {
		svc.Payments["stripe"] = &payment.Stripe{SecretKey: "sk_test_seam", PublishableKey: "pk_test_seam", APIURL: base}
	})
	id, err := plshop.CreatePaymentMethod(context.Background(), d, seam.Actor{Name: "ops"}, seam.ByID(1), "Stripe card", "stripe")
	if err != nil {
		t.Fatal(err)
	}
	uuid := plUUID(t, e.createLink("1", plSeedExample))
	page := e.pageGet("/p/1?uuid=" + uuid)
	if methods := plOptions(page.raw, "payment_method"); len(methods) != 2 {
		t.Fatalf("payment methods %v, want Card and Stripe card", methods)
	}
	action, form := plFormOf(t, page.raw)
	plFill(form)
	form.Set("payment_method", strconv.FormatInt(id, 10))
	a := e.pagePost(action, form)
	if a.status != http.StatusOK || !bytes.Contains(a.raw, []byte(`data-key="pk_test_seam"`)) || !bytes.Contains(a.raw, []byte(`data-secret="pi_`)) {
		t.Fatalf("Stripe payment: %d\n%s", a.status, a.raw)
	}
	if !bytes.Contains(a.raw, []byte(`data-return="`+e.url+`/p/1/return?`)) {
		t.Errorf("the form does not return to the product's return page:\n%s", a.raw)
	}
	csp := a.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "https://js.stripe.com") || !strings.Contains(csp, "'nonce-") {
		t.Errorf("Content-Security-Policy %q does not let Stripe.js and the page's script run", csp)
	}
}
