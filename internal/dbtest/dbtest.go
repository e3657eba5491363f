// Package dbtest runs tests against real databases: a fresh SQLite file
// always, and a fresh PostgreSQL database cloned from a migrated template
// when SEAM_TEST_POSTGRES holds a server URL.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"seam/internal/db"
)

// Each runs fn as a parallel subtest on a fresh, migrated SQLite database
// and, when SEAM_TEST_POSTGRES is set, on a fresh PostgreSQL database. With
// SEAM_TEST_REQUIRE_POSTGRES=1 a missing or unreachable PostgreSQL fails the
// test instead of skipping that engine.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, SQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, Postgres(t))
	})
}

// EachBench runs fn as a sub-benchmark on a fresh, migrated SQLite
// database and, as Each does, on a PostgreSQL one.
func EachBench(b *testing.B, fn func(b *testing.B, d *db.DB)) {
	b.Helper()
	b.Run("sqlite", func(b *testing.B) { fn(b, SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, Postgres(b)) })
}

// SQLite returns a fresh, migrated SQLite database that is closed when the
// test ends: a copy of a migrated template file, which is much cheaper than
// migrating (seconds under the race detector).
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	tmpl, err := sqliteTemplate()
	if err != nil {
		t.Logf("no SQLite template, migrating: %v", err)
		tmpl = ""
	}
	return openSQLiteCopy(t, tmpl, nil)
}

// openSQLiteCopy opens a copy of the database file tmpl (a new database
// when tmpl is "") in the test's directory, migrated, remembered as made
// from seed and closed when the test ends.
func openSQLiteCopy(t testing.TB, tmpl string, seed *Seed) *db.DB {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if tmpl != "" {
		if err := copyFile(tmpl, filepath.Join(dir, "seam.db")); err != nil {
			t.Fatal(err)
		}
	}
	d, err := db.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	if seed != nil {
		remember(t, d, seed)
	} else {
		t.Cleanup(func() { d.Close() })
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

var (
	sqliteOnce sync.Once
	sqlitePath string
	sqliteErr  error
)

// sqliteTemplate returns the path of a migrated SQLite file for this schema
// version, shared by test processes: built once in a scratch directory and
// renamed into place (atomically; a process that loses the race renames an
// identical file).
func sqliteTemplate() (string, error) {
	sqliteOnce.Do(func() {
		path := filepath.Join(os.TempDir(), "seam-dbtest-"+db.SchemaVersion()+".db")
		if _, err := os.Stat(path); err == nil {
			sqlitePath = path
			return
		}
		dir, err := os.MkdirTemp("", "seam-dbtest-build-")
		if err != nil {
			sqliteErr = err
			return
		}
		defer os.RemoveAll(dir)
		ctx := context.Background()
		d, err := db.Open(ctx, "", dir)
		if err != nil {
			sqliteErr = err
			return
		}
		_, err = d.Migrate(ctx)
		if cerr := d.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			sqliteErr = fmt.Errorf("migrate the SQLite template: %w", err)
			return
		}
		// Closing the last connection checkpoints the WAL into the file;
		// a WAL left behind would mean the file alone is not the database.
		if st, err := os.Stat(filepath.Join(dir, "seam.db-wal")); err == nil && st.Size() > 0 {
			sqliteErr = errors.New("the SQLite template kept a write-ahead log after closing")
			return
		}
		if err := os.Rename(filepath.Join(dir, "seam.db"), path); err != nil {
			sqliteErr = err
			return
		}
		sqlitePath = path
	})
	return sqlitePath, sqliteErr
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600)
}

// Postgres returns a fresh PostgreSQL database cloned from the migrated
// template, dropped when the test ends. It skips the test when
// SEAM_TEST_POSTGRES is unset, unless SEAM_TEST_REQUIRE_POSTGRES=1.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	url := PostgresURL(t)
	d, err := db.Open(context.Background(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	opened.Store(d, url)
	t.Cleanup(func() { opened.Delete(d); d.Close() })
	return d
}

// opened remembers the URL of each open PostgreSQL test database, for
// Reopen and URL.
var opened sync.Map // *db.DB → string

// URL returns what a `seam serve` process needs to open the same test
// database as d: its PostgreSQL URL, or "" and its SQLite file's directory.
func URL(t testing.TB, d *db.DB) (url, dataDir string) {
	t.Helper()
	if d.Engine() == db.Postgres {
		u, ok := opened.Load(d)
		if !ok {
			t.Fatal("dbtest.URL: the PostgreSQL database was not opened by dbtest")
		}
		return u.(string), ""
	}
	return "", filepath.Dir(d.Where)
}

// Reopen opens a second, independent pool on the same test database as d,
// as a second Seam process would, closed when the test ends.
func Reopen(t testing.TB, d *db.DB) *db.DB {
	t.Helper()
	var d2 *db.DB
	var err error
	if url, _ := URL(t, d); url != "" {
		d2, err = db.Open(context.Background(), url, "")
	} else {
		d2, err = db.OpenSQLite(context.Background(), d.Where)
	}
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := seeded.Load(d); ok {
		seeded.Store(d2, s)
	}
	t.Cleanup(func() { seeded.Delete(d2); d2.Close() })
	return d2
}

// PostgresURL creates a fresh, migrated PostgreSQL database and returns its
// URL; the database is dropped when the test ends (after cleanups
// registered later, such as closing a pool on it). It skips like Postgres.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin := postgresAdmin(t)
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(admin) })
	if templateErr != nil {
		postgresUnusable(t, templateErr)
	}
	name, err := cloneFrom(admin, templateName)
	if err != nil {
		postgresUnusable(t, err)
	}
	t.Cleanup(func() {
		if err := drop(admin, name); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

// EmptyPostgresURL creates a fresh PostgreSQL database without Seam's
// migrations (what createdb makes) and returns its URL; the database is
// dropped when the test ends. It skips like Postgres.
func EmptyPostgresURL(t testing.TB) string {
	t.Helper()
	admin := postgresAdmin(t)
	name, err := cloneFrom(admin, "template0")
	if err != nil {
		postgresUnusable(t, err)
	}
	t.Cleanup(func() {
		if err := drop(admin, name); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

// postgresAdmin returns the server URL of SEAM_TEST_POSTGRES, skipping the
// test when it is unset unless SEAM_TEST_REQUIRE_POSTGRES=1.
func postgresAdmin(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("SEAM_TEST_POSTGRES")
	if admin == "" {
		if requirePostgres() {
			t.Fatal("SEAM_TEST_REQUIRE_POSTGRES=1 but SEAM_TEST_POSTGRES is not set")
		}
		t.Skip("PostgreSQL suite off: set SEAM_TEST_POSTGRES=postgres://… to run it")
	}
	return admin
}

func requirePostgres() bool { return os.Getenv("SEAM_TEST_REQUIRE_POSTGRES") == "1" }

// postgresUnusable fails the test, or skips it when PostgreSQL is not
// required.
func postgresUnusable(t testing.TB, err error) {
	t.Helper()
	if requirePostgres() {
		t.Fatalf("PostgreSQL required but unusable: %v", err)
	}
	t.Skipf("PostgreSQL unusable, skipping: %v", err)
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// clone creates a new database from the migrated template, building the
// template first when this schema version has none yet.
func clone(admin string) (string, error) {
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(admin) })
	if templateErr != nil {
		return "", templateErr
	}
	return cloneFrom(admin, templateName)
}

// cloneFrom creates a new test database from template.
func cloneFrom(admin, template string) (string, error) {
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	name := "seam_test_" + randomSuffix()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		_, err = conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template))
		var pgErr *pgconn.PgError
		// Another process may be cloning the same template at this moment.
		if errors.As(err, &pgErr) && pgErr.Code == "55006" && ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		break
	}
	if err != nil {
		return "", fmt.Errorf("create test database: %w", err)
	}
	return name, nil
}

// ensureTemplate builds seam_tmpl_<schema version> once across all test
// processes, under an advisory lock, migrating a scratch database and
// renaming it only when it is complete.
func ensureTemplate(admin string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pool, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer pool.Close()
	conn, err := pool.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", redact(admin), err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7346001)`); err != nil {
		return "", fmt.Errorf("lock template: %w", err)
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(7346001)`)

	name := "seam_tmpl_" + db.SchemaVersion()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		return "", err
	}
	if n == 1 {
		return name, nil
	}
	scratch := name + "_build"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+scratch+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+scratch); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	d, err := db.Open(ctx, withDatabase(admin, scratch), "")
	if err != nil {
		return "", err
	}
	_, err = d.Migrate(ctx)
	d.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+scratch+` RENAME TO `+name); err != nil {
		return "", fmt.Errorf("finish template: %w", err)
	}
	return name, nil
}

func drop(admin, name string) error {
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	return err
}

// withDatabase returns the server URL with its database name replaced.
func withDatabase(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the PostgreSQL URL"
	}
	return u.Redacted()
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(hex.EncodeToString(b[:]))
}
