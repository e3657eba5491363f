package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Call names of a link race, as reports show them.
const (
	callClaim   = "claim"
	callAttach  = "attach"
	callAddress = "address"
)

var linkCalls = []string{callClaim, callAttach, callAddress, callPayment}

// loadtestLinkTemplate is the payment link template a link race gives a
// store that has none.
const loadtestLinkTemplate = "https://loadtest.example/selection/%basket%/%hash%"

// LinkRaceConfig is a race of many buyers for one payment link.
type LinkRaceConfig struct {
	Target
	// Units is the stock of the product the run creates; the link sells
	// one, so more than one unit means only the link can refuse.
	Units int
	// Buyers is the number of guests, each claiming the link and paying
	// for their copy, all at once.
	Buyers int
}

// LinkRaceReport is what a link race measured and checked.
type LinkRaceReport struct {
	URL string
	// Setup says what the run created or kept, one line each.
	Setup         []string
	Units, Buyers int
	// Claimed counts buyers whose claim answered a copy; Copies the
	// distinct copies among them.
	Claimed, Copies int
	// Orders counts payments answered with an order, Distinct the
	// different orders among them; Order is the first.
	Orders, Distinct int
	Order            LinkOrder
	// RefusedUsed and RefusedStock count the 410 answers by the reason
	// they gave: the link was used, or the stock ran out.
	RefusedUsed, RefusedStock int
	// Errors counts the other buyers by call and status.
	Errors []Count
	// Link is the payment link and Stock the product's stock, read back
	// after the race.
	Link  LinkState
	Stock StockLevels
	// Elapsed is the race: from the first payment to the last answer;
	// Total adds the setup and the claims.
	Elapsed, Total time.Duration
	Requests       int
	Calls          []CallStats
	// Stopped says why the race ended early, if it did.
	Stopped    string
	Invariants []Invariant
}

// LinkOrder is an order a payment answered.
type LinkOrder struct {
	ID     string
	Number int64
}

// LinkState is a payment link as the Integration API shows it.
type LinkState struct {
	ID     int64
	Status string
	UsedAt string
	// OrderNumber is the number of the order that used the link; 0 for
	// none.
	OrderNumber int64
}

// Failed reports whether an invariant did not hold.
func (r LinkRaceReport) Failed() bool { return failed(r.Invariants) }

// RunLinkRace creates a product with cfg.Units in stock, a selection of one
// of it and a payment link with locked quantities through the Integration
// API, lets cfg.Buyers guests each claim the link, attach their copy and
// give an address, then has them all pay at once. It checks that exactly
// one order was placed, that the link shows it, that every other buyer was
// refused with a reason, that the stock was taken once and that every claim
// made its own copy. It returns an error only when the race could not be
// set up.
func RunLinkRace(ctx context.Context, cfg LinkRaceConfig) (LinkRaceReport, error) {
	base, err := CheckURL(cfg.URL)
	if err != nil {
		return LinkRaceReport{}, err
	}
	if cfg.Units <= 0 || cfg.Buyers <= 0 {
		return LinkRaceReport{}, fmt.Errorf("units and buyers must be positive, got %d and %d", cfg.Units, cfg.Buyers)
	}
	client := newClient(cfg.Buyers, cfg.Timeout)
	defer client.CloseIdleConnections()
	api := newIntegration(client, base, cfg.Token)
	rep := LinkRaceReport{URL: base, Units: cfg.Units, Buyers: cfg.Buyers}
	begin := time.Now()
	l, err := setUpLink(ctx, api, newShopper(client, base, newRecorder()), cfg.Units, &rep)
	if err != nil {
		return rep, err
	}

	var (
		rec           = newRecorder(linkCalls...)
		errs          = newTally()
		mu            sync.Mutex
		copies        = map[string]int{}
		orders        []LinkOrder
		used, noStock atomic.Int64
		ready         sync.WaitGroup
		done          sync.WaitGroup
		race          = make(chan struct{})
		prepBar       = newProgress(cfg.Progress, int64(cfg.Buyers), "claiming the link", true)
		raceBar       *progress
		address       = maps.Clone(guestAddress)
	)
	address["country"] = l.country
	record := func(err error) {
		var ce *callError
		if errors.As(err, &ce) {
			errs.add(ce.label(), ce.Msg)
		} else {
			errs.add("other", err.Error())
		}
	}
	ready.Add(cfg.Buyers)
	done.Add(cfg.Buyers)
	for range cfg.Buyers {
		go func() {
			defer done.Done()
			s := newShopper(client, base, rec)
			cp, err := s.claimLink(ctx, l)
			if cp != "" {
				mu.Lock()
				copies[cp]++
				mu.Unlock()
			}
			if err == nil {
				err = s.attach(ctx, cp)
			}
			if err == nil {
				err = s.do(ctx, callAddress, http.MethodPut, "/address", map[string]any{"address": address}, nil)
			}
			prepBar.add(1)
			ready.Done()
			if err != nil {
				record(err)
				return
			}
			select {
			case <-race:
			case <-ctx.Done():
				record(ctx.Err())
				return
			}
			defer raceBar.add(1)
			order, reason, err := s.payLink(ctx)
			switch {
			case err != nil:
				record(err)
			case order != nil:
				mu.Lock()
				orders = append(orders, *order)
				mu.Unlock()
			case reason == "paymentLink":
				used.Add(1)
			default:
				noStock.Add(1)
			}
		}()
	}
	ready.Wait()
	prepBar.finish()
	raceBar = newProgress(cfg.Progress, int64(cfg.Buyers), "paying", true)
	start := time.Now()
	close(race)
	done.Wait()
	raceBar.finish()
	rep.Elapsed, rep.Total = time.Since(start), time.Since(begin)
	rep.Orders, rep.RefusedUsed, rep.RefusedStock, rep.Errors = len(orders), int(used.Load()), int(noStock.Load()), errs.list()
	if len(orders) > 0 {
		rep.Order = orders[0]
	}
	distinct := map[LinkOrder]bool{}
	for _, o := range orders {
		distinct[o] = true
	}
	rep.Distinct = len(distinct)
	for _, n := range copies {
		rep.Claimed += n
	}
	rep.Copies = len(copies)
	rep.Requests, rep.Calls = rec.total(), rec.stats()
	if ctx.Err() != nil {
		rep.Stopped = "interrupted"
	}

	// The read-back gets its own time, so that an interrupted race still
	// shows what it left behind.
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	rep.Link, err = api.paymentLink(readCtx, l.id)
	linkHeld := err == nil && rep.Link.Status == "USED" && rep.Orders == 1 && rep.Link.OrderNumber == rep.Order.Number
	linkCheck := check("the link is USED by that order", linkHeld, "status %s, order number %d; answered %d orders, the first number %d",
		rep.Link.Status, rep.Link.OrderNumber, rep.Orders, rep.Order.Number)
	if err != nil {
		rep.Link.ID = l.id
		linkCheck.Detail = "could not read the link back: " + err.Error()
	}
	stock, stockErr := api.stock(readCtx, l.variant)
	rep.Stock = stock
	allocated := check("the stock was taken once", stockErr == nil && stock.Allocated == 1,
		"allocated %d of %d units", stock.Allocated, stock.Physical)
	if stockErr != nil {
		allocated.Detail = "could not read the stock back: " + stockErr.Error()
	}
	refused := rep.RefusedUsed + rep.RefusedStock
	others := cfg.Buyers - rep.Orders - refused
	rep.Invariants = []Invariant{
		check("exactly one order", rep.Orders == 1, "%d answered, %d distinct, among %d buyers", rep.Orders, rep.Distinct, cfg.Buyers),
		linkCheck,
		check("every other buyer got a 410 with a reason", refused == cfg.Buyers-1,
			"%d refused (%d link used, %d sold out) of %d", refused, rep.RefusedUsed, rep.RefusedStock, cfg.Buyers-1),
		check("nobody got another answer", others == 0, "%d buyers failed otherwise", others),
		allocated,
		check("every claim made its own copy", rep.Copies == rep.Claimed && copies[l.selection] == 0,
			"%d copies from %d claims", rep.Copies, rep.Claimed),
	}
	return rep, nil
}

// raceLink is the payment link a race is for.
type raceLink struct {
	id              int64
	selection, hash string
	country         string
	variant         int64
}

// setUpLink creates the product, sets the store's link template when it
// has none, builds a selection of one unit and makes a payment link to it,
// noting each step in rep.Setup.
func setUpLink(ctx context.Context, api *integration, finder *shopper, units int, rep *LinkRaceReport) (raceLink, error) {
	p, err := api.createProduct(ctx, "link race", units)
	if err != nil {
		return raceLink{}, fmt.Errorf("set up the product to sell: %w", err)
	}
	rep.Setup = append(rep.Setup, fmt.Sprintf("created product %d %q, variant %d, with %d units", p.ProductID, p.Name, p.VariantID, units))
	item, err := findItem(ctx, finder, p)
	if err != nil {
		return raceLink{}, err
	}
	loc, err := firstCountry(ctx, finder)
	if err != nil {
		return raceLink{}, fmt.Errorf("find a country to sell to: %w", err)
	}
	shop, err := api.linkShop(ctx, loc.pricelist)
	if err != nil {
		return raceLink{}, fmt.Errorf("read store %d: %w", demoStore, err)
	}
	if shop.template == "" {
		if err := api.setLinkTemplate(ctx, loadtestLinkTemplate); err != nil {
			return raceLink{}, err
		}
		shop.template = loadtestLinkTemplate
		rep.Setup = append(rep.Setup, fmt.Sprintf("set store %d's payment link template to %s", demoStore, loadtestLinkTemplate))
	} else {
		rep.Setup = append(rep.Setup, fmt.Sprintf("kept store %d's payment link template %s", demoStore, shop.template))
	}
	sel, err := api.createLinkSelection(ctx, loc, item, shop.currency)
	if err != nil {
		return raceLink{}, err
	}
	id, raw, err := api.createPaymentLink(ctx, sel)
	if err != nil {
		return raceLink{}, err
	}
	hash, err := linkHash(shop.template, sel, raw)
	if err != nil {
		return raceLink{}, err
	}
	rep.Setup = append(rep.Setup, fmt.Sprintf("selection %s of 1 × %s at 100 %s to %s, payment link %d with locked quantities",
		sel, item, shop.currency, loc.code, id))
	return raceLink{id: id, selection: sel, hash: hash, country: loc.code, variant: p.VariantID}, nil
}

// linkHash reads a link's secret off its URL, the store's template filled
// in with the selection and the secret.
func linkHash(template, selection, link string) (string, error) {
	pat := strings.NewReplacer("%basket%", regexp.QuoteMeta(url.PathEscape(selection)), "%hash%", `([A-Za-z0-9_-]{43})`).
		Replace(regexp.QuoteMeta(template))
	re, err := regexp.Compile("^" + pat + "$")
	if err == nil {
		if m := re.FindStringSubmatch(link); m != nil {
			return m[1], nil
		}
	}
	return "", fmt.Errorf("createPaymentLink answered the url %q, which is not the template %q filled in with selection %s and a secret", link, template, selection)
}

// sellingCountry is a country the Checkout API sells to, with its market
// and pricelist.
type sellingCountry struct {
	code              string
	market, pricelist int64
}

// firstCountry picks the country guests ship to when the store sells
// there, else the first it sells to.
func firstCountry(ctx context.Context, s *shopper) (sellingCountry, error) {
	var out struct {
		Countries []struct {
			Country   string `json:"country"`
			Market    string `json:"market"`
			Pricelist string `json:"pricelist"`
		} `json:"countries"`
	}
	if err := s.do(ctx, "countries", http.MethodGet, "/countries", nil, &out); err != nil {
		return sellingCountry{}, err
	}
	if len(out.Countries) == 0 {
		return sellingCountry{}, fmt.Errorf("store %d sells to no country", demoStore)
	}
	c := out.Countries[0]
	for _, x := range out.Countries {
		if x.Country == guestCountry {
			c = x
		}
	}
	m, err1 := strconv.ParseInt(c.Market, 10, 64)
	p, err2 := strconv.ParseInt(c.Pricelist, 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return sellingCountry{}, fmt.Errorf("country %s: market %q or pricelist %q is not a number", c.Country, c.Market, c.Pricelist)
	}
	return sellingCountry{code: c.Country, market: m, pricelist: p}, nil
}

const (
	qLinkShop = `query($store: [Int!], $pricelist: [Int!]) { stores(where: {id: $store}) { id paymentLinkTemplate }
		pricelists(where: {id: $pricelist}) { currency { code } } }`
	mUpdateStore       = `mutation($id: Int!, $input: StoreUpdateInput!) { updateStore(id: $id, input: $input) { userErrors { message path } } }`
	mCreateSelection   = `mutation($input: SelectionCreateInput!) { createSelection(input: $input) { selection { id } userErrors { message path } } }`
	mCreatePaymentLink = `mutation($input: PaymentLinkCreateInput!) { createPaymentLink(input: $input) {
		paymentLink { id url } userErrors { message path } } }`
	qPaymentLink = `query($id: [Int!]) { paymentLinks(where: {id: $id}) { id status usedAt order { number } } }`
)

// linkShop is what a link race needs to know of the store.
type linkShop struct {
	template, currency string
}

func (c *integration) linkShop(ctx context.Context, pricelist int64) (linkShop, error) {
	var out struct {
		Stores []struct {
			Template *string `json:"paymentLinkTemplate"`
		} `json:"stores"`
		Pricelists []struct {
			Currency struct {
				Code string `json:"code"`
			} `json:"currency"`
		} `json:"pricelists"`
	}
	if err := c.do(ctx, qLinkShop, map[string]any{"store": []int{demoStore}, "pricelist": []int64{pricelist}}, &out); err != nil {
		return linkShop{}, err
	}
	if len(out.Stores) != 1 || len(out.Pricelists) != 1 {
		return linkShop{}, fmt.Errorf("the Integration API shows %d stores with id %d and %d pricelists with id %d", len(out.Stores), demoStore,
			len(out.Pricelists), pricelist)
	}
	var s linkShop
	if t := out.Stores[0].Template; t != nil {
		s.template = *t
	}
	s.currency = out.Pricelists[0].Currency.Code
	return s, nil
}

func (c *integration) setLinkTemplate(ctx context.Context, template string) error {
	var out struct {
		Update struct {
			UserErrors userErrors `json:"userErrors"`
		} `json:"updateStore"`
	}
	err := c.do(ctx, mUpdateStore, map[string]any{"id": demoStore, "input": map[string]any{"paymentLinkTemplate": template}}, &out)
	if err == nil {
		err = out.Update.UserErrors.err("updateStore")
	}
	return err
}

// createLinkSelection builds an operator's selection of one unit of item
// at a special price of 100 in the pricelist's currency.
func (c *integration) createLinkSelection(ctx context.Context, loc sellingCountry, item, currency string) (string, error) {
	var out struct {
		Create struct {
			Selection *struct {
				ID string `json:"id"`
			} `json:"selection"`
			UserErrors userErrors `json:"userErrors"`
		} `json:"createSelection"`
	}
	err := c.do(ctx, mCreateSelection, input(map[string]any{"store": map[string]any{"id": demoStore}, "market": map[string]any{"id": loc.market},
		"pricelist": map[string]any{"id": loc.pricelist}, "country": map[string]any{"code": loc.code},
		"lines": []any{map[string]any{"item": item, "quantity": 1, "unitPrice": map[string]any{"value": 100, "currencyIsoCode": currency}}}}), &out)
	if err != nil {
		return "", err
	}
	if err := out.Create.UserErrors.err("createSelection"); err != nil || out.Create.Selection == nil {
		return "", orMissing(err, "createSelection", "selection")
	}
	return out.Create.Selection.ID, nil
}

// createPaymentLink makes a link with locked quantities to a selection and
// returns its id and url.
func (c *integration) createPaymentLink(ctx context.Context, selection string) (int64, string, error) {
	var out struct {
		Create struct {
			Link *struct {
				ID  int64   `json:"id"`
				URL *string `json:"url"`
			} `json:"paymentLink"`
			UserErrors userErrors `json:"userErrors"`
		} `json:"createPaymentLink"`
	}
	if err := c.do(ctx, mCreatePaymentLink, input(map[string]any{"selection": selection, "lockQuantities": true}), &out); err != nil {
		return 0, "", err
	}
	if err := out.Create.UserErrors.err("createPaymentLink"); err != nil || out.Create.Link == nil || out.Create.Link.URL == nil {
		return 0, "", orMissing(err, "createPaymentLink", "paymentLink with a url")
	}
	return out.Create.Link.ID, *out.Create.Link.URL, nil
}

// paymentLink reads a link back.
func (c *integration) paymentLink(ctx context.Context, id int64) (LinkState, error) {
	var out struct {
		Links []struct {
			ID     int64   `json:"id"`
			Status string  `json:"status"`
			UsedAt *string `json:"usedAt"`
			Order  *struct {
				Number int64 `json:"number"`
			} `json:"order"`
		} `json:"paymentLinks"`
	}
	if err := c.do(ctx, qPaymentLink, map[string]any{"id": []int64{id}}, &out); err != nil {
		return LinkState{}, err
	}
	if len(out.Links) != 1 {
		return LinkState{}, fmt.Errorf("paymentLinks answered %d links with id %d", len(out.Links), id)
	}
	pl := out.Links[0]
	st := LinkState{ID: pl.ID, Status: pl.Status}
	if pl.UsedAt != nil {
		st.UsedAt = *pl.UsedAt
	}
	if pl.Order != nil {
		st.OrderNumber = pl.Order.Number
	}
	return st, nil
}

// claimLink claims the link in a new session and returns the copy's id.
func (s *shopper) claimLink(ctx context.Context, l raceLink) (string, error) {
	var env struct {
		Token     string `json:"token"`
		Selection *struct {
			Selection string `json:"selection"`
		} `json:"selection"`
	}
	path := "/payment-links/" + url.PathEscape(l.selection) + "/" + url.PathEscape(l.hash)
	if err := s.do(ctx, callClaim, http.MethodPost, path, nil, &env); err != nil {
		return "", err
	}
	if env.Token == "" || env.Selection == nil || env.Selection.Selection == "" {
		return "", &callError{Call: callClaim, Status: http.StatusOK, Msg: "no token or selection in the answer"}
	}
	s.token = env.Token
	return env.Selection.Selection, nil
}

// attach makes the claimed copy the session's selection.
func (s *shopper) attach(ctx context.Context, selection string) error {
	var env struct {
		Selection *struct {
			Selection string `json:"selection"`
		} `json:"selection"`
	}
	if err := s.do(ctx, callAttach, http.MethodPut, "/selections/"+url.PathEscape(selection), nil, &env); err != nil {
		return err
	}
	if env.Selection == nil || env.Selection.Selection != selection {
		return &callError{Call: callAttach, Status: http.StatusOK, Msg: "the answer is not the envelope of " + selection}
	}
	return nil
}

// payLink pays for the session's copy. It answers the order, or the field
// of errors a 410 named (paymentLink or stock); any other answer is a
// *callError.
func (s *shopper) payLink(ctx context.Context) (*LinkOrder, string, error) {
	status, raw, err := s.send(ctx, callPayment, http.MethodPost, "/payment", map[string]any{"termsAndConditions": true})
	if err != nil {
		return nil, "", err
	}
	var ans paymentAnswer
	jsonErr := json.Unmarshal(raw, &ans)
	switch {
	case status == http.StatusOK && jsonErr == nil && ans.Action == "success" && ans.Order != nil && ans.Order.Order != "":
		return &LinkOrder{ID: ans.Order.Order, Number: ans.Order.Number}, "", nil
	case status == http.StatusGone && ans.Errors["paymentLink"] != "":
		return nil, "paymentLink", nil
	case status == http.StatusGone && ans.Errors["stock"] != "":
		return nil, "stock", nil
	case status == http.StatusGone:
		return nil, "", &callError{Call: callPayment, Status: status, Msg: "no reason given: " + brief(raw)}
	}
	return nil, "", &callError{Call: callPayment, Status: status, Msg: brief(raw)}
}

// Print writes the report for a person.
func (r LinkRaceReport) Print(w io.Writer) {
	fmt.Fprintf(w, "link race against %s: %d buyers for one payment link\n", r.URL, r.Buyers)
	for _, s := range r.Setup {
		fmt.Fprintf(w, "  setup: %s\n", s)
	}
	if r.Stopped != "" {
		fmt.Fprintf(w, "  stopped early: %s\n", r.Stopped)
	}
	refused := r.RefusedUsed + r.RefusedStock
	fmt.Fprintf(w, "\n  orders      %8d", r.Orders)
	if r.Orders > 0 {
		fmt.Fprintf(w, "  (%d distinct; first: number %d, %s)", r.Distinct, r.Order.Number, r.Order.ID)
	}
	fmt.Fprintf(w, "\n  refused     %8d  (410: %d link used, %d sold out)\n  failed      %8d\n",
		refused, r.RefusedUsed, r.RefusedStock, r.Buyers-r.Orders-refused)
	if len(r.Errors) > 0 {
		fmt.Fprintln(w, "  errors by call and status:")
		printErrors(w, r.Errors)
	}
	fmt.Fprintf(w, "  claims: %d answered a copy, %d distinct\n", r.Claimed, r.Copies)
	fmt.Fprintf(w, "  link %d after the race: %s", r.Link.ID, r.Link.Status)
	if r.Link.OrderNumber != 0 {
		fmt.Fprintf(w, " at %s by order number %d", r.Link.UsedAt, r.Link.OrderNumber)
	}
	fmt.Fprintf(w, "\n  stock after the race: physical %d, allocated %d, free to allocate %d\n", r.Stock.Physical, r.Stock.Allocated, r.Stock.FreeToAllocate)
	fmt.Fprintf(w, "\n  race        %8s  %8.1f buyers/s paying at once\n", r.Elapsed.Round(time.Millisecond), perSecond(r.Buyers, r.Elapsed))
	fmt.Fprintf(w, "  whole run   %8s  %8.1f requests/s (%d answered, setup and claims first)\n", r.Total.Round(time.Millisecond),
		perSecond(r.Requests, r.Total), r.Requests)
	printCalls(w, r.Calls)
	printInvariants(w, r.Invariants)
}
