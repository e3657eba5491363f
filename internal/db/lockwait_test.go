package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/seam"
)

// TestALockHeldElsewhereEndsInErrUnavailable: while another connection
// holds the lock a transaction needs (a row on PostgreSQL, the write lock
// on SQLite), Tx gives up after the lock wait with seam.ErrUnavailable
// instead of waiting for the request's deadline; once the lock is gone
// the same transaction goes through.
func TestALockHeldElsewhereEndsInErrUnavailable(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dbtest.Exec(t, d, `INSERT INTO setting (key, value) VALUES ('lock-test', 'a')`)
		d.SetLockWait(200 * time.Millisecond)
		other := dbtest.Reopen(t, d)
		held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- other.Tx(ctx, func(tx *db.Tx) error {
				if _, err := tx.ExecContext(ctx, `UPDATE setting SET value = 'b' WHERE key = 'lock-test'`); err != nil {
					return err
				}
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		update := func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE setting SET value = 'c' WHERE key = 'lock-test'`)
			return err
		}
		if err := d.Tx(ctx, update); !errors.Is(err, seam.ErrUnavailable) {
			t.Errorf("Tx with the lock held elsewhere = %v; want seam.ErrUnavailable", err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := d.Tx(ctx, update); err != nil {
			t.Errorf("Tx once the lock is gone = %v", err)
		}
	})
}
