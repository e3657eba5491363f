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
  seam token revoke ID      (ID as list shows it: integration:3, checkout-secret:1)

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
	fs := newFlags("token list", "Usage: seam token list [flags]\n\nLists every token and secret of every kind (Integration API tokens, Checkout API\nshared secrets): never the secrets, only their last four characters. ID is what\nseam token revoke takes.", "", stderr)
	dbf.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	d, err := dbf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	creds, err := auth.Credentials(ctx, d)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tNAME\tENDS WITH\tSTATE\tCREATED\tLAST USED\tEXPIRES\tSTORE\tPERMISSIONS")
	now := time.Now()
	stamp := func(t *time.Time, none string) string {
		if t == nil {
			return none
		}
		return t.UTC().Format("2006-01-02 15:04")
	}
	for _, c := range creds {
		st, exp, perms := "-", "-", "-"
		if c.Kind == auth.KindIntegration {
			st, exp, perms = "all", stamp(c.ExpiresAt, "never"), strings.Join(c.Permissions, ",")
			if c.StoreID != nil {
				st = strconv.FormatInt(*c.StoreID, 10)
			}
			if perms == auth.All {
				perms = "all"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t…%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Ref(), c.Kind, c.Name, c.Hint, c.State(now),
			stamp(&c.CreatedAt, ""), stamp(c.LastUsedAt, "never"), exp, st, perms)
	}
	return tw.Flush()
}

func tokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	fs := newFlags("token revoke", "Usage: seam token revoke [flags] ID\n\nEnds a token or secret of any kind at once: ID as seam token list shows it\n(integration:3, checkout-secret:1), or the number of an Integration API token.\nRequests with it are refused from then on.", "", stderr)
	dbf.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("give the id of the token to revoke (seam token list shows ids)")
	}
	kind, id, err := auth.ParseRef(fs.Arg(0))
	if err != nil {
		if ue, ok := seam.AsUserErrors(err); ok {
			return usageErr("%s", ue.Error())
		}
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
	c, err := auth.RevokeCredential(ctx, d, kind, id)
	if err != nil {
		if errors.Is(err, seam.ErrNotFound) {
			return fmt.Errorf("there is no live token %s:%d (seam token list shows them)", kind, id)
		}
		return err
	}
	fmt.Fprintf(stdout, "Revoked %s %q (%s).\n", c.Kind, c.Name, c.Ref())
	return nil
}
