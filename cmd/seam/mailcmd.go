package main

import (
	"context"
	"fmt"
	"io"

	"seam/internal/db"
	"seam/internal/mail"
	"seam/internal/store"
)

// mailCmd puts messages the mail worker gave up on back in its queue.
func mailCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var dbf dbFlags
	fs := newFlags("mail", "Usage: seam mail [flags] retry\n\n  retry  queue FAILED e-mail again (all, or --id N); a running serve sends it within seconds", "", stderr)
	dbf.register(fs)
	id := fs.Int64("id", 0, "retry only the outbox message with this id")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "retry" {
		fs.Usage()
		return usageErr("give the subcommand retry")
	}
	if *id < 0 {
		return usageErr("--id must be positive, got %d", *id)
	}
	d, err := dbf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	var only *int64
	if *id > 0 {
		only = id
	}
	now := db.Now()
	var n int64
	err = d.Tx(ctx, func(tx *db.Tx) error {
		n, err = store.RetryFailedMails(ctx, tx, only, now, now.Add(mail.DefaultWindow))
		return err
	})
	if err != nil {
		return fmt.Errorf("retry failed mail: %w", err)
	}
	fmt.Fprintf(stdout, "%d failed message(s) queued again.\n", n)
	return nil
}
