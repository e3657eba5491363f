package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"seam/internal/dbtest"
)

// TestCommandsOtherThanServeAndMigrateRefuseToCreateADatabase: token and
// mail commands pointed at a directory or PostgreSQL database without Seam
// in it say so, say how to point at the server's, and create nothing.
func TestCommandsOtherThanServeAndMigrateRefuseToCreateADatabase(t *testing.T) {
	t.Parallel()
	cmds := []struct{ cmd, args []string }{
		{[]string{"token", "create"}, []string{"--name", "erp", "--all"}},
		{[]string{"token", "create"}, []string{"--checkout-secret", "--name", "web"}},
		{[]string{"token", "list"}, nil},
		{[]string{"token", "revoke"}, []string{"1"}},
		{[]string{"mail"}, []string{"retry"}},
	}
	check := func(t *testing.T, where []string, created func() bool) {
		for _, c := range cmds {
			args := append(append(append([]string{}, c.cmd...), where...), c.args...)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, &stdout, &stderr)
			msg := stderr.String()
			if code != 1 || !strings.Contains(msg, "no Seam database at") || !strings.Contains(msg, "SEAM_DATA") ||
				!strings.Contains(msg, "SEAM_DATABASE_URL") || strings.Count(strings.TrimSpace(msg), "\n") != 0 {
				t.Errorf("seam %v: exit %d, %q; want exit 1 and one line saying no Seam database is there and naming SEAM_DATA and SEAM_DATABASE_URL", args, code, msg)
			}
			if stdout.Len() != 0 {
				t.Errorf("seam %v printed %q on stdout", args, stdout.String())
			}
			if created() {
				t.Fatalf("seam %v created a database", args)
			}
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		data := filepath.Join(t.TempDir(), "seam-data")
		check(t, []string{"--data", data}, func() bool {
			_, err := os.Stat(data)
			return err == nil
		})
		// Once serve or migrate made it, the same commands work.
		var out bytes.Buffer
		if code := run(context.Background(), []string{"migrate", "--data", data, "up"}, &out, &out); code != 0 {
			t.Fatalf("migrate up: %s", out.String())
		}
		if code := run(context.Background(), []string{"token", "list", "--data", data}, &out, &out); code != 0 {
			t.Errorf("token list after migrate: exit %d: %s", code, out.String())
		}
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := dbtest.EmptyPostgresURL(t)
		check(t, []string{"--database-url", url}, func() bool { return postgresHasTables(t, url) })
	})
}

// postgresHasTables reports whether the database at url holds any table.
func postgresHasTables(t *testing.T, url string) bool {
	t.Helper()
	conn, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// TestServeOnATakenPortSaysSoInOneLineAndCreatesNothing: serve binds its
// address before it opens the database.
func TestServeOnATakenPortSaysSoInOneLineAndCreatesNothing(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() }) // after the parallel subtests
	addr := ln.Addr().String()
	try := func(t *testing.T, where []string, created func() bool) {
		var stdout, stderr bytes.Buffer
		// Should serve start after all, the test's deadline stops it.
		code := run(dbtest.Deadline(t), append([]string{"serve", "--addr", addr, "--log-format", "json"}, where...), &stdout, &stderr)
		want := "seam serve: " + addr + " is already in use (another seam serve?): stop it, or choose another address with --addr or SEAM_ADDR\n"
		if code != 1 || stderr.String() != want || stdout.Len() != 0 {
			t.Errorf("exit %d, stderr %q, stdout %q; want exit 1 and only %q", code, stderr.String(), stdout.String(), want)
		}
		if created() {
			t.Error("serve on a taken port created a database")
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		data := filepath.Join(t.TempDir(), "seam-data")
		try(t, []string{"--data", data}, func() bool {
			_, err := os.Stat(data)
			return err == nil
		})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := dbtest.EmptyPostgresURL(t)
		try(t, []string{"--database-url", url}, func() bool { return postgresHasTables(t, url) })
	})
}

// TestServeOnADataDirectoryItCannotWriteSaysPermissionDenied: the path and
// "permission denied", not an SQLite error code. Root may write anywhere,
// so as root the test runs serve as the user nobody, from a copy of the
// test binary that user can run.
func TestServeOnADataDirectoryItCannotWriteSaysPermissionDenied(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	// nobody must reach the binary copied into base.
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		// data is the --data directory; setup makes it unwritable.
		data  string
		setup func(data string) error
		path  string
	}{
		{"read-only directory", filepath.Join(base, "ro"), func(d string) error { return os.Mkdir(d, 0o555) }, filepath.Join(base, "ro")},
		{"directory inside a read-only one", filepath.Join(base, "ro2", "seam-data"), func(d string) error { return os.Mkdir(filepath.Dir(d), 0o555) },
			filepath.Join(base, "ro2", "seam-data")},
		{"read-only database file", filepath.Join(base, "rofile"), func(d string) error {
			if err := os.Mkdir(d, 0o777); err != nil {
				return err
			}
			if err := os.Chmod(d, 0o777); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(d, "seam.db"), nil, 0o444)
		}, filepath.Join(base, "rofile", "seam.db")},
	} {
		if err := tc.setup(tc.data); err != nil {
			t.Fatal(err)
		}
		stderr := runSeamUnprivileged(t, base, "serve", "--addr", "127.0.0.1:0", "--data", tc.data, "--log-format", "json")
		if !strings.Contains(stderr, tc.path+": permission denied") || strings.Contains(stderr, "(14)") || strings.Contains(stderr, "SQLITE") {
			t.Errorf("%s: stderr %q; want the path %s and permission denied, no SQLite code", tc.name, stderr, tc.path)
		}
	}
}

// runSeamUnprivileged runs seam with args as a user without root's right
// to write anywhere, expects it to fail, and returns its stderr.
func runSeamUnprivileged(t *testing.T, dir string, args ...string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != 1 {
			t.Errorf("seam %v: exit %d; want 1", args, code)
		}
		return stderr.String()
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "seam-as-nobody")
	if _, err := os.Stat(exe); err != nil {
		if err := copyFile(self, exe); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(dbtest.Deadline(t), exe, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SEAM_TEST_AS_SEAM=1", "HOME="+dir, "GOCOVERDIR=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("seam %v as nobody: %v; want exit 1\n%s", args, err, stderr.String())
	}
	return stderr.String()
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// TestTokenListShowsEveryKindAndRevokeEndsAny: seam token list shows
// Integration API tokens and Checkout API shared secrets with kind, name,
// created and last used; seam token revoke takes the id it shows.
func TestTokenListShowsEveryKindAndRevokeEndsAny(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := t.TempDir()
	seam := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := run(ctx, append(append([]string{args[0], args[1]}, "--data", data), args[2:]...), &out, &out)
		return code, out.String()
	}
	var mig bytes.Buffer
	if code := run(ctx, []string{"migrate", "--data", data, "up"}, &mig, &mig); code != 0 {
		t.Fatalf("migrate: %s", mig.String())
	}
	if code, out := seam("token", "create", "--name", "erp", "--permissions", "Product:read"); code != 0 {
		t.Fatalf("token create: %s", out)
	}
	if code, out := seam("token", "create", "--checkout-secret", "--name", "web"); code != 0 {
		t.Fatalf("token create --checkout-secret: %s", out)
	}
	code, out := seam("token", "list")
	for _, re := range []string{
		`(?m)^ID\s+KIND\s+NAME\s+ENDS WITH\s+STATE\s+CREATED\s+LAST USED\s+EXPIRES\s+STORE\s+PERMISSIONS$`,
		`(?m)^integration:1\s+integration\s+erp\s+…\S{4}\s+active\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+never\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+all\s+Product:read$`,
		`(?m)^checkout-secret:1\s+checkout-secret\s+web\s+…\S{4}\s+active\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+never\s+-\s+-\s+-$`,
	} {
		if code != 0 || !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("token list (exit %d) does not match %s:\n%s", code, re, out)
		}
	}
	if code, out := seam("token", "revoke", "checkout-secret:1"); code != 0 || out != "Revoked checkout-secret \"web\" (checkout-secret:1).\n" {
		t.Errorf("revoke checkout-secret:1: exit %d, %q", code, out)
	}
	if code, out := seam("token", "list"); code != 0 || !regexp.MustCompile(`(?m)^checkout-secret:1\s+checkout-secret\s+web\s+…\S{4}\s+revoked\s`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^integration:1\s+integration\s+erp\s+…\S{4}\s+active\s`).MatchString(out) {
		t.Errorf("after revoking the secret, token list (exit %d):\n%s", code, out)
	}
	for _, tc := range []struct {
		ref  string
		code int
		say  string
	}{
		{"checkout-secret:1", 1, "there is no live token checkout-secret:1"},
		{"storefront:1", 2, "kinds: integration, checkout-secret"},
		{"integration:x", 2, "not a token id"},
	} {
		if code, out := seam("token", "revoke", tc.ref); code != tc.code || !strings.Contains(out, tc.say) {
			t.Errorf("revoke %s: exit %d, %q; want exit %d saying %q", tc.ref, code, out, tc.code, tc.say)
		}
	}
}
