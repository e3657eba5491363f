// Package stock holds warehouses and the rules for changing the stock kept
// in them: every change is one conditional statement per size and leaves a
// stock change record.
package stock

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/seam"
	"seam/internal/store"
)

// Warehouse policies.
var (
	StockMasterPolicies    = []string{"CENTRA", "EXTERNAL"}
	StockOwnershipPolicies = []string{"OWN", "THIRD_PARTY"}
	AllocationPolicies     = []string{"DIRECT", "CHECK_FIRST"}
)

// WarehouseInput creates or changes a warehouse. On update, nil fields stay
// as they are.
type WarehouseInput struct {
	Name                 *string
	BeforeWarehouse      *seam.Ref
	HideFromStockView    *bool
	Threshold            *int
	StockMasterPolicy    *string
	StockOwnershipPolicy *string
	AllocationPolicy     *string
	IsConsignation       *bool
	WarehouseLocation    *LocationInput
	ExternalID           *string
}

// LocationInput is where a warehouse is.
type LocationInput struct {
	Country         *seam.Ref
	StateOrProvince *string
	ZipCode         *string
}

// CreateWarehouse creates a warehouse. With BeforeWarehouse it takes that
// warehouse's place in the allocation order; otherwise it comes last.
func CreateWarehouse(ctx context.Context, d *db.DB, actor seam.Actor, in WarehouseInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		w := store.Warehouse{StockMaster: "CENTRA", StockOwnership: "OWN", AllocationPolicy: "DIRECT"}
		var p seam.Problems
		if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
			p.Add(path.Key("name"), "name must not be empty.")
		} else {
			w.Name = strings.TrimSpace(*in.Name)
		}
		if err := warehouseFields(ctx, tx, &p, actor, in, path, &w); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		prio, err := placeWarehouse(ctx, tx, actor, in.BeforeWarehouse, path.Key("beforeWarehouse"))
		if err != nil {
			return err
		}
		w.Priority = prio
		if err := store.InsertWarehouse(ctx, tx, &w); err != nil {
			return err
		}
		id = w.ID
		if err := idconv.Assign(ctx, tx, actor, "Warehouse", w.ID, in.ExternalID, path.Key("externalId")); err != nil {
			return err
		}
		return event.Change(ctx, tx, actor, nil, event.TypeWarehouse, w.ID, event.Created)
	})
	return id, seam.Wrap(err, "create warehouse")
}

// UpdateWarehouse changes a warehouse.
func UpdateWarehouse(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in WarehouseInput) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		// Lock the row: the update reads it, changes some fields and writes
		// them all back.
		if _, err := db.Lock(ctx, tx, "warehouse", id); err != nil {
			return err
		}
		w, err := store.GetWarehouse(ctx, tx, id)
		if errors.Is(err, seam.ErrNotFound) {
			return seam.Invalid(seam.P("id"), "Could not find Warehouse with ID %d.", id)
		} else if err != nil {
			return err
		}
		var p seam.Problems
		if in.Name != nil {
			if strings.TrimSpace(*in.Name) == "" {
				p.Add(path.Key("name"), "name must not be empty.")
			}
			w.Name = strings.TrimSpace(*in.Name)
		}
		if err := warehouseFields(ctx, tx, &p, actor, in, path, &w); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if in.BeforeWarehouse != nil {
			if w.Priority, err = placeWarehouse(ctx, tx, actor, in.BeforeWarehouse, path.Key("beforeWarehouse")); err != nil {
				return err
			}
		}
		if err := store.UpdateWarehouse(ctx, tx, &w); err != nil {
			return err
		}
		if err := idconv.Assign(ctx, tx, actor, "Warehouse", w.ID, in.ExternalID, path.Key("externalId")); err != nil {
			return err
		}
		return event.Change(ctx, tx, actor, nil, event.TypeWarehouse, w.ID, event.Updated)
	})
	return seam.Wrap(err, fmt.Sprintf("update warehouse %d", id))
}

func warehouseFields(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, in WarehouseInput, path seam.Path, w *store.Warehouse) error {
	enum := func(v *string, allowed []string, field string, dst *string) {
		if v == nil {
			return
		}
		if !slices.Contains(allowed, *v) {
			p.Add(path.Key(field), "%s must be one of %s, got %q.", field, strings.Join(allowed, ", "), *v)
			return
		}
		*dst = *v
	}
	enum(in.StockMasterPolicy, StockMasterPolicies, "stockMasterPolicy", &w.StockMaster)
	enum(in.StockOwnershipPolicy, StockOwnershipPolicies, "stockOwnershipPolicy", &w.StockOwnership)
	enum(in.AllocationPolicy, AllocationPolicies, "allocationPolicy", &w.AllocationPolicy)
	if in.HideFromStockView != nil {
		w.IsHiddenFromStockView = *in.HideFromStockView
	}
	if in.IsConsignation != nil {
		w.IsConsignation = *in.IsConsignation
	}
	if in.Threshold != nil {
		if *in.Threshold < 0 || *in.Threshold > MaxQuantity {
			p.Add(path.Key("threshold"), "threshold must be between 0 and %d, got %d.", MaxQuantity, *in.Threshold)
		}
		w.Threshold = *in.Threshold
	}
	if loc := in.WarehouseLocation; loc != nil {
		lp := path.Key("warehouseLocation")
		if loc.Country != nil {
			cid, err := catalog.ResolveCountry(ctx, tx, actor, loc.Country, lp.Key("country"))
			if p.Merge(err) {
				return nil
			} else if err != nil {
				return err
			}
			w.CountryID, w.StateID = &cid, nil
		}
		if loc.StateOrProvince != nil {
			if w.CountryID == nil {
				p.Add(lp.Key("stateOrProvince"), "Give the warehouse's country along with its state.")
				return nil
			}
			st, err := store.FindState(ctx, tx, *w.CountryID, *loc.StateOrProvince)
			if errors.Is(err, seam.ErrNotFound) {
				p.Add(lp.Key("stateOrProvince"), "Country %d has no state or province %q.", *w.CountryID, *loc.StateOrProvince)
				return nil
			} else if err != nil {
				return err
			}
			w.StateID = &st.ID
		}
		if loc.ZipCode != nil {
			z := strings.TrimSpace(*loc.ZipCode)
			w.ZipCode = &z
			if z == "" {
				w.ZipCode = nil
			}
		}
	}
	return nil
}

// placeWarehouse returns the priority for a warehouse placed before another
// (shifting the rest down), or after the last one.
func placeWarehouse(ctx context.Context, tx *db.Tx, actor seam.Actor, before *seam.Ref, path seam.Path) (int, error) {
	if before == nil {
		return store.NextWarehousePriority(ctx, tx)
	}
	bid, err := idconv.Resolve(ctx, tx, actor, "Warehouse", before, path)
	if err != nil {
		return 0, err
	}
	b, err := store.GetWarehouse(ctx, tx, bid)
	if err != nil {
		return 0, err
	}
	if err := store.ShiftWarehousePriorities(ctx, tx, b.Priority); err != nil {
		return 0, err
	}
	return b.Priority, nil
}
