package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	fs := newFlags("migrate", "Usage: seam migrate [flags] up|status\n\n  up      apply every pending migration (serve does this too)\n  status  list the migrations and whether each is applied", "", stderr)
	dbf.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || (fs.Arg(0) != "up" && fs.Arg(0) != "status") {
		fs.Usage()
		return usageErr("give exactly one of up or status")
	}
	d, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	if fs.Arg(0) == "up" {
		applied, err := d.Migrate(ctx)
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintf(stdout, "%s is up to date.\n", d.Where)
		}
		for _, m := range applied {
			fmt.Fprintf(stdout, "applied %d %s\n", m.Version, m.Name)
		}
		return nil
	}
	st, err := d.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT\tMIGRATION")
	for _, s := range st {
		state, at := "pending", ""
		if s.Applied {
			state = "applied"
			if s.At.Valid {
				at = s.At.Time.UTC().Format("2006-01-02 15:04:05")
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", s.Version, state, at, s.Name)
	}
	return tw.Flush()
}
