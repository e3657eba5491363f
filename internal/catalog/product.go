package catalog

import (
	"context"
	"fmt"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/seam"
	"seam/internal/store"
)

// ProductInput creates or changes the general section of a product. On
// update, nil fields stay as they are.
type ProductInput struct {
	Name                               *string
	Status                             *string
	ProductNumber                      *string
	Brand                              *seam.Ref
	Collection                         *seam.Ref
	Folder                             *seam.Ref
	CountryOfOrigin                    *seam.Ref
	HarmonizedCommodityCode            *string
	HarmonizedCommodityCodeDescription *string
	InternalComment                    *string
	// AddProductVariants creates variants of the new product in the same
	// transaction.
	AddProductVariants []VariantInput
	ExternalID         *string
}

// CreateProduct creates a product, and any variants given with it.
func CreateProduct(ctx context.Context, d *db.DB, actor seam.Actor, in ProductInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = createProduct(ctx, tx, actor, in, seam.P("input"), false)
		return err
	})
	return id, seam.Wrap(err, "create product")
}

func createProduct(ctx context.Context, tx *db.Tx, actor seam.Actor, in ProductInput, path seam.Path, bundle bool) (int64, error) {
	var p seam.Problems
	now := db.Now()
	prod := store.Product{
		Name:          text(&p, path.Key("name"), in.Name, "name"),
		Status:        oneOf(&p, path.Key("status"), in.Status, ProductStatuses, "status"),
		ProductNumber: text(&p, path.Key("productNumber"), in.ProductNumber, "productNumber"),
		IsBundle:      bundle,
		CreatedAt:     now,
		UpdatedAt:     now,
	}
	if err := productRefs(ctx, tx, &p, actor, in, path, &prod); err != nil {
		return 0, err
	}
	if err := p.Err(); err != nil {
		return 0, err
	}
	if err := store.InsertProduct(ctx, tx, &prod); err != nil {
		return 0, err
	}
	if err := event.Change(ctx, tx, actor, nil, event.TypeProduct, prod.ID, event.Created); err != nil {
		return 0, err
	}
	for i, v := range in.AddProductVariants {
		v.Product = seam.ByID(prod.ID)
		if _, err := createVariant(ctx, tx, actor, v, path.Key("addProductVariants").Index(i)); err != nil {
			return 0, err
		}
	}
	return prod.ID, idconv.Assign(ctx, tx, actor, "Product", prod.ID, in.ExternalID, path.Key("externalId"))
}

// productRefs applies the optional fields and references of in to prod.
func productRefs(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, in ProductInput, path seam.Path, prod *store.Product) error {
	var err error
	if in.Brand != nil {
		if prod.BrandID, err = idconv.Clearable(ctx, tx, p, actor, "Brand", in.Brand, path.Key("brand")); err != nil {
			return err
		}
	}
	if in.Collection != nil {
		if prod.CollectionID, err = idconv.Clearable(ctx, tx, p, actor, "Collection", in.Collection, path.Key("collection")); err != nil {
			return err
		}
	}
	if in.Folder != nil {
		if prod.FolderID, err = idconv.Clearable(ctx, tx, p, actor, "Folder", in.Folder, path.Key("folder")); err != nil {
			return err
		}
	}
	if in.CountryOfOrigin.IsZero() {
		if in.CountryOfOrigin != nil {
			prod.CountryOfOriginID = nil
		}
	} else if prod.CountryOfOriginID, err = resolveCountry(ctx, tx, p, actor, in.CountryOfOrigin, path.Key("countryOfOrigin")); err != nil {
		return err
	}
	if in.HarmonizedCommodityCode != nil {
		prod.HarmonizedCommodityCode = optText(p, path.Key("harmonizedCommodityCode"), in.HarmonizedCommodityCode, "harmonizedCommodityCode")
	}
	if in.HarmonizedCommodityCodeDescription != nil {
		prod.HarmonizedCommodityCodeDescription = optText(p, path.Key("harmonizedCommodityCodeDescription"), in.HarmonizedCommodityCodeDescription, "harmonizedCommodityCodeDescription")
	}
	if in.InternalComment != nil {
		prod.InternalComment = optText(p, path.Key("internalComment"), in.InternalComment, "internalComment")
	}
	return nil
}

// UpdateProduct changes the general section of a product; variants are
// added with CreateProductVariant.
func UpdateProduct(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in ProductInput) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		// Lock the row: the update reads it, changes some fields and writes
		// them all back.
		if _, err := db.Lock(ctx, tx, "product", id); err != nil {
			return err
		}
		prod, err := store.GetProduct(ctx, tx, id)
		if err != nil {
			return notFound(err, seam.P("id"), "Could not find Product with ID %d.", id)
		}
		var p seam.Problems
		path := seam.P("input")
		if in.Name != nil {
			prod.Name = text(&p, path.Key("name"), in.Name, "name")
		}
		if in.Status != nil {
			prod.Status = oneOf(&p, path.Key("status"), in.Status, ProductStatuses, "status")
		}
		if in.ProductNumber != nil {
			prod.ProductNumber = text(&p, path.Key("productNumber"), in.ProductNumber, "productNumber")
		}
		if err := productRefs(ctx, tx, &p, actor, in, path, &prod); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		prod.UpdatedAt = db.Now()
		if err := store.UpdateProduct(ctx, tx, &prod); err != nil {
			return err
		}
		if err := event.Change(ctx, tx, actor, nil, event.TypeProduct, prod.ID, event.Updated); err != nil {
			return err
		}
		for i, v := range in.AddProductVariants {
			v.Product = seam.ByID(prod.ID)
			if _, err := createVariant(ctx, tx, actor, v, path.Key("addProductVariants").Index(i)); err != nil {
				return err
			}
		}
		return idconv.Assign(ctx, tx, actor, "Product", prod.ID, in.ExternalID, path.Key("externalId"))
	})
	return seam.Wrap(err, fmt.Sprintf("update product %d", id))
}

// resolveCountry resolves {id}, {code} or {externalId} to a country id.
func resolveCountry(ctx context.Context, q db.Q, p *seam.Problems, actor seam.Actor, ref *seam.Ref, path seam.Path) (*int64, error) {
	if ref != nil && ref.Code != nil {
		if err := idconv.ExactlyOne(ref, path); p.Merge(err) {
			return nil, nil
		}
		c, err := store.CountryByCode(ctx, q, *ref.Code)
		if err != nil {
			if p.Merge(notFound(err, path.Key("code"), "Could not find Country with code %q.", *ref.Code)) {
				return nil, nil
			}
			return nil, err
		}
		return &c.ID, nil
	}
	return idconv.Optional(ctx, q, p, actor, "Country", ref, path)
}

// ResolveCountry is resolveCountry for other domain packages: it returns a
// user error rather than collecting it.
func ResolveCountry(ctx context.Context, q db.Q, actor seam.Actor, ref *seam.Ref, path seam.Path) (int64, error) {
	var p seam.Problems
	id, err := resolveCountry(ctx, q, &p, actor, ref, path)
	if err != nil {
		return 0, err
	}
	if err := p.Err(); err != nil {
		return 0, err
	}
	if id == nil {
		return 0, seam.Invalid(path, "A country is required.")
	}
	return *id, nil
}
