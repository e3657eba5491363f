package demo

import (
	"context"

	"seam/internal/db"
	"seam/internal/store"
)

func variantsOf(ctx context.Context, d *db.DB, productID int64) ([]int64, error) {
	vs, err := store.VariantsByProductIDs(ctx, d.Read(), []int64{productID})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return ids, nil
}
