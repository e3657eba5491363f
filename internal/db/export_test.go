package db

import "context"

// DownTo rolls the migrations back to version, for upgrade tests.
func DownTo(ctx context.Context, d *DB, version int64) error {
	p, err := d.provider()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}
