// Package server wires Seam's HTTP surfaces into one http.ServeMux with
// the middleware every request passes (request id, panic recovery, access
// log, metrics) and runs it with graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/net/netutil"

	"seam/internal/admin"
	"seam/internal/auth"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/fulfil"
	"seam/internal/gql"
	"seam/internal/idempotency"
	"seam/internal/media"
	"seam/internal/payment"
	"seam/internal/productlink"
	"seam/internal/rest"
)

// Config is what a Server needs.
type Config struct {
	DB      *db.DB
	Log     *slog.Logger
	Version string
	// Limits are the default rate limits of Integration API tokens.
	Limits auth.Limits
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Checkout serves the Checkout API; nil leaves it out.
	Checkout *checkout.Service
	// TestPayments is the test payment provider whose page is served.
	TestPayments *payment.Test
	// BaseURL is Seam's public URL, when it differs from the Host requests
	// arrive with.
	BaseURL string
	// ClientIPHeader names the header a trusted proxy puts the client's
	// address in (X-Forwarded-For, X-Real-IP); "" uses the connection's.
	ClientIPHeader string
	// DevMailbox serves the dev mailbox's page at /dev/mailbox (to this
	// machine only); set when Seam runs its own SMTP server.
	DevMailbox bool
	// IdempotencyLease is how long an Idempotency-Key claim holds without
	// renewal (0: idempotency.DefaultLease).
	IdempotencyLease time.Duration
	// TestHold holds requests that carry idempotency.HoldHeader after
	// their claim (crash tests only); nil in production.
	TestHold func(ctx context.Context)
	// MaxConns caps the connections open at once; more wait in the
	// listen queue until one closes (0: DefaultMaxConns).
	MaxConns int
	// Media stores product pictures and /media/ serves them; nil leaves
	// product media out.
	Media *media.Library
}

// DefaultMaxConns is how many connections a server holds open at once.
const DefaultMaxConns = 1024

// Server is Seam's HTTP server.
type Server struct {
	cfg     Config
	handler http.Handler
}

// New builds the routes.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := newMetrics(reg)

	var providers map[string]payment.Provider
	if cfg.Checkout != nil {
		providers = cfg.Checkout.Payments
	}
	graph := gql.NewHandler(gql.HandlerConfig{DB: cfg.DB, Log: cfg.Log, Now: cfg.Now, Limits: cfg.Limits, Version: cfg.Version, BaseURL: cfg.BaseURL,
		Checkout: cfg.Checkout, Payments: providers, Media: cfg.Media})
	graph.RequestID = RequestID
	keeper := &idempotency.Keeper{DB: cfg.DB, Lease: cfg.IdempotencyLease, Log: cfg.Log, TestHold: cfg.TestHold}
	graph.Idempotency = keeper

	mux := http.NewServeMux()
	if cfg.Checkout != nil {
		api := rest.New(cfg.Checkout, cfg.Log, cfg.TestPayments)
		api.RequestID, api.BaseURL, api.Idempotency, api.ClientIPHeader = RequestID, cfg.BaseURL, keeper, cfg.ClientIPHeader
		mux.Handle(rest.Prefix+"/", api)
		// Product payment links sell through the same checkout.
		productlink.Wire(cfg.Checkout)
		// Orders of "direct to shipment" stores get their shipment.
		fulfil.WireDirectToShipment(cfg.Checkout, &fulfil.Service{DB: cfg.DB, Payments: cfg.Checkout.Payments, Now: cfg.Now, Log: cfg.Log})
		mux.Handle(rest.MelStorePrefix+"/", rest.NewMelStore(rest.MelStoreConfig{DB: cfg.DB, Log: cfg.Log, Now: cfg.Now, Limits: cfg.Limits,
			BaseURL: cfg.BaseURL, RequestID: RequestID}))
		mux.Handle(rest.ProductPagePrefix+"/", rest.NewProductPage(rest.ProductPageConfig{Checkout: cfg.Checkout, Log: cfg.Log,
			BaseURL: cfg.BaseURL, RequestID: RequestID}))
	}
	if cfg.Checkout != nil {
		// The back office (internal/admin) at /admin/.
		adm := admin.New(admin.Config{DB: cfg.DB, Log: cfg.Log, Checkout: cfg.Checkout, PublicURL: cfg.BaseURL, DevMailbox: cfg.DevMailbox,
			RequestID: RequestID, Now: cfg.Now, Fulfil: &fulfil.Service{DB: cfg.DB, Payments: cfg.Checkout.Payments, Now: cfg.Now, Log: cfg.Log}})
		mux.Handle(admin.Prefix, adm)
		mux.Handle(admin.Prefix+"/", adm)
	}
	if cfg.DevMailbox {
		mb := admin.Mailbox(cfg.DB, cfg.Log)
		mux.Handle("/dev/mailbox", mb)
		mux.Handle("/dev/mailbox/", mb)
	}
	if cfg.Media != nil {
		mux.Handle(media.Prefix, rest.MediaHandler(cfg.Media))
	}
	mux.Handle("POST /graphql", graph)
	mux.Handle("/graphql", graph)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := cfg.DB.Ping(ctx); err != nil {
			cfg.Log.WarnContext(ctx, "readiness check failed", "err", err, "request_id", RequestID(ctx))
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unavailable\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, fmt.Sprintf("No route for %s %s. The Integration API is POST /graphql; the Checkout API is under /api/checkout/; payment links under /api/mel-store/.", r.Method, r.URL.Path))
	})

	h := withRequestID(withRecover(cfg.Log, withAccessLog(cfg.Log, m.instrument(mux))))
	return &Server{cfg: cfg, handler: h}
}

// Handler returns the server's root handler, for httptest.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve serves on ln until ctx is done, then stops accepting requests and
// waits up to 15 seconds for those in flight. At most MaxConns connections
// are open at once; headers must arrive within 10 seconds and a body
// within 60, so that slow clients cannot hold the connections.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	maxConns := s.cfg.MaxConns
	if maxConns <= 0 {
		maxConns = DefaultMaxConns
	}
	ln = netutil.LimitListener(ln, maxConns)
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.cfg.Log.Info("shutting down: finishing requests in flight")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
