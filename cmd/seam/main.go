// Command seam is Seam, a self-hosted headless commerce backend: one binary
// that serves the Integration API (and later the Checkout API) on SQLite or
// PostgreSQL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"

	"seam/internal/db"
)

// stdin is where commands read input (seam admin create's password);
// tests replace it.
var stdin io.Reader = os.Stdin

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "v0.1.0-dev"

const usage = `Seam: a self-hosted headless commerce backend.

Usage:
  seam <command> [flags]

Commands:
  serve     run the HTTP server (migrates; loads the demo shop into an empty database)
  migrate   apply migrations (up) or list them (status)
  token     create, list or revoke Integration API tokens
  loadtest  drive a running Seam over HTTP: full checkouts, stock races
  mail      queue e-mail the worker gave up on again (retry)
  admin     create back-office users (create)
  version   print the version

Run "seam <command> -h" for the flags of a command. Every flag can also be set
through the SEAM_* environment variable named in its help; a flag wins.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command and returns the exit code: 0 ok, 1 failure,
// 2 bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmds := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"serve":    serve,
		"migrate":  migrate,
		"token":    token,
		"loadtest": loadtestCmd,
		"mail":     mailCmd,
		"admin": func(ctx context.Context, args []string, out, errw io.Writer) error {
			return adminCmd(ctx, args, stdin, out, errw)
		},
		"version": func(context.Context, []string, io.Writer, io.Writer) error {
			fmt.Fprintln(stdout, appVersion())
			return nil
		},
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "-v", "--version":
		name = "version"
	}
	cmd, ok := cmds[name]
	if !ok {
		fmt.Fprintf(stderr, "seam: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	err := cmd(ctx, args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "seam "+name+":", strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		return 2
	default:
		fmt.Fprintln(stderr, "seam "+name+":", err)
		return 1
	}
}

// errUsage marks a mistake in how a command was called.
var errUsage = errors.New("usage")

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// appVersion is the version with the VCS revision when the build has one.
func appVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				return version + "+" + s.Value[:7]
			}
		}
	}
	return version
}

// envDuration reads a duration from the environment, or def.
func envDuration(key string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(key); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// dbFlags are the flags of every command that opens the database.
type dbFlags struct {
	data, url string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", env("SEAM_DATA", "./seam-data"), "directory of the SQLite database file seam.db (SEAM_DATA)")
	fs.StringVar(&f.url, "database-url", env("SEAM_DATABASE_URL", ""), "a postgres:// URL to use PostgreSQL instead of SQLite (SEAM_DATABASE_URL)")
}

// open opens the database, creating it when missing: for serve and
// migrate only.
func (f *dbFlags) open(ctx context.Context) (*db.DB, error) {
	return db.Open(ctx, f.url, f.data)
}

// openExisting opens the database serve or migrate made and refuses to
// create one: every other command uses it, so that a wrong --data or
// SEAM_DATA says so instead of leaving an empty database behind.
func (f *dbFlags) openExisting(ctx context.Context) (*db.DB, error) {
	return db.OpenExisting(ctx, f.url, f.data)
}

// newFlags makes a flag set whose -h prints a header, the flags and an
// optional footer.
func newFlags(name, header, footer string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("seam "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nFlags:\n", header)
		fs.PrintDefaults()
		if footer != "" {
			fmt.Fprintf(stderr, "\n%s\n", footer)
		}
	}
	return fs
}

// parse parses flags, turning a parse error into a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageErr("%v", err)
	}
	return nil
}

// logger writes JSON, or text on a terminal, to stderr.
func logger(format string, stderr io.Writer) (*slog.Logger, error) {
	if format == "auto" {
		format = "json"
		if f, ok := stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			format = "text"
		}
	}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(stderr, nil)), nil
	case "text":
		return slog.New(slog.NewTextHandler(stderr, nil)), nil
	}
	return nil, usageErr("--log-format must be auto, json or text, got %q", format)
}
