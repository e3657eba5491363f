// Package db opens Seam's database on SQLite or PostgreSQL, runs
// transactions with retry, applies the embedded migrations and holds the few
// SQL differences between the two engines. Everything above it writes one
// SQL text for both.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"seam/internal/seam"
)

// Engine names a database engine.
type Engine string

// The two engines Seam runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Q is what store functions run SQL on: the read pool or a transaction.
type Q interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	// Engine tells which SQL dialect the connection speaks.
	Engine() Engine
}

// DB is an open Seam database: a write pool and a read pool (the same pool
// on PostgreSQL).
type DB struct {
	engine Engine
	write  *sql.DB
	read   *sql.DB
	// scratch holds shared state that needs no durability (rate-limit
	// buckets): on SQLite a second file written without fsync, so that
	// counting requests never waits for the disk or for the catalog's
	// writer; on PostgreSQL the same pool (its table is UNLOGGED).
	scratch *sql.DB
	// Where names the database for messages: a file path or a URL without
	// its password.
	Where string
	// retried counts retried transactions by reason (see Retried).
	retried [retryReasons]atomic.Int64
	// lockWait bounds how long a transaction waits for a lock another
	// connection holds (see SetLockWait).
	lockWait atomic.Int64
}

// DefaultLockWait is how long a transaction waits for a lock held by
// another connection before it gives up with seam.ErrUnavailable.
const DefaultLockWait = 30 * time.Second

// SetLockWait sets how long a transaction waits for a row, table or
// database lock that another connection holds (PostgreSQL's lock_timeout;
// on SQLite, retries of a busy write lock) before Tx gives up with
// seam.ErrUnavailable, so that a request answers "try again" instead of
// hanging or failing. Zero or less means DefaultLockWait.
func (d *DB) SetLockWait(w time.Duration) {
	if w <= 0 {
		w = DefaultLockWait
	}
	d.lockWait.Store(int64(w))
}

// LockWait tells how long a transaction waits for a lock (SetLockWait).
func (d *DB) LockWait() time.Duration {
	if w := d.lockWait.Load(); w > 0 {
		return time.Duration(w)
	}
	return DefaultLockWait
}

// RetryReason says why a transaction was run again.
type RetryReason int

// The reasons Tx runs a transaction again.
const (
	RetryDeadlock      RetryReason = iota // PostgreSQL 40P01
	RetrySerialization                    // PostgreSQL 40001
	RetryUnique                           // PostgreSQL 23505 under READ COMMITTED
	RetryBusy                             // SQLite BUSY or LOCKED
	retryReasons
)

// Retried reports how many transactions this DB has run again for reason
// since it was opened; tests and metrics read it.
func (d *DB) Retried(reason RetryReason) int64 { return d.retried[reason].Load() }

type pool struct {
	*sql.DB
	engine Engine
}

func (p pool) Engine() Engine { return p.engine }

// Tx is a write transaction.
type Tx struct {
	*sql.Tx
	engine Engine
}

// Engine tells which SQL dialect the transaction speaks.
func (t *Tx) Engine() Engine { return t.engine }

// IsPostgresURL reports whether s selects PostgreSQL.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open opens PostgreSQL when url is a postgres:// URL, and otherwise the
// SQLite file seam.db in dataDir (created when missing).
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	if url != "" {
		if !IsPostgresURL(url) {
			return nil, fmt.Errorf("database URL must start with postgres:// (got %q); leave it empty for SQLite", redactURL(url))
		}
		return openPostgres(ctx, url)
	}
	if dataDir == "" {
		dataDir = "."
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", dataDir, unwrapPathError(err))
	}
	path := filepath.Join(dataDir, "seam.db")
	if err := checkWritable(dataDir, path); err != nil {
		return nil, err
	}
	return OpenSQLite(ctx, path)
}

// ErrNoDatabase says that there is no Seam database where a command that
// must not create one looked.
var ErrNoDatabase = errors.New("no Seam database")

// OpenExisting opens a Seam database that serve or migrate made before, and
// never creates one: a missing SQLite file, or a PostgreSQL database without
// Seam's migrations, is ErrNoDatabase saying how to point at the server's.
// Commands other than serve and migrate use it, so that a mistyped path
// does not leave an empty database behind.
func OpenExisting(ctx context.Context, url, dataDir string) (*DB, error) {
	const hint = "start seam serve (or seam migrate up) to create one, or point at the server's database with --data / SEAM_DATA (SQLite) or --database-url / SEAM_DATABASE_URL (PostgreSQL)"
	if url == "" {
		if dataDir == "" {
			dataDir = "."
		}
		path := filepath.Join(dataDir, "seam.db")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s: %s", ErrNoDatabase, path, hint)
		} else if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, unwrapPathError(err))
		}
		return Open(ctx, "", dataDir)
	}
	d, err := Open(ctx, url, "")
	if err != nil {
		return nil, err
	}
	var ok bool
	if err := d.read.QueryRowContext(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&ok); err != nil {
		d.Close()
		return nil, fmt.Errorf("look for Seam's tables in %s: %w", d.Where, err)
	}
	if !ok {
		d.Close()
		return nil, fmt.Errorf("%w at %s: %s", ErrNoDatabase, d.Where, hint)
	}
	return d, nil
}

// checkWritable refuses a data directory or database file Seam cannot
// write, naming the path, before SQLite would answer with a bare code such
// as "unable to open database file (14)".
func checkWritable(dir, path string) error {
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
		f.Close()
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("cannot write the database file %s: %w", path, unwrapPathError(err))
	}
	f, err := os.CreateTemp(dir, ".seam-write-check-*")
	if err != nil {
		return fmt.Errorf("cannot write the data directory %s: %w", dir, unwrapPathError(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// unwrapPathError drops the *os.PathError's own operation and path (the
// caller names the path) and keeps its cause, say "permission denied".
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// OpenSQLite opens (creating when missing) the SQLite database at path.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	pragmas := "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_time_format=sqlite"
	w, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&"+pragmas)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// One writer: SQLite allows one write transaction at a time, and one
	// connection makes writers queue in Go instead of spinning on SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)*2))
	r.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)*2))
	scratch, err := openScratch(ctx, filepath.Join(filepath.Dir(path), "seam-scratch.db"))
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	return &DB{engine: SQLite, write: w, read: r, scratch: scratch, Where: path}, nil
}

// scratchSchema is the scratch file's whole schema; losing the file loses
// nothing that matters.
const scratchSchema = `CREATE TABLE IF NOT EXISTS rate_bucket (
    token_id   BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    interval_s BIGINT NOT NULL,
    quota      BIGINT NOT NULL,
    used       BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (token_id, kind, interval_s)
)`

func openScratch(ctx context.Context, path string) (*sql.DB, error) {
	s, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	s.SetMaxOpenConns(1)
	if _, err := s.ExecContext(ctx, scratchSchema); err != nil {
		s.Close()
		return nil, fmt.Errorf("prepare %s: %w", path, err)
	}
	return s, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	p, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", redactURL(url), err)
	}
	p.SetMaxOpenConns(max(8, runtime.GOMAXPROCS(0)*8))
	p.SetMaxIdleConns(max(8, runtime.GOMAXPROCS(0)*8))
	p.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.PingContext(pingCtx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", redactURL(url), err)
	}
	return &DB{engine: Postgres, write: p, read: p, scratch: p, Where: redactURL(url)}, nil
}

// redactURL hides the password of a database URL, in its user info or in
// a password parameter.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(a database URL that does not parse)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// Engine tells which engine the database runs on.
func (d *DB) Engine() Engine { return d.engine }

// Read returns the pool for reads outside a transaction.
func (d *DB) Read() Q { return pool{d.read, d.engine} }

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.read.PingContext(ctx); err != nil {
		return err
	}
	_, err := d.read.ExecContext(ctx, "SELECT 1")
	return err
}

// Close closes both pools.
func (d *DB) Close() error {
	err := d.write.Close()
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	if d.scratch != d.write {
		err = errors.Join(err, d.scratch.Close())
	}
	return err
}

// Tx runs fn in a write transaction and commits when fn returns nil. When the
// engine reports a serialization failure, deadlock or busy database, the
// whole transaction is retried, so fn must not have effects outside it.
func (d *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	return d.retry(ctx, d.write, fn)
}

// ScratchTx is Tx on the scratch store (see DB.scratch).
func (d *DB) ScratchTx(ctx context.Context, fn func(tx *Tx) error) error {
	return d.retry(ctx, d.scratch, fn)
}

// Scratch returns the scratch store for reads.
func (d *DB) Scratch() Q { return pool{d.scratch, d.engine} }

func (d *DB) retry(ctx context.Context, p *sql.DB, fn func(tx *Tx) error) error {
	const attempts = 8
	began := time.Now()
	var err error
	for attempt := 0; ; attempt++ {
		err = d.tx(ctx, p, fn)
		reason, again := retryable(err)
		if err == nil || !again {
			return unavailable(err)
		}
		// A busy SQLite write lock is held by another connection: try
		// again for as long as the lock wait allows. Conflicts between
		// transactions get a fixed number of tries.
		if reason == RetryBusy && time.Since(began) >= d.LockWait() || reason != RetryBusy && attempt >= attempts-1 {
			return unavailable(err)
		}
		d.retried[reason].Add(1)
		wait := time.Duration(1<<min(attempt, 7))*time.Millisecond + rand.N(2*time.Millisecond)
		select {
		case <-ctx.Done():
			return unavailable(errors.Join(err, ctx.Err()))
		case <-time.After(wait):
		}
	}
}

// unavailable marks the errors that mean the database could not be had in
// time as seam.ErrUnavailable: a lock wait that ran out (PostgreSQL
// 55P03), a write lock still busy after every retry (SQLite), a deadlock
// or serialization failure after every retry, and a request deadline that
// passed while waiting for a connection.
func unavailable(err error) error {
	if err == nil || errors.Is(err, seam.ErrUnavailable) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "55P03" {
		return fmt.Errorf("%w: waited too long for a lock another transaction holds (%v)", seam.ErrUnavailable, err)
	}
	if reason, again := retryable(err); again && reason != RetryUnique {
		return fmt.Errorf("%w: the database stayed busy (%v)", seam.ErrUnavailable, err)
	}
	var begin *beginError
	if errors.As(err, &begin) && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: no database connection came free in time (%v)", seam.ErrUnavailable, err)
	}
	return err
}

// beginError is a failure to start a transaction.
type beginError struct{ err error }

func (e *beginError) Error() string { return "begin transaction: " + e.err.Error() }
func (e *beginError) Unwrap() error { return e.err }

func (d *DB) tx(ctx context.Context, p *sql.DB, fn func(tx *Tx) error) (err error) {
	sqlTx, err := p.BeginTx(ctx, nil)
	if err != nil {
		return &beginError{err}
	}
	tx := &Tx{Tx: sqlTx, engine: d.engine}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if d.engine == Postgres {
		// Waiting for a lock another transaction holds ends after the lock
		// wait with 55P03, which Tx answers as seam.ErrUnavailable.
		if _, err = sqlTx.ExecContext(ctx, "SET LOCAL lock_timeout = "+strconv.FormatInt(d.LockWait().Milliseconds(), 10)); err != nil {
			return err
		}
	}
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// retryable reports whether err is a transient conflict worth retrying:
// serialization failures and deadlocks, a busy SQLite database, and on
// PostgreSQL a unique violation, which under READ COMMITTED means a
// concurrent transaction inserted the same key after this one checked
// for it; the retry sees that row and decides again.
func retryable(err error) (RetryReason, bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "40P01":
			return RetryDeadlock, true
		case "40001":
			return RetrySerialization, true
		case "23505":
			return RetryUnique, true
		}
		return 0, false
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		code := sqErr.Code() & 0xff
		return RetryBusy, code == 5 || code == 6 // SQLITE_BUSY, SQLITE_LOCKED
	}
	return 0, false
}

// IsUniqueViolation reports whether err is a unique-constraint violation.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == 2067 || sqErr.Code() == 1555 // CONSTRAINT_UNIQUE, CONSTRAINT_PRIMARYKEY
	}
	return false
}
