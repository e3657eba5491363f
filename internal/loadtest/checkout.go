package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// CheckoutConfig is a run of full guest checkouts.
type CheckoutConfig struct {
	Target
	// Duration is how long workers start new checkouts.
	Duration time.Duration
	// Concurrency is the number of workers, each a guest checking out
	// again and again.
	Concurrency int
	// Stock, when above 0, first creates a product with this many units
	// (through the Integration API), so that a long run does not sell the
	// shop out.
	Stock int
}

// CheckoutReport is what a checkout run measured and checked.
type CheckoutReport struct {
	URL         string
	Concurrency int
	// Elapsed is the time from the first call to the last answer.
	Elapsed time.Duration
	// Setup says what the run created before it started, if anything.
	Setup string
	// OK counts checkouts that ended with a receipt; SoldOut those whose
	// item sold out before payment (410).
	OK, SoldOut int
	// Errors counts the other failed checkouts by call and status.
	Errors []Count
	// Requests counts the calls answered.
	Requests int
	Calls    []CallStats
	// Stopped says why the run ended before its duration, if it did.
	Stopped    string
	Invariants []Invariant
}

// Failed reports whether an invariant did not hold.
func (r CheckoutReport) Failed() bool { return failed(r.Invariants) }

// errNothingToBuy says the product list had no item in stock.
var errNothingToBuy = errors.New("no product in stock")

// RunCheckout runs full guest checkouts with cfg.Concurrency workers for
// cfg.Duration: list products, add an available item, set the country and
// shipping, pay with the test provider, send the payment result and read the
// receipt. A checkout whose item sells out is counted, not an error; the
// worker starts another. It returns an error only when the run could not
// start; failed invariants are in the report.
func RunCheckout(ctx context.Context, cfg CheckoutConfig) (CheckoutReport, error) {
	base, err := CheckURL(cfg.URL)
	if err != nil {
		return CheckoutReport{}, err
	}
	if cfg.Duration <= 0 || cfg.Concurrency <= 0 || cfg.Stock < 0 {
		return CheckoutReport{}, fmt.Errorf("duration and concurrency must be positive and stock not negative, got %s, %d, %d", cfg.Duration, cfg.Concurrency, cfg.Stock)
	}
	client := newClient(cfg.Concurrency, cfg.Timeout)
	defer client.CloseIdleConnections()
	rep := CheckoutReport{URL: base, Concurrency: cfg.Concurrency}
	if cfg.Stock > 0 {
		p, err := newIntegration(client, base, cfg.Token).createProduct(ctx, "checkout", cfg.Stock)
		if err != nil {
			return rep, fmt.Errorf("set up a product to sell: %w", err)
		}
		rep.Setup = fmt.Sprintf("created product %d %q with %d units", p.ProductID, p.Name, cfg.Stock)
	}

	var (
		rec        = newRecorder(checkoutCalls...)
		errs       = newTally()
		mu         sync.Mutex
		orders     = map[string]int{}
		ok, sold   atomic.Int64
		paid       atomic.Int64 // payment-result answered success
		withOrder  atomic.Int64 // … and an order
		matched    atomic.Int64 // … and the receipt showed it
		dry        atomic.Int64 // workers that found nothing to buy
		wg         sync.WaitGroup
		start      = time.Now()
		deadline   = start.Add(cfg.Duration)
		bar        = newProgress(cfg.Progress, cfg.Duration.Milliseconds(), "checkouts", false)
		stopTicker = make(chan struct{})
	)
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopTicker:
				return
			case <-t.C:
				bar.set(min(time.Since(start), cfg.Duration).Milliseconds())
				bar.describe(fmt.Sprintf("%d checkouts, %d sold out, %d errors", ok.Load(), sold.Load(), sum(errs.list())))
			}
		}
	}()
	for range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				p, err := checkoutOnce(ctx, newShopper(client, base, rec))
				if p.Settled {
					paid.Add(1)
					if p.Paid != nil {
						withOrder.Add(1)
						mu.Lock()
						orders[p.Paid.Order]++
						mu.Unlock()
					}
					if p.matches() {
						matched.Add(1)
					}
				}
				switch {
				case err == nil:
					ok.Add(1)
				case ctx.Err() != nil:
					return
				case soldOut(err):
					sold.Add(1)
				case errors.Is(err, errNothingToBuy):
					dry.Add(1)
					return
				default:
					var ce *callError
					if errors.As(err, &ce) {
						errs.add(ce.label(), ce.Msg)
					} else {
						errs.add("other", err.Error())
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stopTicker)
	bar.finish()
	rep.Elapsed = time.Since(start)
	rep.OK, rep.SoldOut, rep.Errors = int(ok.Load()), int(sold.Load()), errs.list()
	rep.Requests, rep.Calls = rec.total(), rec.stats()
	switch {
	case ctx.Err() != nil:
		rep.Stopped = "interrupted"
	case dry.Load() > 0:
		rep.Stopped = fmt.Sprintf("%d of %d workers found no product in stock and stopped; restock the shop or run with --stock", dry.Load(), cfg.Concurrency)
	}
	dup := 0
	for _, n := range orders {
		if n > 1 {
			dup += n - 1
		}
	}
	rep.Invariants = []Invariant{
		check("every successful payment-result returned an order", withOrder.Load() == paid.Load(),
			"%d of %d", withOrder.Load(), paid.Load()),
		check("the receipt shows the order payment-result returned", matched.Load() == withOrder.Load(),
			"%d of %d", matched.Load(), withOrder.Load()),
		check("no order was returned to two checkouts", dup == 0, "%d orders, %d repeated", len(orders), dup),
	}
	return rep, nil
}

// checkoutOnce is one guest checkout from an empty selection to the
// receipt, with an item picked at random from those in stock.
func checkoutOnce(ctx context.Context, s *shopper) (purchase, error) {
	if err := s.start(ctx); err != nil {
		return purchase{}, err
	}
	products, err := s.products(ctx, "", 100)
	if err != nil {
		return purchase{}, err
	}
	var items []string
	for _, p := range products {
		for _, it := range p.Items {
			if it.Available {
				items = append(items, it.Item)
			}
		}
	}
	if len(items) == 0 {
		return purchase{}, errNothingToBuy
	}
	if err := s.addItem(ctx, items[rand.IntN(len(items))]); err != nil {
		return purchase{}, err
	}
	if err := s.prepare(ctx, guestCountry); err != nil {
		return purchase{}, err
	}
	return s.buy(ctx)
}

// Print writes the report for a person.
func (r CheckoutReport) Print(w io.Writer) {
	fmt.Fprintf(w, "checkout load test against %s: %d workers for %s\n", r.URL, r.Concurrency, r.Elapsed.Round(time.Millisecond))
	if r.Setup != "" {
		fmt.Fprintf(w, "  setup: %s\n", r.Setup)
	}
	if r.Stopped != "" {
		fmt.Fprintf(w, "  stopped early: %s\n", r.Stopped)
	}
	errs := sum(r.Errors)
	fmt.Fprintf(w, "\n  checkouts   %8.1f/s  (%d ok, %d sold out (410), %d errors)\n", perSecond(r.OK, r.Elapsed), r.OK, r.SoldOut, errs)
	fmt.Fprintf(w, "  requests    %8.1f/s  (%d answered)\n", perSecond(r.Requests, r.Elapsed), r.Requests)
	if errs > 0 {
		fmt.Fprintln(w, "  errors by call and status:")
		printErrors(w, r.Errors)
	}
	printCalls(w, r.Calls)
	printInvariants(w, r.Invariants)
}
