package payment

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"seam/internal/money"
	"seam/internal/seam"
)

// Test card numbers of the test provider.
const (
	CardApprove  = "4242424242424242"
	CardDecline  = "4000000000000002"
	CardRedirect = "4000000000003220"
)

// Test is the built-in provider for the demo and tests. It decides by card
// number (paymentMethodSpecificFields.card) or, without one, by amount:
// minor units ending in 66 decline, in 22 ask for a redirect to a
// 3-D-Secure-like page Seam serves; anything else is approved. Approvals
// come back to the storefront's return page with signed fields, so that a
// shopper cannot forge them.
type Test struct {
	// Key signs the fields the shopper brings back.
	Key []byte
}

// Start implements Provider.
func (t Test) Start(_ context.Context, in Start) (Action, error) {
	card := strings.ReplaceAll(fmt.Sprint(in.Fields["card"]), " ", "")
	if in.Fields["card"] == nil {
		card = ""
	}
	cents := in.Amount.Minor % 100
	switch {
	case card == CardDecline || (card == "" && cents == 66):
		return Action{Kind: ActionFailed, Message: "The test card was declined."}, nil
	case (card == CardRedirect || (card == "" && cents == 22)) && in.ReturnURL == "":
		return Action{Kind: ActionFailed, Message: "This test card asks for a 3-D Secure step, which needs paymentReturnPage to send the shopper back to."}, nil
	case card == CardRedirect || (card == "" && cents == 22):
		page := in.BaseURL + "/api/checkout/test-payment/" + url.PathEscape(in.Ref) + "?" + url.Values{
			"amount": {strconv.FormatInt(in.Amount.Minor, 10)}, "return": {in.ReturnURL}, "fail": {in.FailURL},
			"sig": {t.sign(in.Ref, in.ReturnURL, in.FailURL, strconv.FormatInt(in.Amount.Minor, 10))},
		}.Encode()
		return Action{Kind: ActionRedirect, URL: page, External: "test-" + in.Ref}, nil
	case card != "" && card != CardApprove && !luhn(card):
		return Action{Kind: ActionFailed, Message: "The card number is not valid."}, nil
	case in.ReturnURL == "":
		return Action{Kind: ActionSuccess, External: "test-" + in.Ref}, nil
	default:
		return Action{Kind: ActionRedirect, URL: t.ReturnURL(in.ReturnURL, in.Ref, "approved", in.Amount.Minor), External: "test-" + in.Ref}, nil
	}
}

// ReturnURL is where the shopper goes back to after the test page, with the
// signed outcome.
func (t Test) ReturnURL(base, ref, result string, amount int64) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + url.Values{"seam_payment": {ref}, "result": {result},
		"sig": {t.sign(ref, result, strconv.FormatInt(amount, 10))}}.Encode()
}

// PageValid checks the signature of the test page's own parameters.
func (t Test) PageValid(ref, returnURL, failURL, amount, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(t.sign(ref, returnURL, failURL, amount)))
}

// Complete implements Provider.
func (t Test) Complete(_ context.Context, in Complete) (Result, error) {
	ref, _ := in.Fields["seam_payment"].(string)
	result, _ := in.Fields["result"].(string)
	sig, _ := in.Fields["sig"].(string)
	if ref == "" && result == "" {
		// Approved at once (action success): nothing to check.
		if in.External == "" {
			return Result{Message: "The payment fields seam_payment, result and sig from the return page are missing."}, nil
		}
		return Result{Authorized: true, External: in.External}, nil
	}
	if ref != in.Ref || !hmac.Equal([]byte(sig), []byte(t.sign(ref, result, strconv.FormatInt(in.Amount.Minor, 10)))) {
		return Result{Foreign: true, Message: "The payment fields do not belong to this payment (wrong reference, amount or signature)."}, nil
	}
	if result != "approved" {
		return Result{Message: "The shopper declined the test payment."}, nil
	}
	return Result{Authorized: true, External: "test-" + ref}, nil
}

// Cancel implements Provider; a test authorization needs no voiding.
func (t Test) Cancel(context.Context, string) error { return nil }

// Capture implements Capturer: a test authorization is captured at once,
// whatever part of it is asked for, except amounts ending in 44 minor
// units, which the test provider refuses (to try a failed capture).
func (t Test) Capture(_ context.Context, external string, amount money.Amount) error {
	if external == "" || amount.Minor <= 0 {
		return fmt.Errorf("capture %d minor units of test payment %q: %w", amount.Minor, external, seam.ErrConflict)
	}
	if amount.Minor%100 == 44 {
		return fmt.Errorf("the test provider refuses captures of amounts ending in 44 minor units: %w", seam.ErrConflict)
	}
	return nil
}

func (t Test) sign(parts ...string) string {
	m := hmac.New(sha256.New, t.Key)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(m.Sum(nil))
}

// luhn checks a card number's check digit.
func luhn(n string) bool {
	if len(n) < 12 || len(n) > 19 {
		return false
	}
	sum := 0
	for i := range len(n) {
		c := n[len(n)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
