package db

import (
	"context"
	"testing"
)

func TestMigrateCreatesReferenceData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var name string
	if err := d.Read().QueryRowContext(ctx, `SELECT name FROM country WHERE id = 2`).Scan(&name); err != nil || name != "United States" {
		t.Errorf("country 2 = %q, %v; want United States", name, err)
	}
	if err := d.Read().QueryRowContext(ctx, `SELECT name FROM country WHERE id = 6`).Scan(&name); err != nil || name != "Sweden" {
		t.Errorf("country 6 = %q, %v; want Sweden", name, err)
	}
	if err := d.Read().QueryRowContext(ctx, `SELECT name FROM state WHERE id = 29`).Scan(&name); err != nil || name != "Nevada" {
		t.Errorf("state 29 = %q, %v; want Nevada", name, err)
	}
	again, err := d.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Errorf("second Migrate applied %v, %v; want nothing", again, err)
	}
	st, err := d.Status(ctx)
	if err != nil || len(st) < 2 || !st[0].Applied || !st[1].Applied {
		t.Errorf("Status = %+v, %v", st, err)
	}
}

func TestSQLiteLowerFoldsUnicodeAndCOrdersByBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var s string
	if err := d.Read().QueryRowContext(ctx, `SELECT lower('ÄPFEL Straße')`).Scan(&s); err != nil || s != "äpfel straße" {
		t.Errorf("lower = %q, %v", s, err)
	}
	if err := d.Read().QueryRowContext(ctx, `SELECT x FROM (SELECT 'b' AS x UNION ALL SELECT 'Å' UNION ALL SELECT 'a') ORDER BY x COLLATE "C" DESC LIMIT 1`).Scan(&s); err != nil || s != "Å" {
		t.Errorf("last by C collation = %q, %v", s, err)
	}
}

func TestRedactURLHidesPasswords(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://seam:s3cret@db/seam":          "postgres://seam:xxxxx@db/seam",
		"postgres://seam@db/seam?password=s3cret": "postgres://seam@db/seam?password=xxxxx",
		"postgres://db/seam?sslmode=disable":      "postgres://db/seam?sslmode=disable",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
