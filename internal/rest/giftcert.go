package rest

import (
	"encoding/json"
	"strings"

	"seam/internal/checkout"
	"seam/internal/money"
	"seam/internal/store"
)

type giftAmountJSON struct {
	Amount         string      `json:"amount"`
	AmountAsNumber json.Number `json:"amountAsNumber"`
}

type giftCertificateJSON struct {
	GiftCertificate    string                    `json:"giftCertificate"`
	Name               string                    `json:"name"`
	CurrencyOfSaleOnly bool                      `json:"currencyOfSaleOnly"`
	ShowGiftAmount     bool                      `json:"showGiftAmount"`
	Type               string                    `json:"type"`
	AmountByCurrency   map[string]giftAmountJSON `json:"amountByCurrency,omitempty"`
}

// giftCertificates is GET /gift-certificates: seed 004's shape, an object
// keyed by code, amounts only for predetermined certificates.
func giftCertificates(c *call) (any, error) {
	offers, err := c.h.svc.ShopGiftCertificates(c.ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]giftCertificateJSON{}
	for _, o := range offers {
		g := o.Certificate
		j := giftCertificateJSON{GiftCertificate: g.Code, Name: g.Name, CurrencyOfSaleOnly: g.CurrencyOfSaleOnly, ShowGiftAmount: g.ShowGiftAmount,
			Type: g.Type}
		if g.Type == store.GiftPredetermined {
			j.AmountByCurrency = map[string]giftAmountJSON{}
			for _, a := range o.Amounts {
				j.AmountByCurrency[a.Currency] = giftAmountJSON{Amount: money.Format(a), AmountAsNumber: num(a)}
			}
		}
		out[g.Code] = j
	}
	return out, nil
}

// addGiftCertificate is POST /items/gift-certificates/{giftCertificate}
// (and …/amount/{amount}, and the server form): the amount of an
// any-amount certificate comes from the path or the body's "amount".
func addGiftCertificate(c *call) (any, error) {
	var amount *string
	if a := c.r.PathValue("amount"); a != "" {
		amount = &a
	} else {
		var b struct {
			Amount *json.Number `json:"amount"`
		}
		if err := c.decode(&b); err != nil {
			return nil, err
		}
		if b.Amount != nil {
			s := b.Amount.String()
			amount = &s
		}
	}
	return nil, c.h.svc.AddGiftCertificate(c.ctx, c.selection, c.r.PathValue("giftCertificate"), amount)
}

type balanceJSON struct {
	GiftCertificate string      `json:"giftCertificate"`
	Balance         string      `json:"balance"`
	BalanceAsNumber json.Number `json:"balanceAsNumber"`
	Amount          string      `json:"amount"`
	AmountAsNumber  json.Number `json:"amountAsNumber"`
	Currency        string      `json:"currency"`
	ExpiresAt       string      `json:"expiresAt"`
	Expired         bool        `json:"expired"`
}

// giftBalance is POST /gift-certificates/balance {code}.
func giftBalance(c *call) (any, error) {
	var b struct {
		Code string `json:"code"`
	}
	if err := c.decode(&b); err != nil {
		return nil, err
	}
	if c.caller.Session == nil {
		return nil, &badRequest{field: "authorization", msg: "Checking a balance needs a session (API-Token)."}
	}
	var bal checkout.Balance
	err := c.tryCode(func() error {
		var err error
		bal, err = c.h.svc.GiftBalance(c.ctx, c.caller.Session.ID, strings.TrimSpace(b.Code))
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"token": c.token(), "giftCertificate": balanceJSON{GiftCertificate: "…" + bal.CodeHint, Balance: money.Format(bal.Balance),
		BalanceAsNumber: num(bal.Balance), Amount: money.Format(bal.Initial), AmountAsNumber: num(bal.Initial), Currency: bal.Balance.Currency,
		ExpiresAt: bal.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z07:00"), Expired: bal.Expired}}, nil
}
