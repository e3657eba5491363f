package productlink

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/store"
)

// publish makes the product sellable in the store (see Create) and
// returns its active variants that have active sizes.
func publish(ctx context.Context, tx *db.Tx, st store.Store, product store.Product, now time.Time) ([]int64, error) {
	variants, err := store.PublishProduct(ctx, tx, product.ID, now)
	if err != nil {
		return nil, fmt.Errorf("publish product %d: %w", product.ID, err)
	}
	displays, err := store.ListDisplays(ctx, tx, store.DisplayFilter{StoreIDs: []int64{st.ID}, ProductIDs: []int64{product.ID}}, nil, store.Page{})
	if err != nil {
		return nil, err
	}
	var disp store.Display
	for _, d := range displays {
		if d.Status == "ACTIVE" {
			disp = d
			break
		}
	}
	switch {
	case disp.ID != 0:
	case len(displays) > 0:
		disp = displays[0]
		if err := store.ActivateDisplay(ctx, tx, disp.ID, now); err != nil {
			return nil, err
		}
	default:
		uri, err := freeURI(ctx, tx, st.ID, catalog.Slug(product.Name))
		if err != nil {
			return nil, err
		}
		disp = store.Display{StoreID: st.ID, ProductID: product.ID, Name: product.Name, Status: "ACTIVE", URI: uri, Tags: []string{},
			CreatedAt: db.Time(now), UpdatedAt: db.Time(now)}
		if err := store.InsertDisplay(ctx, tx, &disp); err != nil {
			return nil, fmt.Errorf("display product %d: %w", product.ID, err)
		}
	}
	sizes, err := store.ProductSizesByVariantIDs(ctx, tx, variants)
	if err != nil {
		return nil, err
	}
	sized := map[int64]bool{}
	for _, s := range sizes {
		if s.IsActive {
			sized[s.ProductVariantID] = true
		}
	}
	var out []int64
	for _, v := range variants {
		if err := store.LinkDisplay(ctx, tx, store.DisplayVariant, disp.ID, v); err != nil {
			return nil, err
		}
		if sized[v] {
			out = append(out, v)
		}
	}
	return out, nil
}

// freeURI returns uri, or uri-2, uri-3 … when another display of the store
// has it.
func freeURI(ctx context.Context, q db.Q, storeID int64, uri string) (string, error) {
	candidate := uri
	for n := 2; ; n++ {
		taken, err := store.DisplayURITaken(ctx, q, storeID, candidate, 0)
		if err != nil || !taken {
			return candidate, err
		}
		candidate = uri + "-" + strconv.Itoa(n)
	}
}
