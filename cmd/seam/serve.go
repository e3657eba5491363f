package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"seam/internal/attribute"
	"seam/internal/auth"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/demo"
	"seam/internal/idempotency"
	"seam/internal/mail"
	"seam/internal/media"
	"seam/internal/payment"
	"seam/internal/retry"
	"seam/internal/seam"
	"seam/internal/secret"
	"seam/internal/server"
	"seam/internal/store"
	"seam/internal/webhook"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	fs := newFlags("serve", "Usage: seam serve [flags]\n\nRuns Seam's HTTP server. On an empty database it migrates, loads the demo shop\n(unless --no-demo) and prints the API URL and a full-permission token once.", "", stderr)
	dbf.register(fs)
	addr := fs.String("addr", env("SEAM_ADDR", "127.0.0.1:8080"), "address to listen on (SEAM_ADDR)")
	noDemo := fs.Bool("no-demo", env("SEAM_NO_DEMO", "") == "1" || env("SEAM_NO_DEMO", "") == "true", "start empty instead of with the demo shop (SEAM_NO_DEMO=1)")
	logFormat := fs.String("log-format", env("SEAM_LOG_FORMAT", "auto"), "auto, json or text (SEAM_LOG_FORMAT)")
	limitsName := fs.String("rate-limits", env("SEAM_RATE_LIMITS", "centra"), "default token rate limits: centra (Centra's defaults), high or off (SEAM_RATE_LIMITS)")
	publicURL := fs.String("public-url", env("SEAM_PUBLIC_URL", ""), "Seam's public URL when it differs from the Host header, e.g. https://shop.example (SEAM_PUBLIC_URL)")
	reserve := fs.Duration("reservation-ttl", envDuration("SEAM_RESERVATION_TTL", 15*time.Minute), "how long stock stays reserved for an unfinished payment (SEAM_RESERVATION_TTL)")
	sweep := fs.Duration("sweep-interval", envDuration("SEAM_SWEEP_INTERVAL", 30*time.Second), "how often lapsed reservations and Idempotency-Keys are released (SEAM_SWEEP_INTERVAL)")
	idemLease := fs.Duration("idempotency-lease", envDuration("SEAM_IDEMPOTENCY_LEASE", idempotency.DefaultLease), "how long an Idempotency-Key stays claimed by a request whose process died; renewed while the request runs (SEAM_IDEMPOTENCY_LEASE)")
	lockWait := fs.Duration("lock-wait", envDuration("SEAM_LOCK_WAIT", db.DefaultLockWait), "how long a request waits for a database lock held elsewhere before answering 503 with Retry-After (SEAM_LOCK_WAIT)")
	maxConns := fs.Int("max-connections", envInt("SEAM_MAX_CONNECTIONS", server.DefaultMaxConns), "most connections open at once; more wait until one closes (SEAM_MAX_CONNECTIONS)")
	sessionTTL := fs.Duration("session-ttl", envDuration("SEAM_SESSION_TTL", 30*24*time.Hour), "how long an untouched Checkout API session and its unpaid selection are kept (SEAM_SESSION_TTL)")
	// The secret key's default is read after parsing, so that -h never prints it.
	stripeKey := fs.String("stripe-secret-key", "", "Stripe secret key (sk_…); enables the stripe payment provider (SEAM_STRIPE_SECRET_KEY, better than the flag, which ps shows)")
	stripePublishable := fs.String("stripe-publishable-key", env("SEAM_STRIPE_PUBLISHABLE_KEY", ""), "Stripe publishable key (pk_…) for the Payment Element in the storefront (SEAM_STRIPE_PUBLISHABLE_KEY)")
	smtpURL := fs.String("smtp-url", "", "SMTP server for e-mail, smtp://user:pass@host:587?from=Shop%20<shop@example.com> (SEAM_SMTP_URL, better than the flag, which ps shows); empty runs the dev mailbox at /dev/mailbox")
	hookWindow := fs.Duration("webhook-window", envDuration("SEAM_WEBHOOK_WINDOW", webhook.DefaultWindow), "how long an undelivered webhook is retried (SEAM_WEBHOOK_WINDOW)")
	hooksConfig := fs.String("webhooks-config", env("SEAM_WEBHOOKS_CONFIG", ""), "JSON file of webhook subscriptions on the events feed, applied at start; it owns the subscriptions it names (SEAM_WEBHOOKS_CONFIG)")
	hookLog := fs.Duration("webhook-log-retention", envDuration("SEAM_WEBHOOK_LOG_RETENTION", webhook.DefaultCallRetention), "how long the webhook subscriptions' delivery log keeps a call (SEAM_WEBHOOK_LOG_RETENTION)")
	hookTimeout := fs.Duration("webhook-timeout", envDuration("SEAM_WEBHOOK_TIMEOUT", webhook.DefaultTimeout), "how long a webhook receiver has to answer (SEAM_WEBHOOK_TIMEOUT)")
	hookPrivate := fs.Bool("webhook-allow-private", env("SEAM_WEBHOOK_ALLOW_PRIVATE", "") == "1" || env("SEAM_WEBHOOK_ALLOW_PRIVATE", "") == "true",
		"let webhooks and after-sale calls reach loopback, private and link-local addresses, for development; off, such receivers are refused at connect time (SEAM_WEBHOOK_ALLOW_PRIVATE=1)")
	ipHeader := fs.String("client-ip-header", env("SEAM_CLIENT_IP_HEADER", ""), "header in which a trusted proxy in front of Seam gives the client's address (X-Forwarded-For: its last entry), for the per-address limit on code attempts; empty uses the connection's address (SEAM_CLIENT_IP_HEADER)")
	noTest := fs.Bool("no-test-payments", env("SEAM_NO_TEST_PAYMENTS", "") == "1" || env("SEAM_NO_TEST_PAYMENTS", "") == "true",
		"do not run the built-in test payment provider, which approves orders without taking money (SEAM_NO_TEST_PAYMENTS=1)")
	stripeURL := fs.String("stripe-api-url", env("SEAM_STRIPE_API_URL", ""), "Stripe API base URL, e.g. stripe-mock's http://127.0.0.1:12111; empty means Stripe itself (SEAM_STRIPE_API_URL)")
	attributeTypes := fs.String("attribute-types", env("SEAM_ATTRIBUTE_TYPES", ""), "JSON file of custom attribute types, loaded at start; types of the same names are replaced (SEAM_ATTRIBUTE_TYPES)")
	mediaDir := fs.String("media-dir", env("SEAM_MEDIA_DIR", ""), "directory of product pictures; default <data>/media. Several serve processes must share it (SEAM_MEDIA_DIR)")
	mediaSizes := fs.String("media-sizes", env("SEAM_MEDIA_SIZES", ""), "named sizes product pictures are made in, name=WIDTHxHEIGHT,…; default mini=150x150,standard=600x600,full=1600x1600 (SEAM_MEDIA_SIZES)")
	mediaPrivate := fs.Bool("media-allow-private-urls", env("SEAM_MEDIA_ALLOW_PRIVATE_URLS", "") == "1" || env("SEAM_MEDIA_ALLOW_PRIVATE_URLS", "") == "true",
		"let createProductMedia fetch from loopback and private addresses; for development only (SEAM_MEDIA_ALLOW_PRIVATE_URLS=1)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	log, err := logger(*logFormat, stderr)
	if err != nil {
		return err
	}
	var limits auth.Limits
	switch *limitsName {
	case "centra":
		limits = auth.DefaultLimits()
	case "high":
		limits = auth.HighLimits()
	case "off":
	default:
		return usageErr("--rate-limits must be centra, high or off, got %q", *limitsName)
	}
	// Durations are checked before the database is touched, so that a
	// mistyped flag changes nothing.
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"reservation-ttl", *reserve}, {"session-ttl", *sessionTTL}, {"webhook-window", *hookWindow}, {"webhook-timeout", *hookTimeout}, {"webhook-log-retention", *hookLog},
		{"sweep-interval", *sweep}, {"idempotency-lease", *idemLease}, {"lock-wait", *lockWait}} {
		if f.d <= 0 {
			return usageErr("--%s must be positive, got %s", f.name, f.d)
		}
	}
	if *maxConns < 1 {
		return usageErr("--max-connections must be at least 1, got %d", *maxConns)
	}

	sizes, err := media.ParseSizes(*mediaSizes)
	if err != nil {
		return usageErr("--media-sizes: %v", err)
	}
	if *mediaDir == "" {
		*mediaDir = filepath.Join(dbf.data, "media")
	}
	if dbf.url != "" && !db.IsPostgresURL(dbf.url) {
		return usageErr("--database-url must start with postgres:// (leave it empty for SQLite)")
	}
	// The config files too are read and checked before the database is
	// touched; what needs the database (stores, secrets' use) is checked
	// when they are applied.
	var attrTypes []attribute.TypeInput
	if *attributeTypes != "" {
		if attrTypes, err = attribute.ReadConfig(*attributeTypes); err != nil {
			return err
		}
	}
	var hookCfg webhook.Config
	if *hooksConfig != "" {
		if hookCfg, err = webhook.LoadConfig(*hooksConfig); err != nil {
			return usageErr("--webhooks-config: %v", err)
		}
	}

	// The address is bound before the database is touched: a port already
	// taken is one clear line and creates nothing.
	ln, err := listen(*addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	d, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	d.SetLockWait(*lockWait)
	applied, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, m := range applied {
		log.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	if *attributeTypes != "" {
		n, err := attribute.ApplyConfig(ctx, d, *attributeTypes, attrTypes)
		if err != nil {
			return err
		}
		log.Info("attribute types loaded", "file", *attributeTypes, "types", n)
	}
	lib, err := media.New(*mediaDir, sizes)
	if err != nil {
		return err
	}
	lib.AllowPrivateURLs = *mediaPrivate
	base := "http://" + ln.Addr().String()
	tok, err := bootstrap(ctx, d, !*noDemo, log)
	if tok != "" {
		printWelcome(stdout, base, tok.Reveal(), !*noDemo && err == nil)
	}
	if err != nil {
		return err
	}
	if err := firstAdmin(ctx, d, stdout, base); err != nil {
		return err
	}
	// The demo's pictures are drawn while Seam already serves, so that the
	// first start is not held up; shutdown waits for them.
	picturesDone := make(chan struct{})
	if tok != "" && !*noDemo {
		go func() {
			defer close(picturesDone)
			if err := demo.Pictures(ctx, d, lib); err != nil && ctx.Err() == nil {
				log.Warn("the demo shop has no pictures", "err", err)
			}
		}()
	} else {
		close(picturesDone)
	}
	defer func() { <-picturesDone }()
	key, err := checkout.TestKey(ctx, d)
	if err != nil {
		return err
	}
	providers := map[string]payment.Provider{}
	var test *payment.Test
	if !*noTest {
		test = &payment.Test{Key: key}
		providers["test"] = test
		if err := warnTestPayments(ctx, d, log); err != nil {
			return err
		}
	}
	if *stripeKey == "" {
		*stripeKey = env("SEAM_STRIPE_SECRET_KEY", "")
	}
	if *stripeKey != "" {
		if *stripePublishable == "" {
			log.Warn("stripe runs without a publishable key: only payments with stripePaymentMethod work, the payment form does not")
		}
		providers["stripe"] = &payment.Stripe{SecretKey: secret.Secret(*stripeKey), PublishableKey: *stripePublishable, APIURL: *stripeURL}
	}
	svc := checkout.New(d, providers)
	svc.Log = log
	if *hooksConfig != "" {
		if err := webhook.SyncConfig(ctx, d, hookCfg, os.Getenv); err != nil {
			return usageErr("--webhooks-config: %v", err)
		}
		log.Info("webhook subscriptions applied", "config", *hooksConfig, "subscriptions", len(hookCfg.Subscriptions))
	}
	svc.ReservationTTL, svc.IdleAfter = *reserve, *sessionTTL
	go svc.Janitor(ctx, *sweep, log)
	// The webhook worker delivers the outbox; it still records the
	// outcome of POSTs in flight at shutdown, so the database stays open
	// until it returns.
	hooks := &webhook.Worker{DB: d, AllowPrivate: *hookPrivate, Log: log.With("component", "webhooks"), Policy: retry.Policy{Window: *hookWindow, Timeout: *hookTimeout}}
	hooksCtx, stopHooks := context.WithCancel(ctx)
	hooksDone := make(chan struct{})
	go func() { hooks.Run(hooksCtx, 2*time.Second); close(hooksDone) }()
	defer func() { stopHooks(); <-hooksDone }()
	// The feed worker delivers the events feed to webhook subscriptions.
	feed := &webhook.FeedWorker{DB: d, AllowPrivate: *hookPrivate, Log: log.With("component", "webhook-subscriptions"), Policy: retry.Policy{Timeout: *hookTimeout},
		Retention: *hookLog}
	feedCtx, stopFeed := context.WithCancel(ctx)
	feedDone := make(chan struct{})
	go func() { feed.Run(feedCtx, 2*time.Second); close(feedDone) }()
	defer func() { stopFeed(); <-feedDone }()
	if *smtpURL == "" {
		*smtpURL = env("SEAM_SMTP_URL", "")
	}
	sender, dev, err := mailSender(ctx, d, log, *smtpURL)
	if err != nil {
		return err
	}
	if dev != nil {
		defer dev.Close()
		log.Warn("no SEAM_SMTP_URL: e-mail (gift certificate codes too) goes to the dev mailbox on this machine, not to customers; set SEAM_SMTP_URL before selling", "page", base+"/dev/mailbox", "smtp", dev.Addr())
	}
	mails := &mail.Worker{DB: d, Sender: sender, Log: log.With("component", "mail")}
	mailCtx, stopMail := context.WithCancel(ctx)
	mailDone := make(chan struct{})
	go func() { mails.Run(mailCtx, 2*time.Second); close(mailDone) }()
	defer func() { stopMail(); <-mailDone }()
	log.Info("seam listening", "url", base, "graphql", base+"/graphql", "checkout", base+"/api/checkout/", "database", d.Where,
		"engine", string(d.Engine()), "version", appVersion())
	srv := server.New(server.Config{DB: d, Log: log, Version: appVersion(), Limits: limits, Checkout: svc, TestPayments: test, BaseURL: *publicURL,
		ClientIPHeader: *ipHeader, DevMailbox: dev != nil, IdempotencyLease: *idemLease, MaxConns: *maxConns, TestHold: testHold(log), Media: lib})
	return srv.Serve(ctx, ln)
}

// listen binds addr, saying plainly when another process holds it.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("%s is already in use (another seam serve?): stop it, or choose another address with --addr or SEAM_ADDR", addr)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("listen on %s: permission denied (ports below 1024 need privileges): choose another address with --addr or SEAM_ADDR", addr)
	case err != nil:
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// mailSender is how e-mail leaves: through the SMTP server of smtpURL, or,
// without one, through Seam's dev mailbox, which keeps every message for
// /dev/mailbox.
func mailSender(ctx context.Context, d *db.DB, log *slog.Logger, smtpURL string) (*mail.Sender, *mail.DevServer, error) {
	if smtpURL != "" {
		cfg, err := mail.ParseURL(smtpURL)
		if err != nil {
			return nil, nil, usageErr("--smtp-url: %v", err)
		}
		s, err := mail.NewSender(cfg)
		return s, nil, err
	}
	dev, err := mail.StartDevServer(ctx, d, log.With("component", "dev-mailbox"), "")
	if err != nil {
		return nil, nil, fmt.Errorf("start the dev mailbox: %w", err)
	}
	s, err := mail.NewSender(mail.DevSenderConfig(dev.Addr()))
	if err != nil {
		dev.Close()
		return nil, nil, err
	}
	return s, dev, nil
}

// warnTestPayments warns about payment methods that take no money while
// the test provider runs.
func warnTestPayments(ctx context.Context, d *db.DB, log *slog.Logger) error {
	methods, err := store.ActivePaymentMethodsOf(ctx, d.Read(), "test")
	if err != nil {
		return fmt.Errorf("list test payment methods: %w", err)
	}
	for _, m := range methods {
		log.Warn("a payment method uses the test provider: its orders are approved without taking money; switch it to stripe, or start with --no-test-payments, before selling",
			"payment_method", m.ID, "name", m.Name, "store", m.StoreID)
	}
	return nil
}

// bootstrap does the first-start work once per database: a full-permission
// token and the demo shop. Later starts (and other processes sharing the
// database) find the setting claimed and do nothing. The token is made
// first, so that it is shown even when loading the demo fails.
func bootstrap(ctx context.Context, d *db.DB, withDemo bool, log *slog.Logger) (secret.Secret, error) {
	var first bool
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		first, err = store.ClaimSetting(ctx, tx, "bootstrap_started_at", db.Now().Format(time.RFC3339))
		return err
	})
	if err != nil {
		return "", err
	}
	if !first {
		if _, err := store.Setting(ctx, d.Read(), "bootstrapped_at"); errors.Is(err, seam.ErrNotFound) {
			log.Warn("an earlier first start did not finish loading the demo shop; it may be incomplete. Start with an empty data directory or database to load it again.")
		}
		return "", nil
	}
	limits := auth.HighLimits()
	sec, _, err := auth.Create(ctx, d, auth.NewToken{Name: "seam-admin", All: true, Limits: &limits})
	if err != nil {
		return "", err
	}
	if withDemo {
		if err := demo.Load(ctx, d); err != nil {
			return sec, fmt.Errorf("%w (the database now holds part of the demo; start again with an empty data directory or database)", err)
		}
	}
	return sec, d.Tx(ctx, func(tx *db.Tx) error {
		return store.SetSetting(ctx, tx, "bootstrapped_at", db.Now().Format(time.RFC3339))
	})
}

func printWelcome(w io.Writer, base, token string, withDemo bool) {
	shop := "an empty shop"
	if withDemo {
		shop = `the demo shop "Retail": 20 products, SEK/EUR/USD/JPY pricelists`
	}
	curl := fmt.Sprintf(`curl -s %s/graphql -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{"query":"{ products(limit: 3) { id name variants { name } } }"}'`, base, token)
	fmt.Fprintf(w, `
Seam is ready with %s.

  Integration API  %s/graphql
  API token        %s
                   (full permissions; shown only now, only its hash is stored)
  Checkout API     %s/api/checkout/  (contract: %s/api/checkout/openapi.yaml)

Try it:
  %s
  curl -s -X POST %s/api/checkout/products -d '{"limit": 1}'

`, shop, base, token, base, base, curl, base)
}

// testHold is the crash tests' hook: with SEAM_TEST_HOLD_FILE set, a
// request sent with the Seam-Test-Hold header waits after claiming its
// Idempotency-Key for as long as that file exists, so that a test can kill
// the process mid-request. Unset (always, outside tests), it is nil.
func testHold(log *slog.Logger) func(ctx context.Context) {
	path := os.Getenv("SEAM_TEST_HOLD_FILE")
	if path == "" {
		return nil
	}
	log.Warn("SEAM_TEST_HOLD_FILE is set: requests with a Seam-Test-Hold header wait while the file exists (tests only)", "file", path)
	return func(ctx context.Context) {
		for {
			if _, err := os.Stat(path); err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// envInt reads an integer from the environment, or def when unset or not
// a number.
func envInt(key string, def int) int {
	if v, ok := os.LookupEnv(key); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}
