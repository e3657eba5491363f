package store

import (
	"context"

	"seam/internal/db"
)

// Bundle is a product sold as a set of sections, each filled from a list of
// variants. Its single internal variant carries the bundle's sizes.
type Bundle struct {
	ID               int64
	ProductID        int64
	ProductVariantID int64
	Type             string
	PriceType        string
}

// BundleSection is one part of a bundle: Quantity units of one of its
// variants.
type BundleSection struct {
	ID         int64
	BundleID   int64
	Quantity   int
	Position   int
	VariantIDs []int64
}

const bundleSelect = `SELECT id, product_id, product_variant_id, type, price_type FROM bundle`

func scanBundle(s scanner) (Bundle, error) {
	var b Bundle
	err := s.Scan(&b.ID, &b.ProductID, &b.ProductVariantID, &b.Type, &b.PriceType)
	return b, err
}

// InsertBundle creates a bundle row for an existing product and variant.
func InsertBundle(ctx context.Context, q db.Q, b *Bundle) error {
	id, err := insertID(ctx, q, `INSERT INTO bundle (product_id, product_variant_id, type, price_type) VALUES ($1, $2, $3, $4) RETURNING id`,
		b.ProductID, b.ProductVariantID, b.Type, b.PriceType)
	b.ID = id
	return err
}

// InsertBundleSection adds a section and its variants to a bundle.
func InsertBundleSection(ctx context.Context, q db.Q, s *BundleSection) error {
	id, err := insertID(ctx, q, `INSERT INTO bundle_section (bundle_id, quantity, position) VALUES ($1, $2, $3) RETURNING id`, s.BundleID, s.Quantity, s.Position)
	if err != nil {
		return err
	}
	s.ID = id
	for _, v := range s.VariantIDs {
		if _, err := q.ExecContext(ctx, `INSERT INTO bundle_section_variant (bundle_section_id, product_variant_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, v); err != nil {
			return err
		}
	}
	return nil
}

// GetBundle loads one bundle.
func GetBundle(ctx context.Context, q db.Q, id int64) (Bundle, error) {
	return one(ctx, q, scanBundle, bundleSelect+` WHERE id = $1`, id)
}

// BundlesByIDs loads bundles by id.
func BundlesByIDs(ctx context.Context, q db.Q, ids []int64) ([]Bundle, error) {
	return byIDs(ctx, q, scanBundle, bundleSelect, "id", ids, "")
}

// BundlesByProductIDs loads the bundles of bundle products.
func BundlesByProductIDs(ctx context.Context, q db.Q, productIDs []int64) ([]Bundle, error) {
	return byIDs(ctx, q, scanBundle, bundleSelect, "product_id", productIDs, "")
}

// ListBundles lists bundles.
func ListBundles(ctx context.Context, q db.Q, ids []int64, p Page) ([]Bundle, error) {
	var w where
	in(&w, "id", ids)
	return list(ctx, q, scanBundle, bundleSelect, &w, " ORDER BY id", p)
}

// BundleSectionsByBundleIDs loads the sections of bundles with their variants.
func BundleSectionsByBundleIDs(ctx context.Context, q db.Q, bundleIDs []int64) ([]BundleSection, error) {
	sections, err := byIDs(ctx, q, func(s scanner) (BundleSection, error) {
		var b BundleSection
		err := s.Scan(&b.ID, &b.BundleID, &b.Quantity, &b.Position)
		return b, err
	}, `SELECT id, bundle_id, quantity, position FROM bundle_section`, "bundle_id", bundleIDs, " ORDER BY bundle_id, position")
	if err != nil || len(sections) == 0 {
		return sections, err
	}
	ids := make([]int64, len(sections))
	for i, s := range sections {
		ids[i] = s.ID
	}
	pairs, err := byIDs(ctx, q, scanPair, `SELECT bundle_section_id, product_variant_id FROM bundle_section_variant`, "bundle_section_id", ids, " ORDER BY product_variant_id")
	if err != nil {
		return nil, err
	}
	bySection := map[int64][]int64{}
	for _, p := range pairs {
		bySection[p.A] = append(bySection[p.A], p.B)
	}
	for i := range sections {
		sections[i].VariantIDs = bySection[sections[i].ID]
	}
	return sections, nil
}
