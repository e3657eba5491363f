package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"seam/internal/loadtest"
)

const loadtestUsage = `Usage: seam loadtest <mode> [--url URL] [--token TOKEN] [flags]

Drives a running Seam over HTTP for a bounded time or count and prints the
throughput, the p50/p95/p99 latency of each call and the invariants it
checked. It exits with 1 when an invariant fails and shows a progress bar on
a terminal. Point it at a Seam holding the demo shop (seam serve on an empty
data directory prints a token that fits --token).

Modes:
  checkout     guests check out an item in stock, again and again, for --duration
  stock-race   --buyers guests pay at once for --units of a product it creates
  link-race    --buyers guests claim one payment link it creates and pay at once`

// loadtestModes are the modes by name; each makes its flag set and the run
// that follows parsing.
var loadtestModes = map[string]func(stderr io.Writer) (*flag.FlagSet, func(context.Context, loadtest.Target, io.Writer) error){
	"checkout":   checkoutMode,
	"stock-race": stockRaceMode,
	"link-race":  linkRaceMode,
}

func loadtestCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, loadtestUsage)
		for _, name := range []string{"checkout", "stock-race", "link-race"} {
			var b strings.Builder
			fs, _, _ := modeFlags(name, &b)
			fs.PrintDefaults()
			fmt.Fprintf(stderr, "\nFlags of %s:\n%s", name, b.String())
		}
		if len(args) == 0 {
			return usageErr("give a mode: checkout, stock-race or link-race")
		}
		return flag.ErrHelp
	}
	if _, ok := loadtestModes[args[0]]; !ok {
		fmt.Fprintln(stderr, loadtestUsage)
		return usageErr("unknown mode %q; the modes are checkout, stock-race and link-race", args[0])
	}
	fs, tf, runMode := modeFlags(args[0], stderr)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	target, err := tf.target(stderr)
	if err != nil {
		return err
	}
	return runMode(ctx, target, stdout)
}

// modeFlags makes a mode's flag set, with the flags every mode has.
func modeFlags(name string, stderr io.Writer) (*flag.FlagSet, *targetFlags, func(context.Context, loadtest.Target, io.Writer) error) {
	fs, run := loadtestModes[name](stderr)
	var tf targetFlags
	tf.register(fs)
	return fs, &tf, run
}

// targetFlags are the flags of every mode.
type targetFlags struct {
	url, token string
	timeout    time.Duration
}

func (f *targetFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "url", env("SEAM_URL", "http://127.0.0.1:8080"), "base URL of the Seam to drive (SEAM_URL)")
	fs.StringVar(&f.token, "token", env("SEAM_TOKEN", ""), "Integration API token for the setup a mode needs (SEAM_TOKEN)")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "longest wait for one answer")
}

func (f *targetFlags) target(stderr io.Writer) (loadtest.Target, error) {
	base, err := loadtest.CheckURL(f.url)
	if err != nil {
		return loadtest.Target{}, usageErr("--url: %v", err)
	}
	if f.timeout <= 0 {
		return loadtest.Target{}, usageErr("--timeout must be positive, got %s", f.timeout)
	}
	t := loadtest.Target{URL: base, Token: strings.TrimSpace(f.token), Timeout: f.timeout}
	if file, ok := stderr.(*os.File); ok && isatty.IsTerminal(file.Fd()) {
		t.Progress = stderr
	}
	return t, nil
}

// maxWorkers bounds --concurrency and --buyers: each is a goroutine and a
// connection.
const maxWorkers = 10_000

func checkoutMode(stderr io.Writer) (*flag.FlagSet, func(context.Context, loadtest.Target, io.Writer) error) {
	fs := newFlags("loadtest checkout", "Usage: seam loadtest checkout [--url URL] [--duration 30s] [--concurrency 32] [--stock N --token TOKEN]\n\n"+
		"Each worker is a guest who lists products, adds an item in stock, ships to SE, pays with\n"+
		"the test provider, sends the payment result and reads the receipt, again and again until\n"+
		"--duration ends. An item sold out before payment (410) is counted, not an error.", "", stderr)
	duration := fs.Duration("duration", 30*time.Second, "how long to start new checkouts")
	concurrency := fs.Int("concurrency", 32, "number of guests checking out at once")
	stock := fs.Int("stock", 0, "first create a product with this many units (needs --token), so that a long run cannot sell the shop out")
	return fs, func(ctx context.Context, t loadtest.Target, stdout io.Writer) error {
		switch {
		case *duration <= 0:
			return usageErr("--duration must be positive, got %s", *duration)
		case *concurrency < 1 || *concurrency > maxWorkers:
			return usageErr("--concurrency must be 1 to %d, got %d", maxWorkers, *concurrency)
		case *stock < 0:
			return usageErr("--stock must be 0 or more, got %d", *stock)
		case *stock > 0 && t.Token == "":
			return usageErr("--stock creates a product through the Integration API: give --token (or SEAM_TOKEN)")
		}
		rep, err := loadtest.RunCheckout(ctx, loadtest.CheckoutConfig{Target: t, Duration: *duration, Concurrency: *concurrency, Stock: *stock})
		if err != nil {
			return err
		}
		rep.Print(stdout)
		return verdict(rep.Failed(), rep.Stopped)
	}
}

func stockRaceMode(stderr io.Writer) (*flag.FlagSet, func(context.Context, loadtest.Target, io.Writer) error) {
	fs := newFlags("loadtest stock-race", "Usage: seam loadtest stock-race --token TOKEN [--url URL] [--units 100] [--buyers 400]\n\n"+
		"Creates a one-size product with exactly --units in stock through the Integration API,\n"+
		"displayed and priced in the demo store. --buyers guests each put one in their selection,\n"+
		"then all pay at once. It checks that no more than --units were sold, that every buyer got\n"+
		"an order or a sold-out answer (410), and that the allocated stock equals the sales.", "", stderr)
	units := fs.Int("units", 100, "units in stock")
	buyers := fs.Int("buyers", 400, "guests trying to buy one unit each")
	return fs, func(ctx context.Context, t loadtest.Target, stdout io.Writer) error {
		switch {
		case *units < 1 || *units > 1_000_000:
			return usageErr("--units must be 1 to 1000000, got %d", *units)
		case *buyers < 1 || *buyers > maxWorkers:
			return usageErr("--buyers must be 1 to %d, got %d", maxWorkers, *buyers)
		case t.Token == "":
			return usageErr("stock-race creates its product through the Integration API: give --token (or SEAM_TOKEN)")
		}
		rep, err := loadtest.RunStockRace(ctx, loadtest.StockRaceConfig{Target: t, Units: *units, Buyers: *buyers})
		if err != nil {
			return err
		}
		rep.Print(stdout)
		return verdict(rep.Failed(), rep.Stopped)
	}
}

func linkRaceMode(stderr io.Writer) (*flag.FlagSet, func(context.Context, loadtest.Target, io.Writer) error) {
	fs := newFlags("loadtest link-race", "Usage: seam loadtest link-race --token TOKEN [--url URL] [--units 10] [--buyers 1000]\n\n"+
		"Creates a one-size product with --units in stock, a selection of one of it and a payment\n"+
		"link with locked quantities through the Integration API (giving the demo store a payment\n"+
		"link template if it has none). --buyers guests each claim the link, attach their copy and\n"+
		"give an address, then all pay at once. It checks that exactly one order was placed and the\n"+
		"link shows it, that every other buyer got a 410 saying why, that the stock was taken once\n"+
		"and that every claim made its own copy.", "", stderr)
	units := fs.Int("units", 10, "units in stock of the product the link sells one of")
	buyers := fs.Int("buyers", 1000, "guests claiming the link and paying at once")
	return fs, func(ctx context.Context, t loadtest.Target, stdout io.Writer) error {
		switch {
		case *units < 1 || *units > 1_000_000:
			return usageErr("--units must be 1 to 1000000, got %d", *units)
		case *buyers < 1 || *buyers > maxWorkers:
			return usageErr("--buyers must be 1 to %d, got %d", maxWorkers, *buyers)
		case t.Token == "":
			return usageErr("link-race creates its product, selection and link through the Integration API: give --token (or SEAM_TOKEN)")
		}
		rep, err := loadtest.RunLinkRace(ctx, loadtest.LinkRaceConfig{Target: t, Units: *units, Buyers: *buyers})
		if err != nil {
			return err
		}
		rep.Print(stdout)
		return verdict(rep.Failed(), rep.Stopped)
	}
}

// verdict turns a printed report into the exit status: failed invariants
// and interrupted runs are failures.
func verdict(failed bool, stopped string) error {
	switch {
	case failed:
		return errors.New("an invariant failed (see FAIL above)")
	case stopped == "interrupted":
		return errors.New("interrupted before the run ended")
	}
	return nil
}
