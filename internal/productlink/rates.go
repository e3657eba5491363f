package productlink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/govalues/decimal"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

// derived maps a currency whose link prices are never given to the
// currency they are derived from: EUR comes from USD at Seam's rate.
var derived = map[string]string{"EUR": "USD"}

// DerivedFrom names the currency a currency's link prices are derived
// from (USD for EUR), or nil when they are given.
func DerivedFrom(code string) *string {
	if from, ok := derived[code]; ok {
		return &from
	}
	return nil
}

// Rate says that 1 Base is Rate Quote.
type Rate struct {
	Base, Quote string
	Rate        decimal.Decimal
	// UpdatedBy and UpdatedAt say who set a stored rate, and when.
	UpdatedBy string
	UpdatedAt time.Time
}

// String writes the rate as ParseRates reads it: "USD:EUR=0.92".
func (r Rate) String() string { return r.Base + ":" + r.Quote + "=" + r.Rate.String() }

// DemoRates are the rates `seam serve` sets with the demo shop, so that
// seed 002's example (a USD price, hence a derived EUR price) works on a
// fresh install.
const DemoRates = "USD:EUR=0.92"

// maxRateScale bounds a rate's decimals.
const maxRateScale = 10

// ParseRates reads exchange rates written "USD:EUR=0.92,USD:SEK=10.5"
// (spaces allowed around each part), for a flag or an environment
// variable. An empty string is no rates. The same pair twice is an error.
func ParseRates(s string) ([]Rate, error) {
	var out []Rate
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		pair, value, ok := strings.Cut(part, "=")
		base, quote, ok2 := strings.Cut(pair, ":")
		if !ok || !ok2 {
			return nil, seam.Invalid(seam.P("rates"), "%q is not an exchange rate; write BASE:QUOTE=RATE, such as USD:EUR=0.92.", part)
		}
		d, err := decimal.Parse(strings.TrimSpace(value))
		if err != nil {
			return nil, seam.Invalid(seam.P("rates"), "%q: %q is not a decimal number.", part, strings.TrimSpace(value))
		}
		r := Rate{Base: strings.ToUpper(strings.TrimSpace(base)), Quote: strings.ToUpper(strings.TrimSpace(quote)), Rate: d}
		if err := r.check(); err != nil {
			return nil, err
		}
		if seen[r.Base+":"+r.Quote] {
			return nil, seam.Invalid(seam.P("rates"), "The rate %s:%s is given twice.", r.Base, r.Quote)
		}
		seen[r.Base+":"+r.Quote] = true
		out = append(out, r)
	}
	return out, nil
}

// check tells what is wrong with a rate, naming it.
func (r Rate) check() error {
	switch {
	case !money.Valid(r.Base):
		return seam.Invalid(seam.P("rates"), "%q is not an ISO 4217 currency code (such as USD).", r.Base)
	case !money.Valid(r.Quote):
		return seam.Invalid(seam.P("rates"), "%q is not an ISO 4217 currency code (such as EUR).", r.Quote)
	case r.Base == r.Quote:
		return seam.Invalid(seam.P("rates"), "The rate %s:%s converts a currency to itself.", r.Base, r.Quote)
	case !r.Rate.IsPos():
		return seam.Invalid(seam.P("rates"), "The rate %s:%s must be more than 0, got %s.", r.Base, r.Quote, r.Rate)
	case r.Rate.Trim(0).Scale() > maxRateScale:
		return seam.Invalid(seam.P("rates"), "The rate %s:%s has more than %d decimals.", r.Base, r.Quote, maxRateScale)
	}
	return nil
}

// SetRates stores exchange rates in one transaction, replacing the
// pairs' earlier rates, with an audit row and an event each. Links made
// before keep the prices they were made with.
func SetRates(ctx context.Context, d *db.DB, actor seam.Actor, rates []Rate) error {
	for _, r := range rates {
		if err := r.check(); err != nil {
			return err
		}
	}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		now := db.Now()
		for _, r := range rates {
			text := r.Rate.Trim(0).String()
			if err := store.SetExchangeRate(ctx, tx, store.ExchangeRate{Base: r.Base, Quote: r.Quote, Rate: text, UpdatedBy: actor.Name,
				UpdatedAt: now}); err != nil {
				return err
			}
			payload := map[string]string{"base": r.Base, "quote": r.Quote, "rate": text}
			if err := audit(ctx, tx, actor.Name, "SET", "ExchangeRate", r.Base+":"+r.Quote, payload, now); err != nil {
				return err
			}
			if _, err := event.Record(ctx, tx, event.Event{ObjectType: "ExchangeRate", ObjectID: r.Base + ":" + r.Quote, Action: event.Updated,
				Actor: actor.Name, Payload: payload}); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap(err, "set exchange rates")
}

// GetRate returns the rate of a pair; seam.ErrNotFound when none is set.
func GetRate(ctx context.Context, q db.Q, base, quote string) (Rate, error) {
	r, err := store.GetExchangeRate(ctx, q, base, quote)
	if errors.Is(err, seam.ErrNotFound) {
		return Rate{}, notFound("no %s:%s exchange rate is set", base, quote)
	} else if err != nil {
		return Rate{}, err
	}
	return rateOf(r)
}

// Rates lists every stored rate by pair.
func Rates(ctx context.Context, q db.Q) ([]Rate, error) {
	rows, err := store.ExchangeRates(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]Rate, 0, len(rows))
	for _, r := range rows {
		rate, err := rateOf(r)
		if err != nil {
			return nil, err
		}
		out = append(out, rate)
	}
	return out, nil
}

func rateOf(r store.ExchangeRate) (Rate, error) {
	d, err := decimal.Parse(r.Rate)
	if err != nil {
		return Rate{}, fmt.Errorf("stored rate %s:%s %q: %w", r.Base, r.Quote, r.Rate, err)
	}
	return Rate{Base: r.Base, Quote: r.Quote, Rate: d, UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt}, nil
}

// Convert turns an amount into quote's currency at the rate: the one place
// a derived price is rounded, half to even, to the quote currency's minor
// unit.
func Convert(a money.Amount, r Rate) (money.Amount, error) {
	if a.Currency != r.Base {
		return money.Amount{}, fmt.Errorf("convert %s with the %s rate", a, r)
	}
	digits, err := money.Digits(r.Quote)
	if err != nil {
		return money.Amount{}, err
	}
	v, err := a.Decimal().Mul(r.Rate)
	if err != nil {
		return money.Amount{}, fmt.Errorf("convert %s at %s: %w", a, r, err)
	}
	return money.FromDecimal(v.Round(digits), r.Quote)
}

// audit writes an audit row with a JSON detail.
func audit(ctx context.Context, tx *db.Tx, actor, action, objectType, objectID string, detail any, now time.Time) error {
	a := store.Audit{Actor: actor, Action: action, ObjectType: objectType, ObjectID: objectID, CreatedAt: now}
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return err
		}
		s := string(b)
		a.Detail = &s
	}
	return store.InsertAudit(ctx, tx, a)
}
