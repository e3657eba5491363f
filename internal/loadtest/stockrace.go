package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// StockRaceConfig is a race of many guests for few units.
type StockRaceConfig struct {
	Target
	// Units is the stock of the product the run creates.
	Units int
	// Buyers is the number of guests, each trying to buy one unit, all at
	// once.
	Buyers int
}

// StockRaceReport is what a stock race measured and checked.
type StockRaceReport struct {
	URL string
	// Product names the product the run created.
	Product       string
	Units, Buyers int
	// Sold counts buyers whose payment-result answered success; Refused
	// those told the item was sold out (410).
	Sold, Refused int
	// Errors counts the other buyers by call and status.
	Errors []Count
	// Stock is the product's stock read back after the race.
	Stock StockLevels
	// Elapsed is the race: from the first payment to the last answer;
	// Total adds the time the buyers took to fill their selections.
	Elapsed, Total time.Duration
	Requests       int
	Calls          []CallStats
	// Stopped says why the race ended early, if it did.
	Stopped    string
	Invariants []Invariant
}

// Failed reports whether an invariant did not hold.
func (r StockRaceReport) Failed() bool { return failed(r.Invariants) }

// RunStockRace creates a one-size product with exactly cfg.Units in stock
// through the Integration API, lets cfg.Buyers guests fill their
// selections, then has them all pay at once, and checks that no more than
// the stock was sold, that every buyer got an order or a sold-out answer,
// and that the allocated stock equals the sales. It returns an error only
// when the race could not be set up.
func RunStockRace(ctx context.Context, cfg StockRaceConfig) (StockRaceReport, error) {
	base, err := CheckURL(cfg.URL)
	if err != nil {
		return StockRaceReport{}, err
	}
	if cfg.Units <= 0 || cfg.Buyers <= 0 {
		return StockRaceReport{}, fmt.Errorf("units and buyers must be positive, got %d and %d", cfg.Units, cfg.Buyers)
	}
	client := newClient(cfg.Buyers, cfg.Timeout)
	defer client.CloseIdleConnections()
	api := newIntegration(client, base, cfg.Token)
	rep := StockRaceReport{URL: base, Units: cfg.Units, Buyers: cfg.Buyers}
	p, err := api.createProduct(ctx, "stock race", cfg.Units)
	if err != nil {
		return rep, fmt.Errorf("set up the product to race for: %w", err)
	}
	rep.Product = fmt.Sprintf("product %d %q, variant %d", p.ProductID, p.Name, p.VariantID)
	item, err := findItem(ctx, newShopper(client, base, newRecorder()), p)
	if err != nil {
		return rep, err
	}

	var (
		rec           = newRecorder(checkoutCalls...)
		errs          = newTally()
		sold, refused atomic.Int64
		matched       atomic.Int64
		ready, done   sync.WaitGroup
		race          = make(chan struct{})
		prepBar       = newProgress(cfg.Progress, int64(cfg.Buyers), "filling selections", true)
		raceBar       *progress
		begin         = time.Now()
	)
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
			err := s.start(ctx)
			if err == nil {
				err = s.addItem(ctx, item)
			}
			if err == nil {
				err = s.prepare(ctx, guestCountry)
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
			pur, err := s.buy(ctx)
			switch {
			case pur.Settled:
				sold.Add(1)
				if pur.matches() {
					matched.Add(1)
				}
				if err != nil {
					record(err)
				}
			case soldOut(err):
				refused.Add(1)
			default:
				record(err)
			}
		}()
	}
	ready.Wait()
	prepBar.finish()
	raceBar = newProgress(cfg.Progress, int64(cfg.Buyers), "buying", true)
	start := time.Now()
	close(race)
	done.Wait()
	raceBar.finish()
	rep.Elapsed, rep.Total = time.Since(start), time.Since(begin)
	rep.Sold, rep.Refused, rep.Errors = int(sold.Load()), int(refused.Load()), errs.list()
	rep.Requests, rep.Calls = rec.total(), rec.stats()
	if ctx.Err() != nil {
		rep.Stopped = "interrupted"
	}

	// The read-back gets its own time, so that an interrupted race still
	// shows what it left behind.
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	stock, stockErr := api.stock(readCtx, p.VariantID)
	rep.Stock = stock
	failedBuyers := cfg.Buyers - rep.Sold - rep.Refused
	allocated := check("allocated stock equals the units sold", stockErr == nil && stock.Allocated == int64(rep.Sold),
		"allocated %d, sold %d", stock.Allocated, rep.Sold)
	if stockErr != nil {
		allocated.Detail = "could not read the stock back: " + stockErr.Error()
	}
	rep.Invariants = []Invariant{
		check("no more units sold than were in stock", rep.Sold <= cfg.Units, "sold %d of %d", rep.Sold, cfg.Units),
		check("every buyer got an order or a sold-out answer", failedBuyers == 0,
			"%d sold + %d refused of %d buyers, %d failed otherwise", rep.Sold, rep.Refused, cfg.Buyers, failedBuyers),
		allocated,
		check("nobody was refused while stock was left", rep.Refused == 0 || rep.Sold == cfg.Units,
			"%d refused, %d of %d units sold", rep.Refused, rep.Sold, cfg.Units),
		check("each sale's receipt shows the order payment-result returned", int(matched.Load()) == rep.Sold,
			"%d of %d", matched.Load(), rep.Sold),
	}
	return rep, nil
}

// findItem looks the product's one size up in the Checkout API, as a
// storefront would, and returns its item id.
func findItem(ctx context.Context, s *shopper, p loadProduct) (string, error) {
	if err := s.start(ctx); err != nil {
		return "", fmt.Errorf("find the product in the Checkout API: %w", err)
	}
	products, err := s.products(ctx, p.Name, 10)
	if err != nil {
		return "", fmt.Errorf("find the product in the Checkout API: %w", err)
	}
	suffix := "-" + strconv.FormatInt(p.ProductSizeID, 10)
	for _, pr := range products {
		for _, it := range pr.Items {
			if strings.HasSuffix(it.Item, suffix) && it.Available {
				return it.Item, nil
			}
		}
	}
	return "", fmt.Errorf("the Checkout API does not sell %q in stock (%d products found); is store %d the Checkout API's store?", p.Name, len(products), demoStore)
}

// Print writes the report for a person.
func (r StockRaceReport) Print(w io.Writer) {
	fmt.Fprintf(w, "stock race against %s: %d buyers for %d units\n", r.URL, r.Buyers, r.Units)
	fmt.Fprintf(w, "  setup: created %s\n", r.Product)
	if r.Stopped != "" {
		fmt.Fprintf(w, "  stopped early: %s\n", r.Stopped)
	}
	fmt.Fprintf(w, "\n  sold        %8d\n  refused     %8d  (sold out, 410)\n  failed      %8d\n", r.Sold, r.Refused, r.Buyers-r.Sold-r.Refused)
	if len(r.Errors) > 0 {
		fmt.Fprintln(w, "  errors by call and status:")
		printErrors(w, r.Errors)
	}
	fmt.Fprintf(w, "  stock after the race: physical %d, allocated %d, free to allocate %d\n", r.Stock.Physical, r.Stock.Allocated, r.Stock.FreeToAllocate)
	fmt.Fprintf(w, "\n  race        %8s  %8.1f buyers/s paying at once\n", r.Elapsed.Round(time.Millisecond), perSecond(r.Buyers, r.Elapsed))
	fmt.Fprintf(w, "  whole run   %8s  %8.1f requests/s (%d answered, selections filled first)\n", r.Total.Round(time.Millisecond),
		perSecond(r.Requests, r.Total), r.Requests)
	printCalls(w, r.Calls)
	printInvariants(w, r.Invariants)
}
