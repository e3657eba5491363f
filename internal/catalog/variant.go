package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

// VariantInput creates or changes a product variant. On update, nil fields
// stay as they are.
type VariantInput struct {
	// Product is required when the variant is created on its own.
	Product       *seam.Ref
	Name          *string
	Status        *string
	VariantNumber *string
	InternalName  *string
	UnitCost      *money.Input
	// SizeChart can be set once; it decides which sizes can be activated.
	SizeChart *seam.Ref
	// ProductSizes activates sizes of the chart in the same transaction.
	ProductSizes []ProductSizeInput
	ExternalID   *string
}

// ProductSizeInput activates a size on a variant, or changes its data.
type ProductSizeInput struct {
	// ProductVariant is required when the size is activated on its own.
	ProductVariant *seam.Ref
	// Size is the size of the variant's chart, by id, name or externalId.
	Size       *seam.Ref
	EAN        *string
	UPC        *string
	SizeNumber *string
	Comment    *string
	Preorder   *bool
	IsActive   *bool
	ExternalID *string
}

// CreateProductVariant creates a variant, and any sizes given with it.
func CreateProductVariant(ctx context.Context, d *db.DB, actor seam.Actor, in VariantInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = createVariant(ctx, tx, actor, in, seam.P("input"))
		return err
	})
	return id, seam.Wrap(err, "create product variant")
}

func createVariant(ctx context.Context, tx *db.Tx, actor seam.Actor, in VariantInput, path seam.Path) (int64, error) {
	var p seam.Problems
	now := db.Now()
	v := store.Variant{
		Name:      text(&p, path.Key("name"), in.Name, "name"),
		Status:    oneOf(&p, path.Key("status"), in.Status, Statuses, "status"),
		CreatedAt: now,
		UpdatedAt: now,
	}
	if in.Product == nil {
		p.Add(path.Key("product"), "A variant needs a product.")
	} else if err := collect(ctx, tx, &p, actor, "Product", in.Product, path.Key("product"), &v.ProductID); err != nil {
		return 0, err
	}
	if err := variantFields(ctx, tx, &p, actor, in, path, &v); err != nil {
		return 0, err
	}
	if err := p.Err(); err != nil {
		return 0, err
	}
	if err := store.InsertVariant(ctx, tx, &v); err != nil {
		return 0, err
	}
	if err := event.Change(ctx, tx, actor, nil, event.TypeProductVariant, v.ID, event.Created); err != nil {
		return 0, err
	}
	if err := activateSizes(ctx, tx, actor, v, in.ProductSizes, path.Key("productSizes")); err != nil {
		return 0, err
	}
	return v.ID, idconv.Assign(ctx, tx, actor, "ProductVariant", v.ID, in.ExternalID, path.Key("externalId"))
}

func variantFields(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, in VariantInput, path seam.Path, v *store.Variant) error {
	if in.VariantNumber != nil {
		v.VariantNumber = optText(p, path.Key("variantNumber"), in.VariantNumber, "variantNumber")
	}
	if in.InternalName != nil {
		v.InternalName = optText(p, path.Key("internalName"), in.InternalName, "internalName")
	}
	if in.UnitCost != nil {
		a, err := amount(path.Key("unitCost"), *in.UnitCost)
		if !p.Merge(err) {
			v.UnitCostAmount = &a
		}
	}
	if in.SizeChart != nil {
		chart, err := idconv.Optional(ctx, tx, p, actor, "SizeChart", in.SizeChart, path.Key("sizeChart"))
		if err != nil {
			return err
		}
		if chart != nil {
			if v.SizeChartID != nil && *v.SizeChartID != *chart {
				p.Add(path.Key("sizeChart"), "The size chart of variant %d is already set (size chart %d) and cannot change.", v.ID, *v.SizeChartID)
			} else {
				v.SizeChartID = chart
			}
		}
	}
	return nil
}

// amount converts a money input, naming the rule broken.
func amount(path seam.Path, in money.Input) (money.Amount, error) {
	a, err := in.Amount()
	switch {
	case errors.Is(err, money.ErrUnknownCurrency):
		return a, seam.Invalid(path.Key("currencyIsoCode"), "Unknown currency %q; use an ISO 4217 code such as EUR.", in.CurrencyIsoCode)
	case errors.Is(err, money.ErrTooPrecise):
		return a, seam.Invalid(path.Key("value"), "%s has more decimals than %s allows.", in.Value, in.CurrencyIsoCode)
	case errors.Is(err, money.ErrOverflow):
		return a, seam.Invalid(path.Key("value"), "%s is out of range: amounts are at most %d minor units of their currency.", in.Value, int64(money.MaxMinor))
	case err != nil:
		return a, seam.Invalid(path.Key("value"), "%s is out of range.", in.Value)
	case a.Minor < 0:
		return a, seam.Invalid(path.Key("value"), "Amounts must not be negative, got %s.", in.Value)
	}
	return a, nil
}

// Amount is amount for other domain packages.
func Amount(path seam.Path, in money.Input) (money.Amount, error) { return amount(path, in) }

// UpdateProductVariant changes a variant and activates any sizes given.
func UpdateProductVariant(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in VariantInput) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		// Lock the row: the update reads it, changes some fields and writes
		// them all back.
		if _, err := db.Lock(ctx, tx, "product_variant", id); err != nil {
			return err
		}
		v, err := store.GetVariant(ctx, tx, id)
		if err != nil {
			return notFound(err, seam.P("id"), "Could not find ProductVariant with ID %d.", id)
		}
		var p seam.Problems
		path := seam.P("input")
		if in.Product != nil {
			p.Add(path.Key("product"), "A variant cannot move to another product.")
		}
		if in.Name != nil {
			v.Name = text(&p, path.Key("name"), in.Name, "name")
		}
		if in.Status != nil {
			v.Status = oneOf(&p, path.Key("status"), in.Status, Statuses, "status")
		}
		if err := variantFields(ctx, tx, &p, actor, in, path, &v); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		v.UpdatedAt = db.Now()
		if err := store.UpdateVariant(ctx, tx, &v); err != nil {
			return err
		}
		if err := event.Change(ctx, tx, actor, nil, event.TypeProductVariant, v.ID, event.Updated); err != nil {
			return err
		}
		if err := activateSizes(ctx, tx, actor, v, in.ProductSizes, path.Key("productSizes")); err != nil {
			return err
		}
		return idconv.Assign(ctx, tx, actor, "ProductVariant", v.ID, in.ExternalID, path.Key("externalId"))
	})
	return seam.Wrap(err, fmt.Sprintf("update product variant %d", id))
}

// CreateProductSize activates a size on a variant.
func CreateProductSize(ctx context.Context, d *db.DB, actor seam.Actor, in ProductSizeInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		var variantID int64
		if in.ProductVariant == nil {
			return seam.Invalid(path.Key("productVariant"), "A product size needs a productVariant.")
		}
		if err := collect(ctx, tx, &p, actor, "ProductVariant", in.ProductVariant, path.Key("productVariant"), &variantID); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		v, err := store.GetVariant(ctx, tx, variantID)
		if err != nil {
			return err
		}
		ids, err := activate(ctx, tx, actor, v, []ProductSizeInput{in}, path, false)
		if err != nil {
			return err
		}
		id = ids[0]
		return nil
	})
	return id, seam.Wrap(err, "create product size")
}

// UpdateProductSize changes the data of a product size.
func UpdateProductSize(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in ProductSizeInput) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		// Lock the row: the update reads it, changes some fields and writes
		// them all back.
		if _, err := db.Lock(ctx, tx, "product_size", id); err != nil {
			return err
		}
		ps, err := store.GetProductSize(ctx, tx, id)
		if err != nil {
			return notFound(err, seam.P("id"), "Could not find ProductSize with ID %d.", id)
		}
		var p seam.Problems
		path := seam.P("input")
		if in.ProductVariant != nil || in.Size != nil {
			p.Add(path, "A product size cannot move to another variant or size; activate a new one instead.")
		}
		sizeData(&p, path, in, &ps)
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.UpdateProductSize(ctx, tx, &ps); err != nil {
			return err
		}
		if err := event.Change(ctx, tx, actor, nil, event.TypeProductSize, ps.ID, event.Updated); err != nil {
			return err
		}
		return idconv.Assign(ctx, tx, actor, "ProductSize", ps.ID, in.ExternalID, path.Key("externalId"))
	})
	return seam.Wrap(err, fmt.Sprintf("update product size %d", id))
}

func activateSizes(ctx context.Context, tx *db.Tx, actor seam.Actor, v store.Variant, in []ProductSizeInput, path seam.Path) error {
	if len(in) == 0 {
		return nil
	}
	_, err := activate(ctx, tx, actor, v, in, path, true)
	return err
}

// activate creates product sizes on variant v. In a list (indexed), each
// entry's path gets its index.
func activate(ctx context.Context, tx *db.Tx, actor seam.Actor, v store.Variant, in []ProductSizeInput, path seam.Path, indexed bool) ([]int64, error) {
	var p seam.Problems
	if v.SizeChartID == nil {
		return nil, seam.Invalid(path, "Product variant %d has no size chart; set its sizeChart before activating sizes.", v.ID)
	}
	chart, err := store.GetSizeChart(ctx, tx, *v.SizeChartID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	seen := map[int64]bool{}
	for i, s := range in {
		sp := path
		if indexed {
			sp = path.Index(i)
		}
		size, err := resolveSize(ctx, tx, actor, chart, s.Size, sp.Key("size"))
		if p.Merge(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if seen[size.ID] {
			p.Add(sp.Key("size"), "Size %s is listed twice.", size.Name)
			continue
		}
		seen[size.ID] = true
		if old, err := store.ProductSizeOf(ctx, tx, v.ID, size.ID); err == nil {
			p.Add(sp.Key("size"), "Size %s is already activated on product variant %d (product size %d); use updateProductSize to change it.", size.Name, v.ID, old.ID)
			continue
		} else if !errors.Is(err, seam.ErrNotFound) {
			return nil, err
		}
		ps := store.ProductSize{ProductVariantID: v.ID, SizeID: size.ID, IsActive: true}
		sizeData(&p, sp, s, &ps)
		if len(p.Errors) > 0 {
			continue
		}
		if err := store.InsertProductSize(ctx, tx, &ps); err != nil {
			return nil, err
		}
		if err := event.Change(ctx, tx, actor, nil, event.TypeProductSize, ps.ID, event.Created); err != nil {
			return nil, err
		}
		if err := idconv.Assign(ctx, tx, actor, "ProductSize", ps.ID, s.ExternalID, sp.Key("externalId")); err != nil {
			return nil, err
		}
		ids = append(ids, ps.ID)
	}
	return ids, p.Err()
}

func sizeData(p *seam.Problems, path seam.Path, in ProductSizeInput, ps *store.ProductSize) {
	code := func(v *string, field string) *string {
		if v == nil {
			return nil
		}
		s := strings.TrimSpace(*v)
		if len(s) > 64 {
			p.Add(path.Key(field), "%s is %d characters long; the limit is 64.", field, len(s))
		}
		if s == "" {
			return nil
		}
		return &s
	}
	if in.EAN != nil {
		ps.EAN = code(in.EAN, "EAN")
	}
	if in.UPC != nil {
		ps.UPC = code(in.UPC, "UPC")
	}
	if in.SizeNumber != nil {
		ps.SizeNumber = code(in.SizeNumber, "sizeNumber")
	}
	if in.Comment != nil {
		ps.Comment = optText(p, path.Key("comment"), in.Comment, "comment")
	}
	if in.Preorder != nil {
		ps.Preorder = *in.Preorder
	}
	if in.IsActive != nil {
		ps.IsActive = *in.IsActive
	}
}

// resolveSize finds a size of chart by {id}, {name} or {externalId}.
func resolveSize(ctx context.Context, q db.Q, actor seam.Actor, chart store.SizeChart, ref *seam.Ref, path seam.Path) (store.Size, error) {
	if err := idconv.ExactlyOne(ref, path); err != nil {
		return store.Size{}, err
	}
	var size store.Size
	var err error
	switch {
	case ref.Name != nil:
		size, err = store.SizeByName(ctx, q, chart.ID, *ref.Name)
		if err != nil {
			return size, notFound(err, path.Key("name"), "Size chart %q (%d) has no size named %q.", chart.Name, chart.ID, *ref.Name)
		}
		return size, nil
	case ref.ID != nil, ref.ExternalID != nil:
		id, err := idconv.Resolve(ctx, q, actor, "Size", ref, path)
		if err != nil {
			return size, err
		}
		if size, err = store.GetSize(ctx, q, id); err != nil {
			return size, err
		}
	default:
		return size, seam.Invalid(path, "Name a size by id, name or externalId.")
	}
	if size.SizeChartID != chart.ID {
		return size, seam.Invalid(path, "Size %d (%s) is not in size chart %q (%d).", size.ID, size.Name, chart.Name, chart.ID)
	}
	return size, nil
}

// ResolveProductSize finds the product size of a variant for a size given
// by id, name or externalId. Stock and orders use it.
func ResolveProductSize(ctx context.Context, q db.Q, actor seam.Actor, v store.Variant, ref *seam.Ref, path seam.Path) (store.ProductSize, store.Size, error) {
	if v.SizeChartID == nil {
		return store.ProductSize{}, store.Size{}, seam.Invalid(path, "Product variant %d has no size chart and so no sizes.", v.ID)
	}
	chart, err := store.GetSizeChart(ctx, q, *v.SizeChartID)
	if err != nil {
		return store.ProductSize{}, store.Size{}, err
	}
	size, err := resolveSize(ctx, q, actor, chart, ref, path)
	if err != nil {
		return store.ProductSize{}, size, err
	}
	ps, err := store.ProductSizeOf(ctx, q, v.ID, size.ID)
	if errors.Is(err, seam.ErrNotFound) {
		return ps, size, seam.Invalid(path, "Size %s is not activated on product variant %d; activate it with createProductSize first.", size.Name, v.ID)
	}
	return ps, size, err
}
