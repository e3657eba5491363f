package productlink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/govalues/decimal"

	"seam/internal/db"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

// checkPrices reads the prices, adding every problem to p.
func checkPrices(ctx context.Context, q db.Q, p *seam.Problems, st store.Store, in []PriceInput) ([]store.ProductLinkPrice, error) {
	if len(in) == 0 {
		p.Add(seam.P("prices"), "prices is required: give at least one price, such as {\"currency_id\": 2, \"price\": 25, \"is_discount_price\": false}.")
		return nil, nil
	}
	if len(in) > MaxPrices {
		p.Add(seam.P("prices"), "A link has at most %d prices, one per currency; got %d.", MaxPrices, len(in))
		return nil, nil
	}
	var out []store.ProductLinkPrice
	seen := map[string]int{}
	for i, pi := range in {
		path := seam.P("prices", strconv.Itoa(i))
		if pi.CurrencyID == nil {
			p.Add(path.Key("currency_id"), "currency_id is required: the id of the price's currency (GET /api/mel-store/currencies lists them; 2 is USD).")
			continue
		}
		c, err := store.CurrencyByID(ctx, q, *pi.CurrencyID)
		if errors.Is(err, seam.ErrNotFound) {
			p.Add(path.Key("currency_id"), "There is no currency %d; GET /api/mel-store/currencies lists them.", *pi.CurrencyID)
			continue
		} else if err != nil {
			return nil, err
		}
		if from, ok := derived[c.Code]; ok {
			p.Add(path.Key("currency_id"), "%s prices cannot be set: the %s price is derived from the %s price at Seam's exchange rate. Leave %s out.",
				c.Code, c.Code, from, c.Code)
			continue
		}
		if j, dup := seen[c.Code]; dup {
			p.Add(path.Key("currency_id"), "prices.%d already gives the %s price; one price per currency.", j, c.Code)
			continue
		}
		seen[c.Code] = i
		pls, err := store.ActivePricelistsIn(ctx, q, st.ID, c.Code)
		if err != nil {
			return nil, err
		}
		if len(pls) == 0 {
			p.Add(path.Key("currency_id"), "Store %q sells in no active pricelist in %s, so a %s price could not be paid.", st.Name, c.Code, c.Code)
			continue
		}
		lp := store.ProductLinkPrice{Currency: c.Code}
		price, ok := amount(p, path.Key("price"), pi.Price, c.Code)
		if ok {
			lp.Price = price.Minor
		}
		switch {
		case pi.IsDiscountPrice == nil:
			p.Add(path.Key("is_discount_price"), "is_discount_price is required: true to sell at discount_price with price crossed out, false otherwise.")
		case *pi.IsDiscountPrice && pi.DiscountPrice == nil:
			p.Add(path.Key("discount_price"), "discount_price is required when is_discount_price is true.")
		case *pi.IsDiscountPrice:
			discount, dok := amount(p, path.Key("discount_price"), pi.DiscountPrice, c.Code)
			if dok && ok && discount.Minor >= price.Minor {
				p.Add(path.Key("discount_price"), "discount_price (%s) must be lower than price (%s).", discount.Number(), price.Number())
			}
			lp.Discount = &discount.Minor
		}
		out = append(out, lp)
	}
	return out, nil
}

// amount reads a price of a currency: a positive decimal number with at
// most the currency's decimals.
func amount(p *seam.Problems, path seam.Path, text *string, cur string) (money.Amount, bool) {
	name := path[len(path)-1]
	if text == nil {
		p.Add(path, "%s is required: the amount in %s, such as 100.55.", name, cur)
		return money.Amount{}, false
	}
	digits, err := money.Digits(cur)
	if err != nil {
		p.Add(path, "%s is not a currency Seam can price in.", cur)
		return money.Amount{}, false
	}
	s := *text
	whole, frac, hasFrac := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	plain := len(s) <= 40 && whole != "" && allDigits(whole) && (!hasFrac || (frac != "" && allDigits(frac)))
	if !plain {
		p.Add(path, "%s must be written as a plain decimal number such as 100.55, got %s.", name, s)
		return money.Amount{}, false
	}
	if strings.HasPrefix(s, "-") {
		p.Add(path, "%s must not be negative, got %s.", name, s)
		return money.Amount{}, false
	}
	if n := len(strings.TrimRight(frac, "0")); n > digits {
		p.Add(path, "%s has %d decimals; %s allows %d, got %s.", name, n, cur, digits, s)
		return money.Amount{}, false
	}
	d, err := decimal.Parse(s)
	if err != nil {
		p.Add(path, "%s is too large, got %s.", name, s)
		return money.Amount{}, false
	}
	a, err := money.FromDecimal(d, cur)
	if err != nil {
		p.Add(path, "%s is too large, got %s.", name, s)
		return money.Amount{}, false
	}
	if a.Minor == 0 {
		p.Add(path, "%s must be more than 0.", name)
		return money.Amount{}, false
	}
	if a.Minor > MaxPriceMinor {
		p.Add(path, "%s is more than Seam sells for: at most %s, got %s.", name, money.New(MaxPriceMinor, cur).Number(), s)
		return money.Amount{}, false
	}
	return a, true
}

// MaxPriceMinor is the largest link price in minor units (10 billion in
// a two-decimal currency): room for taxes, conversions and sums without
// overflow.
const MaxPriceMinor = 1_000_000_000_000

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkMetadata returns the metadata as compact JSON, or nil for none
// (absent, null, [] or {}).
func checkMetadata(p *seam.Problems, raw json.RawMessage) *string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil
	}
	if !utf8.Valid(t) {
		p.Add(seam.P("metadata"), "metadata must be UTF-8 text.")
		return nil
	}
	if t[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(t, &list); err == nil && len(list) == 0 {
			return nil
		}
		p.Add(seam.P("metadata"), "metadata must be an object of keys to values, such as {\"order_id\": \"559472095N\"}; [] means none.")
		return nil
	}
	var obj map[string]json.RawMessage
	if t[0] != '{' || json.Unmarshal(t, &obj) != nil {
		p.Add(seam.P("metadata"), "metadata must be an object of keys to values, such as {\"order_id\": \"559472095N\"}; [] means none.")
		return nil
	}
	for k := range obj {
		if strings.TrimSpace(k) == "" {
			p.Add(seam.P("metadata"), "metadata keys must not be empty.")
			return nil
		}
	}
	if len(obj) == 0 {
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, t); err != nil {
		p.Add(seam.P("metadata"), "metadata is not valid JSON.")
		return nil
	}
	if b.Len() > MaxMetadata {
		p.Add(seam.P("metadata"), "metadata takes %d bytes as JSON; at most %d (16 KiB) are allowed.", b.Len(), MaxMetadata)
		return nil
	}
	s := b.String()
	return &s
}

// derive adds the derived prices (EUR from USD) when the store sells in
// the derived currency.
func derive(ctx context.Context, q db.Q, p *seam.Problems, st store.Store, prices []store.ProductLinkPrice) ([]store.ProductLinkPrice, error) {
	out := prices
	for i, lp := range prices {
		for to, from := range derived {
			if lp.Currency != from {
				continue
			}
			pls, err := store.ActivePricelistsIn(ctx, q, st.ID, to)
			if err != nil {
				return nil, err
			}
			if len(pls) == 0 {
				continue
			}
			path := seam.P("prices", strconv.Itoa(i), "currency_id")
			rate, err := GetRate(ctx, q, from, to)
			if errors.Is(err, seam.ErrNotFound) {
				p.Add(path, "A %s price also sets the %s price at Seam's %s:%s exchange rate, and none is set; an operator must set the %s:%s rate (such as %s:%s=0.92) first.",
					from, to, from, to, from, to, from, to)
				continue
			} else if err != nil {
				return nil, err
			}
			price, err := Convert(money.New(lp.Price, from), rate)
			if err != nil || price.Minor > MaxPriceMinor {
				p.Add(seam.P("prices", strconv.Itoa(i), "price"), "At the %s rate the %s price would be more than Seam sells for; make the price smaller.", rate, to)
				continue
			}
			text := rate.Rate.Trim(0).String()
			dp := store.ProductLinkPrice{Currency: to, Price: price.Minor, DerivedFrom: &from, Rate: &text}
			if lp.Discount != nil {
				disc, err := Convert(money.New(*lp.Discount, from), rate)
				if err != nil {
					p.Add(seam.P("prices", strconv.Itoa(i), "discount_price"), "At the %s rate the %s discount price cannot be converted; make it smaller.", rate, to)
					continue
				}
				if disc.Minor >= price.Minor || disc.Minor == 0 {
					p.Add(seam.P("prices", strconv.Itoa(i), "discount_price"), "At the %s rate the %s discount price (%s) would not be a discount on the %s price (%s); make the discount larger.",
						rate, to, disc.Number(), to, price.Number())
					continue
				}
				dp.Discount = &disc.Minor
			}
			if price.Minor == 0 {
				p.Add(seam.P("prices", strconv.Itoa(i), "price"), "At the %s rate the %s price would be 0; make the price larger.", rate, to)
				continue
			}
			out = append(out, dp)
		}
	}
	return out, nil
}
