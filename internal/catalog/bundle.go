package catalog

import (
	"context"

	"seam/internal/db"
	"seam/internal/idconv"
	"seam/internal/seam"
	"seam/internal/store"
)

// Bundle types and price types.
var (
	BundleTypes      = []string{"FIXED", "FLEXIBLE"}
	BundlePriceTypes = []string{"STATIC", "DYNAMIC"}
)

// BundleInput creates a bundle: a product with one internal variant whose
// sizes are the bundle's, and sections of variants it is made of.
type BundleInput struct {
	Product           ProductInput
	Type              *string
	PriceType         *string
	SizeChart         *seam.Ref
	Sizes             []seam.Ref
	AddBundleSections []BundleSectionInput
	ExternalID        *string
}

// BundleSectionInput is one section: Quantity units of one of the variants.
type BundleSectionInput struct {
	Quantity        int
	ProductVariants []seam.Ref
}

// CreateBundle creates the bundle product, its internal variant and sizes,
// and its sections. A FIXED bundle has exactly one variant per section.
func CreateBundle(ctx context.Context, d *db.DB, actor seam.Actor, in BundleInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		b := store.Bundle{
			Type:      oneOf(&p, path.Key("type"), in.Type, BundleTypes, "type"),
			PriceType: oneOf(&p, path.Key("priceType"), in.PriceType, BundlePriceTypes, "priceType"),
		}
		if in.SizeChart == nil {
			p.Add(path.Key("sizeChart"), "A bundle needs a size chart.")
		}
		if len(in.AddBundleSections) == 0 {
			p.Add(path.Key("addBundleSections"), "A bundle needs at least one section.")
		}
		sections := make([]store.BundleSection, len(in.AddBundleSections))
		for i, s := range in.AddBundleSections {
			sp := path.Key("addBundleSections").Index(i)
			if s.Quantity < 1 || s.Quantity > 10_000 {
				p.Add(sp.Key("quantity"), "A section's quantity must be between 1 and 10000, got %d.", s.Quantity)
			}
			if len(s.ProductVariants) == 0 {
				p.Add(sp.Key("productVariants"), "A section needs at least one product variant.")
			}
			if b.Type == "FIXED" && len(s.ProductVariants) > 1 {
				p.Add(sp.Key("productVariants"), "A FIXED bundle has exactly one variant per section; use type FLEXIBLE to let the buyer choose.")
			}
			sections[i] = store.BundleSection{Quantity: s.Quantity, Position: i}
			for j := range s.ProductVariants {
				vp := sp.Key("productVariants").Index(j)
				var vid int64
				if err := collect(ctx, tx, &p, actor, "ProductVariant", &s.ProductVariants[j], vp, &vid); err != nil {
					return err
				}
				if vid != 0 {
					v, err := store.GetVariant(ctx, tx, vid)
					if err != nil {
						return err
					}
					prod, err := store.GetProduct(ctx, tx, v.ProductID)
					if err != nil {
						return err
					}
					if prod.IsBundle {
						p.Add(vp, "Product variant %d belongs to a bundle; bundles cannot contain bundles.", vid)
					}
					sections[i].VariantIDs = append(sections[i].VariantIDs, vid)
				}
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		productID, err := createProduct(ctx, tx, actor, in.Product, path.Key("product"), true)
		if err != nil {
			return err
		}
		b.ProductID = productID
		status := "ACTIVE"
		if in.Product.Status != nil && *in.Product.Status != "ACTIVE" {
			status = "INACTIVE"
		}
		var sizes []ProductSizeInput
		for i := range in.Sizes {
			sizes = append(sizes, ProductSizeInput{Size: &in.Sizes[i]})
		}
		variantID, err := createVariant(ctx, tx, actor, VariantInput{
			Product: seam.ByID(productID), Name: in.Product.Name, Status: &status, SizeChart: in.SizeChart, ProductSizes: sizes,
		}, path)
		if err != nil {
			return err
		}
		b.ProductVariantID = variantID
		if err := store.InsertBundle(ctx, tx, &b); err != nil {
			return err
		}
		for i := range sections {
			sections[i].BundleID = b.ID
			if err := store.InsertBundleSection(ctx, tx, &sections[i]); err != nil {
				return err
			}
		}
		id = b.ID
		return idconv.Assign(ctx, tx, actor, "Bundle", b.ID, in.ExternalID, path.Key("externalId"))
	})
	return id, seam.Wrap(err, "create bundle")
}
