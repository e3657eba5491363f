package checkout

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/govalues/decimal"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/giftcert"
	"seam/internal/mail"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
	"seam/internal/voucher"
)

// GiftOffer is a gift certificate the shop sells, with its amounts.
type GiftOffer struct {
	Certificate store.GiftCertificate
	// Amounts are a predetermined certificate's amounts by currency.
	Amounts []money.Amount
}

// giftOffers lists the active gift certificates of a store, by code.
func (s *Service) giftOffers(ctx context.Context, storeID int64) ([]GiftOffer, error) {
	q := s.DB.Read()
	gs, err := store.ListGiftCertificates(ctx, q, store.GiftFilter{StoreIDs: []int64{storeID}, Statuses: []string{"ACTIVE"}}, store.Page{})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	amounts, err := store.GiftAmounts(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := make([]GiftOffer, len(gs))
	for i, g := range gs {
		out[i].Certificate = g
		for _, a := range amounts {
			if a.GiftCertificateID == g.ID && a.AmountMinor != nil {
				out[i].Amounts = append(out[i].Amounts, money.New(*a.AmountMinor, a.Currency))
			}
		}
	}
	return out, nil
}

// AddGiftCertificate puts a gift certificate in the selection, in the
// selection's currency: a predetermined one at its amount there, an
// any-amount one at amount (major units, required). A selection buys one
// certificate and nothing else: its items and vouchers go.
func (s *Service) AddGiftCertificate(ctx context.Context, id, code string, amount *string) error {
	return s.editItems(ctx, id, func(tx *db.Tx, sel *store.Selection) error {
		if sel.Origin != store.OriginSession {
			return conflict("this selection comes from a payment link; buy gift certificates in a selection of your own")
		}
		g, err := store.GiftCertificateByCode(ctx, tx, sel.StoreID, code)
		if isNotFound(err) || (err == nil && g.Status != "ACTIVE") {
			return notFound("no gift certificate %q", code)
		} else if err != nil {
			return err
		}
		pl, err := store.GetPricelist(ctx, tx, sel.PricelistID)
		if err != nil {
			return err
		}
		cur := pl.CurrencyCode
		amounts, err := store.GiftAmounts(ctx, tx, []int64{g.ID})
		if err != nil {
			return err
		}
		var price money.Amount
		switch g.Type {
		case store.GiftPredetermined:
			var sold []string
			for _, a := range amounts {
				if a.AmountMinor == nil {
					continue
				}
				sold = append(sold, a.Currency)
				if a.Currency == cur {
					price = money.New(*a.AmountMinor, cur)
				}
			}
			if price.Currency == "" {
				return invalid("giftCertificate", "Gift certificate %s has no amount in %s, the selection's currency; it sells in %s.", code, cur,
					strings.Join(sold, ", "))
			}
			if amount != nil {
				if a, err := parseAmount(*amount, cur); err != nil || a.Minor != price.Minor {
					return invalid("amount", "Gift certificate %s costs %s; leave the amount out.", code, money.Format(price))
				}
			}
		default:
			if amount == nil {
				return invalid("amount", "Gift certificate %s takes any amount: give it in %s, as \"amount\" in the body or /amount/{amount}.", code, cur)
			}
			if price, err = parseAmount(*amount, cur); err != nil {
				return err
			}
			lo, hi, err := giftcert.Bounds(amounts, cur)
			if err != nil {
				return err
			}
			if price.Minor < lo.Minor || price.Minor > hi.Minor {
				return invalid("amount", "Gift certificate %s takes %s to %s, got %s.", code, money.Format(lo), money.Format(hi), money.Format(price))
			}
		}
		if err := store.DeleteLines(ctx, tx, sel.ID); err != nil {
			return err
		}
		if err := store.DeleteSelectionVouchers(ctx, tx, sel.ID); err != nil {
			return err
		}
		return store.SetSelectionGift(ctx, tx, store.SelectionGift{SelectionID: sel.ID, GiftCertificateID: g.ID, AmountMinor: price.Minor, Currency: cur})
	})
}

// repriceGift follows a change of the selection's pricelist: a
// predetermined gift certificate takes its amount in the new currency; one
// without an amount there, and an any-amount one (whose amount the buyer
// chose in the old currency), leave the selection.
func repriceGift(ctx context.Context, tx *db.Tx, sel store.Selection) error {
	sg, err := store.SelectionGiftOf(ctx, tx, sel.ID)
	if isNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	pl, err := store.GetPricelist(ctx, tx, sel.PricelistID)
	if err != nil {
		return err
	}
	if sg.Currency == pl.CurrencyCode {
		return nil
	}
	amounts, err := store.GiftAmounts(ctx, tx, []int64{sg.GiftCertificateID})
	if err != nil {
		return err
	}
	for _, a := range amounts {
		if a.Currency == pl.CurrencyCode && a.AmountMinor != nil {
			sg.AmountMinor, sg.Currency = *a.AmountMinor, a.Currency
			return store.SetSelectionGift(ctx, tx, sg)
		}
	}
	return store.DeleteSelectionGift(ctx, tx, sel.ID)
}

// checkGiftMessage refuses a gift message that is too long or holds what
// an e-mail cannot carry: invalid UTF-8, NUL and control characters other
// than line breaks and tabs.
func checkGiftMessage(m string) error {
	if !utf8.ValidString(m) {
		return invalid("giftMessage", "The gift message is not valid UTF-8.")
	}
	if n := utf8.RuneCountInString(m); n > 2000 {
		return invalid("giftMessage", "A gift message is at most 2000 characters, got %d.", n)
	}
	for _, r := range m {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return invalid("giftMessage", "The gift message holds the control character %U; use text, line breaks and tabs only.", r)
		}
	}
	return nil
}

// parseAmount reads an amount in major units, exactly, with at most the
// currency's decimals.
func parseAmount(text, cur string) (money.Amount, error) {
	d, err := decimal.Parse(strings.TrimSpace(text))
	if err != nil {
		return money.Amount{}, invalid("amount", "%q is not an amount; write it in %s major units, such as 100 or 99.50.", text, cur)
	}
	a, err := money.FromDecimal(d, cur)
	if err != nil {
		return money.Amount{}, invalid("amount", "%s takes at most %s decimals, got %s.", cur, digitsOf(cur), text)
	}
	return a, nil
}

func digitsOf(cur string) string {
	d, err := money.Digits(cur)
	if err != nil {
		return "2"
	}
	return fmt.Sprint(d)
}

// GiftLine is the gift certificate a selection buys.
type GiftLine struct {
	Certificate store.GiftCertificate
	Amount      money.Amount
}

// AppliedCredit is a credit voucher (an issued gift certificate) paying
// for the selection after tax.
type AppliedCredit struct {
	Voucher  store.Voucher
	CodeHint string
	// CodeSealed is the code as typed, sealed for its session (OpenCode).
	CodeSealed string
	// Available is what it can pay here, in the selection's currency;
	// Applied what it pays.
	Available money.Amount
	Applied   money.Amount
	// Debit is what Applied takes off its balance, in its own currency.
	Debit int64
	rate  *decimal.Decimal
}

// giftView prices a selection that buys a gift certificate: the amount,
// no shipping, no tax.
func giftView(v *View, g store.GiftCertificate, sg store.SelectionGift) {
	amount := money.New(sg.AmountMinor, sg.Currency)
	v.Gift = &GiftLine{Certificate: g, Amount: amount}
	zero := money.New(0, sg.Currency)
	v.Totals = Totals{Quantity: 1, Items: amount, Discount: zero, Shipping: zero, Tax: zero, GrandTotal: amount, Credit: zero, ToPay: amount}
}

// creditProblem says why a credit voucher cannot pay in a selection's
// currency, or "".
func creditProblem(ctx context.Context, q db.Q, v store.Voucher, cur string) (string, *decimal.Decimal, error) {
	if v.BalanceMinor == nil || v.CreditCurrency == nil {
		return "This credit voucher holds no money.", nil, nil
	}
	if *v.BalanceMinor == 0 {
		return "The gift certificate is used up.", nil, nil
	}
	if *v.CreditCurrency == cur {
		return "", nil, nil
	}
	if v.CurrencyOfSaleOnly {
		return fmt.Sprintf("This gift certificate is in %s and pays only in %s.", *v.CreditCurrency, *v.CreditCurrency), nil, nil
	}
	r, err := store.GetExchangeRate(ctx, q, *v.CreditCurrency, cur)
	if isNotFound(err) {
		return fmt.Sprintf("This gift certificate is in %s, and the shop has no %s:%s exchange rate to pay in %s with it.", *v.CreditCurrency,
			*v.CreditCurrency, cur, cur), nil, nil
	} else if err != nil {
		return "", nil, err
	}
	d, err := decimal.Parse(r.Rate)
	if err != nil {
		return "", nil, fmt.Errorf("exchange rate %s:%s %q: %w", *v.CreditCurrency, cur, r.Rate, err)
	}
	return "", &d, nil
}

// available is what a credit voucher's balance pays in the selection's
// currency: all of it, or converted at the rate and rounded down.
func available(v store.Voucher, cur string, rate *decimal.Decimal) (money.Amount, error) {
	if rate == nil {
		return money.New(*v.BalanceMinor, cur), nil
	}
	return convert(*v.BalanceMinor, *v.CreditCurrency, cur, *rate, false)
}

// debitFor is what paying applied (in the selection's currency) takes off
// a credit voucher in its own currency: converted back and rounded up, so
// never less than it paid; at most the balance.
func debitFor(c AppliedCredit) (int64, error) {
	if c.rate == nil {
		return c.Applied.Minor, nil
	}
	a, err := convertBackUp(c.Applied.Minor, c.Applied.Currency, *c.Voucher.CreditCurrency, *c.rate)
	if err != nil {
		return 0, err
	}
	return min(a, *c.Voucher.BalanceMinor), nil
}

// convertBackUp divides minor units of currency from by rate (to → from)
// into minor units of currency to, rounded up, exactly: with rate = c /
// 10^s, it is ceil(minor × 10^s × 10^digits(to) / (c × 10^digits(from))).
func convertBackUp(minor int64, from, to string, rate decimal.Decimal) (int64, error) {
	fd, err := money.Digits(from)
	if err != nil {
		return 0, err
	}
	td, err := money.Digits(to)
	if err != nil {
		return 0, err
	}
	if !rate.IsPos() || minor < 0 {
		return 0, fmt.Errorf("convert %d %s at rate %s: want a positive rate and amount", minor, from, rate)
	}
	pow := func(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }
	num := new(big.Int).Mul(big.NewInt(minor), pow(rate.Scale()+td))
	den := new(big.Int).Mul(new(big.Int).SetUint64(rate.Coef()), pow(fd))
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return 0, fmt.Errorf("convert %d %s at rate %s: too large", minor, from, rate)
	}
	return q.Int64(), nil
}

// convert changes minor units of one currency into another at rate,
// rounding down or up to the target's minor unit.
func convert(minor int64, from, to string, rate decimal.Decimal, up bool) (money.Amount, error) {
	fd, err := money.Digits(from)
	if err != nil {
		return money.Amount{}, err
	}
	td, err := money.Digits(to)
	if err != nil {
		return money.Amount{}, err
	}
	src, err := decimal.New(minor, fd)
	if err != nil {
		return money.Amount{}, err
	}
	x, err := src.Mul(rate)
	if err != nil {
		return money.Amount{}, err
	}
	if up {
		x = x.Ceil(td)
	} else {
		x = x.Floor(td)
	}
	return money.FromDecimal(x, to)
}

// applyCredit pays the selection's total with its credit vouchers, in the
// order they were added, after tax: ToPay is what is left.
func applyCredit(v *View) error {
	left := v.Totals.GrandTotal.Minor
	for i := range v.Credits {
		c := &v.Credits[i]
		c.Applied = money.New(min(c.Available.Minor, left), c.Available.Currency)
		left -= c.Applied.Minor
		d, err := debitFor(*c)
		if err != nil {
			return err
		}
		c.Debit = d
		v.Totals.Credit.Minor += c.Applied.Minor
	}
	v.Totals.ToPay = money.New(left, v.Totals.GrandTotal.Currency)
	return nil
}

// debitCredits takes what the order's credit vouchers paid off their
// balances, in the order's transaction: one conditional statement each, so
// a balance never goes below 0; with the ledger's DEBIT entries and a
// payment history entry each.
func debitCredits(ctx context.Context, tx *db.Tx, v View, o store.Order) error {
	for _, c := range v.Credits {
		if c.Applied.Minor == 0 {
			continue
		}
		ok, after, err := store.DebitCredit(ctx, tx, c.Voucher.ID, c.Debit)
		if err != nil {
			return err
		}
		if !ok {
			return conflict("gift certificate …%s has less left than %s: it paid another order meanwhile", c.CodeHint, money.Format(c.Applied))
		}
		if err := store.InsertCreditEntry(ctx, tx, store.CreditEntry{VoucherID: c.Voucher.ID, OrderID: &o.ID, Kind: store.CreditDebit,
			AmountMinor: c.Debit, Currency: *c.Voucher.CreditCurrency, BalanceAfter: after, CreatedAt: o.CreatedAt}); err != nil {
			return err
		}
		ref := fmt.Sprintf("voucher:%d", c.Voucher.ID)
		method := "gift certificate …" + c.CodeHint
		if err := store.InsertPaymentEntry(ctx, tx, &store.PaymentEntry{OrderID: o.ID, EntryType: "CREDIT", Status: "SUCCESS",
			Value: c.Applied.Minor, Currency: o.Currency, ExternalReference: &ref, PaymentMethod: &method, CreatedAt: o.CreatedAt}); err != nil {
			return err
		}
	}
	return nil
}

// giftShippedEvents records what completing a gift certificate order
// did: its shipment COMPLETED, the order COMPLETED.
func giftShippedEvents(ctx context.Context, tx *db.Tx, o store.Order, shipments []store.Shipment) error {
	for _, sh := range shipments {
		if _, err := event.Record(ctx, tx, event.Event{StoreID: &o.StoreID, MarketID: &o.MarketID, ObjectType: event.TypeShipment,
			ObjectID: strconv.FormatInt(sh.ID, 10), Action: event.Completed, Actor: event.ActorCheckout}); err != nil {
			return err
		}
	}
	_, err := event.Record(ctx, tx, event.Event{StoreID: &o.StoreID, MarketID: &o.MarketID, ObjectType: event.TypeOrder, ObjectID: o.Hash, Action: event.Completed,
		Actor: event.ActorCheckout, Payload: map[string]any{"number": o.Number, "status": o.Status}})
	return err
}

// sellGift records what a gift certificate order bought, in the order's
// transaction: an order line for the certificate (its name, the amount,
// quantity 1, no tax) and a good-to-go shipment of it, not yet paid. The
// code is issued and e-mailed by DeliverGift once the payment is
// captured.
func (s *Service) sellGift(ctx context.Context, tx *db.Tx, v View, o *store.Order) error {
	now := o.CreatedAt
	g, amount := v.Gift.Certificate, v.Gift.Amount
	if err := store.InsertOrderLine(ctx, tx, &store.OrderLine{OrderID: o.ID, Position: 0, ProductName: g.Name, SKU: g.Code, Quantity: 1,
		UnitPrice: amount.Minor, UnitOriginalPrice: amount.Minor, LineValue: amount.Minor, TaxPercent: "0"}); err != nil {
		return err
	}
	if err := store.InsertOrderGift(ctx, tx, store.OrderGift{OrderID: o.ID, GiftCertificateID: g.ID, AmountMinor: amount.Minor,
		Currency: amount.Currency}); err != nil {
		return err
	}
	sh := store.Shipment{OrderID: o.ID, Number: fmt.Sprintf("%d-1", o.Number), IsGoodToGo: true, CreatedAt: now, Currency: &o.Currency,
		Items: amount.Minor, GrandTotal: amount.Minor, Credit: o.Credit}
	return store.InsertShipment(ctx, tx, &sh)
}

// giftShipmentCreated records the gift order's shipment, after the order.
func giftShipmentCreated(ctx context.Context, tx *db.Tx, o store.Order) error {
	shipments, err := store.ShipmentsOfOrders(ctx, tx, []int64{o.ID})
	if err != nil {
		return err
	}
	for _, sh := range shipments {
		if _, err := event.Record(ctx, tx, event.Event{StoreID: &o.StoreID, MarketID: &o.MarketID, ObjectType: event.TypeShipment,
			ObjectID: strconv.FormatInt(sh.ID, 10), Action: event.Created, Actor: event.ActorCheckout}); err != nil {
			return err
		}
	}
	return nil
}

// DeliverGift finishes a gift certificate order whose payment was
// captured (its shipments paid): it issues the credit voucher, queues the
// e-mail with its code, completes the shipment and marks the order
// SHIPPED, in one transaction. The voucher is claimed with one
// conditional update, so a code is issued once however often this runs;
// an order that is not paid yet is refused and nothing is sent.
func (s *Service) DeliverGift(ctx context.Context, orderID int64) (err error) {
	defer func() { err = seam.Wrap(err, fmt.Sprintf("deliver gift certificate of order %d", orderID)) }()
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		o, err := store.GetOrder(ctx, tx, orderID)
		if err != nil {
			return err
		}
		og, err := store.OrderGiftOf(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		if og.VoucherID != nil {
			return nil
		}
		shipments, err := store.ShipmentsOfOrders(ctx, tx, []int64{o.ID})
		if err != nil {
			return err
		}
		for _, sh := range shipments {
			if !sh.IsPaid {
				return conflict("order %d is not paid: its shipment %s is not captured", o.Number, sh.Number)
			}
		}
		gs, err := store.GiftCertificatesByIDs(ctx, tx, []int64{og.GiftCertificateID})
		if err != nil {
			return err
		}
		if len(gs) != 1 {
			return fmt.Errorf("gift certificate %d: %w", og.GiftCertificateID, seam.ErrNotFound)
		}
		now := s.Now().UTC()
		amount := money.New(og.AmountMinor, og.Currency)
		issued, err := giftcert.Issue(ctx, tx, gs[0], amount, o.ID, now)
		if err != nil {
			return err
		}
		ok, err := store.ClaimOrderGiftVoucher(ctx, tx, o.ID, issued.Voucher.ID)
		if err != nil {
			return err
		}
		if !ok {
			return conflict("order %d's gift certificate was issued meanwhile", o.Number)
		}
		for _, sh := range shipments {
			if _, err := store.CompleteShipment(ctx, tx, sh.ID, now, now); err != nil {
				return err
			}
		}
		if _, err := store.SetOrderStatus(ctx, tx, o.ID, []string{store.OrderPending, store.OrderConfirmed}, store.OrderShipped, now); err != nil {
			return err
		}
		o.Status = store.OrderShipped
		message := ""
		if o.GiftMessage != nil {
			message = *o.GiftMessage
		}
		m, err := giftcert.MailFor(gs[0], amount, issued.Code, o.Number, message, issued.Voucher.StopAt)
		if err != nil {
			return err
		}
		if _, err := mail.Enqueue(ctx, tx, mail.Message{Kind: "gift_certificate", StoreID: &o.StoreID, To: o.Email, Subject: m.Subject,
			Text: m.Text, HTML: m.HTML}); err != nil {
			return err
		}
		return giftShippedEvents(ctx, tx, o, shipments)
	})
}

// ShopGiftCertificates lists the active gift certificates of the shop's
// store (GET /gift-certificates).
func (s *Service) ShopGiftCertificates(ctx context.Context) ([]GiftOffer, error) {
	st, err := shopStore(ctx, s.DB.Read())
	if err != nil {
		return nil, err
	}
	return s.giftOffers(ctx, st.ID)
}

// Balance is what is left on an issued gift certificate.
type Balance struct {
	CodeHint  string
	Balance   money.Amount
	Initial   money.Amount
	ExpiresAt time.Time
	Expired   bool
}

// BalanceLimit is how many balance checks a session may make per minute.
const BalanceLimit = 10

// RateLimitedError says a caller asked too often and when to try again.
type RateLimitedError struct {
	// What was asked too often ("" means balance checks).
	What       string
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	what := e.What
	if what == "" {
		what = "balance checks"
	}
	return fmt.Sprintf("too many %s; try again in %d s", what, max(1, int((e.RetryAfter+time.Second-1)/time.Second)))
}

// GiftBalance tells an issued gift certificate's balance, at most
// BalanceLimit times a minute per session (guessing codes would need
// billions of tries).
func (s *Service) GiftBalance(ctx context.Context, sessionID int64, code string) (Balance, error) {
	if strings.TrimSpace(code) == "" {
		return Balance{}, invalid("code", "Give the gift certificate's code.")
	}
	now := s.Now()
	window := now.UnixMilli() / 60_000 * 60_000
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		ok, err := store.CountSessionUse(ctx, tx, sessionID, "gift-balance", window, BalanceLimit)
		if err == nil && !ok {
			return &RateLimitedError{RetryAfter: time.Duration(window+60_000-now.UnixMilli()) * time.Millisecond}
		}
		return err
	})
	if err != nil {
		return Balance{}, err
	}
	st, err := shopStore(ctx, s.DB.Read())
	if err != nil {
		return Balance{}, err
	}
	v, err := voucher.ByCode(ctx, s.DB.Read(), st.ID, code)
	if isNotFound(err) || (err == nil && (v.Type != voucher.TypeCredit || v.BalanceMinor == nil)) {
		return Balance{}, notFound("no gift certificate with this code")
	} else if err != nil {
		return Balance{}, err
	}
	return Balance{CodeHint: voucher.Hint(code), Balance: money.New(*v.BalanceMinor, *v.CreditCurrency),
		Initial: money.New(*v.CreditMinor, *v.CreditCurrency), ExpiresAt: v.StopAt, Expired: !now.Before(v.StopAt)}, nil
}
