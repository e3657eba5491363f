package dbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"seam/internal/db"
)

// Seed is data that a test package's databases start with beyond the
// schema, such as the demo shop. Declare one as a package variable and make
// databases with EachFrom, SQLiteFrom or PostgresFrom: the first database
// of each engine loads the seed into a template of this test process, and
// every later one is a copy of it (a file copy on SQLite, CREATE DATABASE
// … TEMPLATE on PostgreSQL), which is much cheaper than loading it again
// (seconds per database for the demo shop under the race detector).
type Seed struct {
	// Name names the template; letters, digits and underscores.
	Name string
	// Load puts the seed into a migrated, empty database.
	Load func(context.Context, *db.DB) error

	sqliteOnce sync.Once
	sqlitePath string
	sqliteErr  error

	pgOnce sync.Once
	pgName string
	pgErr  error
}

// Drop removes this process's templates of the seed: its SQLite file and
// its PostgreSQL database. Call it from TestMain after m.Run; templates of
// a process that died are removed by a later one once they are stale.
func (s *Seed) Drop() {
	if s.sqlitePath != "" {
		_ = os.RemoveAll(filepath.Dir(s.sqlitePath))
	}
	if s.pgName != "" {
		if admin := os.Getenv("SEAM_TEST_POSTGRES"); admin != "" {
			_ = drop(admin, s.pgName)
		}
	}
}

// seeded remembers which seed each open test database was made from, for
// Load.
var seeded sync.Map // *db.DB → *Seed

// EachFrom is Each on databases that start with seed loaded.
func EachFrom(t *testing.T, seed *Seed, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, SQLiteFrom(t, seed))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, PostgresFrom(t, seed))
	})
}

// Load makes sure d holds seed: nothing to do when d was made from it or
// has had it loaded, otherwise it loads it. Test helpers that need a seed call it, so that
// they work on any test database and cost nothing on seeded ones.
func Load(t testing.TB, d *db.DB, seed *Seed) {
	t.Helper()
	if s, ok := seeded.Load(d); ok && s.(*Seed) == seed {
		return
	}
	if err := seed.Load(context.Background(), d); err != nil {
		t.Fatalf("load %s: %v", seed.Name, err)
	}
	seeded.Store(d, seed)
	t.Cleanup(func() { seeded.Delete(d) })
}

// SQLiteFrom is SQLite with seed loaded: a copy of this process's seeded
// template file.
func SQLiteFrom(t testing.TB, seed *Seed) *db.DB {
	t.Helper()
	path, err := seed.sqliteTemplate()
	if err != nil {
		t.Fatalf("SQLite template with %s: %v", seed.Name, err)
	}
	return openSQLiteCopy(t, path, seed)
}

// PostgresFrom is Postgres with seed loaded: a clone of this process's
// seeded template database. It skips like Postgres.
func PostgresFrom(t testing.TB, seed *Seed) *db.DB {
	t.Helper()
	admin := postgresAdmin(t)
	seed.pgOnce.Do(func() { seed.pgName, seed.pgErr = seed.postgresTemplate(admin) })
	if seed.pgErr != nil {
		postgresUnusable(t, fmt.Errorf("template with %s: %w", seed.Name, seed.pgErr))
	}
	name, err := cloneFrom(admin, seed.pgName)
	if err != nil {
		postgresUnusable(t, err)
	}
	t.Cleanup(func() {
		if err := drop(admin, name); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	d, err := db.Open(context.Background(), withDatabase(admin, name), "")
	if err != nil {
		t.Fatal(err)
	}
	opened.Store(d, withDatabase(admin, name))
	t.Cleanup(func() { opened.Delete(d) })
	remember(t, d, seed)
	return d
}

func remember(t testing.TB, d *db.DB, seed *Seed) {
	seeded.Store(d, seed)
	t.Cleanup(func() {
		seeded.Delete(d)
		d.Close()
	})
}

// seedPrefix starts the names of seeded templates, files and databases
// alike; staleSeed tells which of them a test process long gone left.
const seedPrefix = "seam_seed_"

// staleAfter is how old a seeded template is before a later test process
// removes it: no test process runs that long.
const staleAfter = 3 * time.Hour

// seedName is a template's name: the prefix, the time, the seed's name and
// a random suffix.
func (s *Seed) seedName() string {
	return seedPrefix + strconv.FormatInt(time.Now().Unix(), 10) + "_" + strings.ToLower(s.Name) + "_" + randomSuffix()
}

// staleSeed reports whether name is a seeded template made over staleAfter
// ago.
func staleSeed(name string) bool {
	rest, ok := strings.CutPrefix(name, seedPrefix)
	if !ok {
		return false
	}
	stamp, _, _ := strings.Cut(rest, "_")
	unix, err := strconv.ParseInt(stamp, 10, 64)
	return err == nil && time.Since(time.Unix(unix, 0)) > staleAfter
}

// sqliteTemplate builds this process's seeded SQLite file once: a copy of
// the migrated template with the seed loaded, closed so that the file
// alone is the database. It removes the files of test processes long gone.
func (s *Seed) sqliteTemplate() (string, error) {
	s.sqliteOnce.Do(func() {
		s.sqlitePath, s.sqliteErr = s.buildSQLite()
	})
	return s.sqlitePath, s.sqliteErr
}

func (s *Seed) buildSQLite() (string, error) {
	if old, err := filepath.Glob(filepath.Join(os.TempDir(), seedPrefix+"*")); err == nil {
		for _, dir := range old {
			if staleSeed(filepath.Base(dir)) {
				_ = os.RemoveAll(dir)
			}
		}
	}
	base, err := sqliteTemplate()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), s.seedName())
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", err
	}
	if err := copyFile(base, filepath.Join(dir, "seam.db")); err != nil {
		return "", err
	}
	ctx := context.Background()
	d, err := db.Open(ctx, "", dir)
	if err != nil {
		return "", err
	}
	err = s.Load(ctx, d)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("load %s: %w", s.Name, err)
	}
	if st, err := os.Stat(filepath.Join(dir, "seam.db-wal")); err == nil && st.Size() > 0 {
		return "", errors.New("the seeded SQLite template kept a write-ahead log after closing")
	}
	return filepath.Join(dir, "seam.db"), nil
}

// postgresTemplate builds this process's seeded template database once: a
// clone of the migrated template with the seed loaded. It drops the
// templates of test processes long gone.
func (s *Seed) postgresTemplate(admin string) (string, error) {
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT datname FROM pg_database WHERE datname LIKE 'seam\_seed\_%'`)
	if err != nil {
		return "", fmt.Errorf("list seeded templates: %w", err)
	}
	var stale []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return "", err
		}
		if staleSeed(name) {
			stale = append(stale, name)
		}
	}
	if err := rows.Close(); err != nil {
		return "", err
	}
	for _, name := range stale {
		_ = drop(admin, name)
	}

	name, err := clone(admin)
	if err != nil {
		return "", err
	}
	seedName := s.seedName()
	if _, err := conn.Exec(`ALTER DATABASE ` + name + ` RENAME TO ` + seedName); err != nil {
		_ = drop(admin, name)
		return "", fmt.Errorf("name the seeded template: %w", err)
	}
	ctx := context.Background()
	d, err := db.Open(ctx, withDatabase(admin, seedName), "")
	if err != nil {
		_ = drop(admin, seedName)
		return "", err
	}
	err = s.Load(ctx, d)
	d.Close()
	if err != nil {
		_ = drop(admin, seedName)
		return "", fmt.Errorf("load %s: %w", s.Name, err)
	}
	return seedName, nil
}
