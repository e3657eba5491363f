package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

// referenceVersion is the Go migration that loads countries and states.
const referenceVersion = 2

// ResetSequences is run after rows were inserted with explicit ids (test
// fixtures, imports), so that PostgreSQL's identity sequences continue after
// the highest id. SQLite needs nothing.
func (d *DB) ResetSequences(ctx context.Context) error {
	if d.engine != Postgres {
		return nil
	}
	rows, err := d.write.QueryContext(ctx, `SELECT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'`)
	if err != nil {
		return fmt.Errorf("list identity columns: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), COALESCE((SELECT MAX(id) FROM %[1]s), 0) + 1, false)`, t)
		if _, err := d.write.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("reset sequence of %s: %w", t, err)
		}
	}
	return nil
}

func (d *DB) provider() (*goose.Provider, error) {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(goose.NewGoMigration(referenceVersion,
			&goose.GoFunc{RunTx: insertReferenceData}, &goose.GoFunc{Mode: goose.TransactionEnabled}),
			goose.NewGoMigration(codeKeyVersion, &goose.GoFunc{RunTx: makeCodeKey}, &goose.GoFunc{Mode: goose.TransactionEnabled}),
			goose.NewGoMigration(mailSealVersion, &goose.GoFunc{RunTx: sealMailOutbox}, &goose.GoFunc{Mode: goose.TransactionEnabled}),
			goose.NewGoMigration(hookSealVersion, &goose.GoFunc{RunTx: sealHookSecrets}, &goose.GoFunc{Mode: goose.TransactionEnabled})),
	}
	if d.engine == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, d.write, sub, opts...)
}

// MigrationResult is one applied migration.
type MigrationResult struct {
	Version int64
	Name    string
}

// Migrate applies every pending migration. On PostgreSQL it holds goose's
// advisory lock, so that several processes starting at once migrate once.
func (d *DB) Migrate(ctx context.Context) ([]MigrationResult, error) {
	p, err := d.provider()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	out := make([]MigrationResult, len(res))
	for i, r := range res {
		out[i] = MigrationResult{Version: r.Source.Version, Name: migrationName(r.Source.Version, r.Source.Path)}
	}
	return out, nil
}

// MigrationStatus is one known migration and whether it was applied.
type MigrationStatus struct {
	Version int64
	Name    string
	Applied bool
	At      sql.NullTime
}

// Status lists every known migration and whether it is applied.
func (d *DB) Status(ctx context.Context) ([]MigrationStatus, error) {
	p, err := d.provider()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, len(st))
	for i, s := range st {
		out[i] = MigrationStatus{Version: s.Source.Version, Name: migrationName(s.Source.Version, s.Source.Path), Applied: s.State == goose.StateApplied}
		if !s.AppliedAt.IsZero() {
			out[i].At = sql.NullTime{Time: s.AppliedAt, Valid: true}
		}
	}
	return out, nil
}

// migrationName names a migration: its file, or what a Go migration does.
func migrationName(version int64, path string) string {
	switch {
	case path != "":
		return path
	case version == codeKeyVersion:
		return "code key (rehashes stored voucher codes)"
	case version == mailSealVersion:
		return "mail seal (seals the bodies of queued mail)"
	}
	return "reference data (countries, states)"
}
