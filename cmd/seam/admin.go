package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"seam/internal/adminuser"
	"seam/internal/db"
	"seam/internal/seam"
)

// adminCmd manages the back office's operators:
//
//	seam admin create --email anna@example.com --role administrator [--name Anna]
//
// reads the password from stdin (one line), or, when stdin is a terminal
// or empty, generates one and prints it once.
func adminCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usageErr("usage: seam admin create --email ADDRESS --role administrator|staff [--name NAME] < password")
	}
	var dbf dbFlags
	fs := newFlags("admin create", "Usage: seam admin create --email ADDRESS --role administrator|staff [--name NAME]\n\nCreates a back-office user. The password is read from stdin (one line);\nwhen stdin is a terminal or empty, one is generated and printed once.", "", stderr)
	dbf.register(fs)
	email := fs.String("email", "", "the user's e-mail address, which they sign in with")
	roleName := fs.String("role", "staff", "administrator (everything) or staff (sales and fulfilment, no settings, tokens or users)")
	name := fs.String("name", "", "the user's name")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	role, ok := adminuser.ParseRole(*roleName)
	if !ok {
		return usageErr("--role must be administrator or staff, got %q", *roleName)
	}
	if *email == "" {
		return usageErr("--email is required")
	}
	password, generated, err := readPassword(stdin)
	if err != nil {
		return err
	}
	d, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	u, err := adminuser.Create(ctx, d, "seam admin create", adminuser.NewUser{Email: *email, Name: *name, Role: role, Password: password})
	if ue, ok := seam.AsUserErrors(err); ok {
		var msgs []string
		for _, e := range ue {
			msgs = append(msgs, "--"+e.Path.String()+": "+e.Message)
		}
		return usageErr("%s", strings.Join(msgs, "; "))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %s %s.\n", adminuser.RoleName(u.Role), u.Email)
	if generated {
		fmt.Fprintf(stdout, "Password: %s\n(shown only now; only its argon2id hash is stored)\n", password)
	}
	return nil
}

// readPassword reads one line from stdin unless it is a terminal; an empty
// line means generate one.
func readPassword(stdin io.Reader) (string, bool, error) {
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return adminuser.GeneratePassword(), true, nil
		}
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 1024)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read the password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return adminuser.GeneratePassword(), true, nil
	}
	return line, false, nil
}

// firstAdmin creates the first Administrator on a database without any
// and prints the back office's URL and login beside the API token; later
// starts print nothing.
func firstAdmin(ctx context.Context, d *db.DB, stdout io.Writer, base string) error {
	email, password, created, err := adminuser.EnsureFirst(ctx, d)
	if err != nil || !created {
		return err
	}
	fmt.Fprintf(stdout, "  Back office      %s/admin/\n  Admin login      %s\n  Admin password   %s\n                   (shown only now; change it or add users under Admin users)\n\n",
		base, email, password)
	return nil
}
