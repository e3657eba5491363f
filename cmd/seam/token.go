package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"seam/internal/auth"
	"seam/internal/checkout"
	"seam/internal/seam"
)

const tokenUsage = `Usage:
  seam token create --name NAME (--permissions P1,P2… | --all) [--store ID] [--expires 720h]
  seam token create --checkout-secret --name NAME
  seam token list
  seam token revoke ID

create prints the new token alone on stdout (scripts read it); only its hash
is stored, so it cannot be shown again. NAME is the integration the token is
for: tokens with the same name share ID conversions. With --checkout-secret
it makes a Checkout API shared secret instead: servers send it as
Authorization: Bearer to act with server rights.`

func token(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, tokenUsage)
		if len(args) == 0 {
			return usageErr("give a subcommand: create, list or revoke")
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "create":
		return tokenCreate(ctx, args[1:], stdout, stderr)
	case "list":
		return tokenList(ctx, args[1:], stdout, stderr)
	case "revoke":
		return tokenRevoke(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, tokenUsage)
	return usageErr("unknown subcommand %q", args[0])
}

func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	fs := newFlags("token create", tokenUsage, "Permissions:\n  "+strings.Join(auth.Permissions, ", "), stderr)
	dbf.register(fs)
	name := fs.String("name", "", "integration name (required)")
	perms := fs.String("permissions", "", "comma-separated permissions, e.g. Product:read,Product:write")
	all := fs.Bool("all", false, "every permission, including ones added later")
	storeID := fs.Int64("store", 0, "restrict the token to one store id")
	expires := fs.Duration("expires", 720*time.Hour, "lifetime; 0 for a token that never expires")
	high := fs.Bool("high-limits", false, "generous rate limits instead of the server's defaults (for load tests)")
	checkoutSecret := fs.Bool("checkout-secret", false, "make a Checkout API shared secret instead of an Integration API token")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *checkoutSecret {
		if *all || *perms != "" || *storeID != 0 || *high {
			return usageErr("--checkout-secret takes only --name")
		}
		d, err := dbf.openExisting(ctx)
		if err != nil {
			return err
		}
		defer d.Close()
		if _, err := d.Migrate(ctx); err != nil {
			return err
		}
		sec, err := checkout.CreateSecret(ctx, d, strings.TrimSpace(*name))
		if err != nil {
			if ue, ok := seam.AsUserErrors(err); ok {
				return usageErr("%s", ue.Error())
			}
			return err
		}
		fmt.Fprintln(stdout, sec.Reveal())
		return nil
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	in := auth.NewToken{Name: *name, All: *all, Expires: *expires}
	if *all && *perms != "" {
		return usageErr("give --permissions or --all, not both")
	}
	if !*all {
		known, unknown := auth.ParsePermissions(*perms)
		if len(unknown) > 0 {
			return usageErr("unknown permissions %s; run seam token create -h for the list", strings.Join(unknown, ", "))
		}
		in.Permissions = known
	}
	if *storeID != 0 {
		in.StoreID = storeID
	}
	if *high {
		l := auth.HighLimits()
		in.Limits = &l
	}
	d, err := dbf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	sec, _, err := auth.Create(ctx, d, in)
	if err != nil {
		if ue, ok := seam.AsUserErrors(err); ok {
			return usageErr("%s", ue.Error())
		}
		return err
	}
	fmt.Fprintln(stdout, sec.Reveal())
	return nil
}

func tokenList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	fs := newFlags("token list", "Usage: seam token list [flags]\n\nLists tokens: never their secrets, only their last four characters.", "", stderr)
	dbf.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := dbf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	tokens, err := auth.List(ctx, d)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tENDS WITH\tSTATE\tSTORE\tCREATED\tEXPIRES\tPERMISSIONS")
	now := time.Now()
	for _, t := range tokens {
		state := "active"
		switch {
		case t.RevokedAt != nil:
			state = "revoked"
		case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
			state = "expired"
		}
		st, exp := "all", "never"
		if t.StoreID != nil {
			st = strconv.FormatInt(*t.StoreID, 10)
		}
		if t.ExpiresAt != nil {
			exp = t.ExpiresAt.UTC().Format("2006-01-02 15:04")
		}
		perms := t.Permissions
		if perms == auth.All {
			perms = "all"
		}
		fmt.Fprintf(tw, "%d\t%s\t…%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Hint, state, st, t.CreatedAt.UTC().Format("2006-01-02 15:04"), exp, perms)
	}
	return tw.Flush()
}

func tokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	fs := newFlags("token revoke", "Usage: seam token revoke [flags] ID\n\nEnds a token at once; requests with it get 403.", "", stderr)
	dbf.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("give the id of the token to revoke (seam token list shows ids)")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return usageErr("%q is not a token id", fs.Arg(0))
	}
	d, err := dbf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := auth.Revoke(ctx, d, id); err != nil {
		if errors.Is(err, seam.ErrNotFound) {
			return fmt.Errorf("there is no live token %d", id)
		}
		return err
	}
	fmt.Fprintf(stdout, "Revoked token %d.\n", id)
	return nil
}
