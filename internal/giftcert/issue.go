package giftcert

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"

	"seam/internal/db"
	"seam/internal/money"
	"seam/internal/mutant"
	"seam/internal/store"
	"seam/internal/voucher"
)

// CodeLength is how many characters an issued code has, from an
// alphabet without look-alikes (no 0/O, 1/I/L).
const CodeLength = 16

// Issued is a credit voucher a purchase made, with its code: shown only
// in the buyer's e-mail.
type Issued struct {
	Voucher store.Voucher
	Code    string
}

// Issue makes the credit voucher a gift certificate purchase buys, in the
// order's transaction: a random code (stored as its hash and last four
// characters), the amount as its balance, valid for the certificate's
// days, and the ledger's ISSUE entry.
func Issue(ctx context.Context, tx *db.Tx, g store.GiftCertificate, amount money.Amount, orderID int64, now time.Time) (Issued, error) {
	code := voucher.NewCode(CodeLength)
	hash, err := voucher.HashCode(ctx, tx, code)
	if err != nil {
		return Issued{}, err
	}
	hint := voucher.Hint(code)
	cur, minor := amount.Currency, amount.Minor
	balance := minor - mutant.Int("gift-balance-short", 100)
	v := store.Voucher{StoreID: g.StoreID, Name: g.Name + " " + money.Format(amount), Status: "ACTIVE", StartAt: db.Time(now),
		StopAt: db.Time(now.AddDate(0, 0, g.ValidityDays)), Method: "CODE", CodeHash: &hash, CodeHint: &hint, Combine: true, Reuse: true,
		Type: "CREDIT", EntryPointStrategy: "APPLY_ALL_THAT_APPLY", CreatedAt: db.Time(now), UpdatedAt: db.Time(now), CreditCurrency: &cur,
		CreditMinor: &minor, BalanceMinor: &balance, CurrencyOfSaleOnly: g.CurrencyOfSaleOnly, GiftCertificateID: &g.ID, IssuedByOrderID: &orderID}
	if err := store.InsertVoucher(ctx, tx, &v); err != nil {
		return Issued{}, fmt.Errorf("issue credit voucher: %w", err)
	}
	if err := store.InsertCreditEntry(ctx, tx, store.CreditEntry{VoucherID: v.ID, OrderID: &orderID, Kind: store.CreditIssue, AmountMinor: minor,
		Currency: cur, BalanceAfter: balance, CreatedAt: now}); err != nil {
		return Issued{}, err
	}
	return Issued{Voucher: v, Code: code}, nil
}

// Mail is the e-mail that brings a buyer the code.
type Mail struct {
	Subject, Text, HTML string
}

var mailHTML = template.Must(template.New("gift").Parse(`<!doctype html>
<html><body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; color: #111">
<h1 style="font-size: 1.4rem">{{.Name}}</h1>
<p>Thank you for your order {{.Order}}. Here is your gift certificate{{if .Show}} for <strong>{{.Amount}}</strong>{{end}}:</p>
<p style="font-size: 1.6rem; letter-spacing: .15em; font-family: ui-monospace, monospace; background: #f4f4f4; padding: .8rem 1rem; display: inline-block">{{.Code}}</p>
{{with .Message}}<blockquote style="border-left: 3px solid #ccc; margin: 1rem 0; padding: .2rem 1rem; white-space: pre-wrap">{{.}}</blockquote>{{end}}
<p>Enter the code at checkout to pay with it, in part or in full. It is valid until {{.Until}}.</p>
</body></html>`))

// MailFor writes the e-mail of an issued code. showAmount says whether
// the amount is shown (the certificate's showGiftAmount).
func MailFor(g store.GiftCertificate, amount money.Amount, code string, orderNumber int64, message string, until time.Time) (Mail, error) {
	data := map[string]any{"Name": g.Name, "Order": orderNumber, "Show": g.ShowGiftAmount, "Amount": money.Format(amount), "Code": code,
		"Message": strings.TrimSpace(message), "Until": until.UTC().Format("2 January 2006")}
	var h bytes.Buffer
	if err := mailHTML.Execute(&h, data); err != nil {
		return Mail{}, err
	}
	var t strings.Builder
	fmt.Fprintf(&t, "%s\n\nThank you for your order %d. Here is your gift certificate", g.Name, orderNumber)
	if g.ShowGiftAmount {
		fmt.Fprintf(&t, " for %s", money.Format(amount))
	}
	fmt.Fprintf(&t, ":\n\n    %s\n\n", code)
	if m := strings.TrimSpace(message); m != "" {
		fmt.Fprintf(&t, "%s\n\n", m)
	}
	fmt.Fprintf(&t, "Enter the code at checkout to pay with it, in part or in full. It is valid until %s.\n", until.UTC().Format("2 January 2006"))
	// Names are checked on the way in; names stored before that check
	// still make a subject the outbox takes: one line, clipped.
	subject := strings.Join(strings.FieldsFunc("Your gift certificate: "+g.Name, unicode.IsControl), " ")
	if r := []rune(subject); len(r) > 200 {
		subject = string(r[:199]) + "…"
	}
	return Mail{Subject: subject, Text: t.String(), HTML: h.String()}, nil
}
