package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
	"seam/internal/money"
)

// Product is the general section of a product; variants and sizes hang
// below it.
type Product struct {
	ID                                 int64
	Name                               string
	Status                             string
	ProductNumber                      string
	BrandID                            *int64
	CollectionID                       *int64
	FolderID                           *int64
	CountryOfOriginID                  *int64
	HarmonizedCommodityCode            *string
	HarmonizedCommodityCodeDescription *string
	InternalComment                    *string
	IsBundle                           bool
	CreatedAt                          time.Time
	UpdatedAt                          time.Time
}

const productSelect = `SELECT id, name, status, product_number, brand_id, collection_id, folder_id, country_of_origin_id,
	hs_code, hs_code_description, internal_comment, is_bundle, created_at, updated_at FROM product`

func scanProduct(s scanner) (Product, error) {
	var p Product
	var brand, coll, folder, country sql.NullInt64
	var hs, hsd, comment sql.NullString
	err := s.Scan(&p.ID, &p.Name, &p.Status, &p.ProductNumber, &brand, &coll, &folder, &country, &hs, &hsd, &comment, &p.IsBundle, &p.CreatedAt, &p.UpdatedAt)
	p.BrandID, p.CollectionID, p.FolderID, p.CountryOfOriginID = nullInt(brand), nullInt(coll), nullInt(folder), nullInt(country)
	p.HarmonizedCommodityCode, p.HarmonizedCommodityCodeDescription, p.InternalComment = nullString(hs), nullString(hsd), nullString(comment)
	return p, err
}

// InsertProduct creates a product.
func InsertProduct(ctx context.Context, q db.Q, p *Product) error {
	id, err := insertID(ctx, q, `INSERT INTO product (name, status, product_number, brand_id, collection_id, folder_id, country_of_origin_id,
		hs_code, hs_code_description, internal_comment, is_bundle, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		p.Name, p.Status, p.ProductNumber, p.BrandID, p.CollectionID, p.FolderID, p.CountryOfOriginID,
		p.HarmonizedCommodityCode, p.HarmonizedCommodityCodeDescription, p.InternalComment, p.IsBundle, p.CreatedAt, p.UpdatedAt)
	p.ID = id
	return err
}

// UpdateProduct writes every field of a product.
func UpdateProduct(ctx context.Context, q db.Q, p *Product) error {
	_, err := q.ExecContext(ctx, `UPDATE product SET name = $1, status = $2, product_number = $3, brand_id = $4, collection_id = $5,
		folder_id = $6, country_of_origin_id = $7, hs_code = $8, hs_code_description = $9, internal_comment = $10, updated_at = $11 WHERE id = $12`,
		p.Name, p.Status, p.ProductNumber, p.BrandID, p.CollectionID, p.FolderID, p.CountryOfOriginID,
		p.HarmonizedCommodityCode, p.HarmonizedCommodityCodeDescription, p.InternalComment, p.UpdatedAt, p.ID)
	return err
}

// GetProduct loads one product.
func GetProduct(ctx context.Context, q db.Q, id int64) (Product, error) {
	return one(ctx, q, scanProduct, productSelect+` WHERE id = $1`, id)
}

// ProductsByIDs loads products by id.
func ProductsByIDs(ctx context.Context, q db.Q, ids []int64) ([]Product, error) {
	return byIDs(ctx, q, scanProduct, productSelect, "id", ids, "")
}

// ProductFilter narrows a product list.
type ProductFilter struct {
	IDs           []int64
	Statuses      []string
	Name          *StringMatch
	ProductNumber *StringMatch
	BrandIDs      []int64
	CollectionIDs []int64
	FolderIDs     []int64
	IsBundle      *bool
}

var productSorts = map[string]string{"id": "id", "name": "name", "productNumber": "product_number", "createdAt": "created_at", "updatedAt": "updated_at"}

// ListProducts lists products.
func ListProducts(ctx context.Context, q db.Q, f ProductFilter, sorts []Sort, p Page) ([]Product, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "status", f.Statuses)
	in(&w, "brand_id", f.BrandIDs)
	in(&w, "collection_id", f.CollectionIDs)
	in(&w, "folder_id", f.FolderIDs)
	f.Name.apply(&w, "name")
	f.ProductNumber.apply(&w, "product_number")
	if f.IsBundle != nil {
		w.add("is_bundle = ?", *f.IsBundle)
	}
	return list(ctx, q, scanProduct, productSelect, &w, orderBy(sorts, productSorts, "id"), p)
}

// Variant is a product variant (a colour, a material).
type Variant struct {
	ID             int64
	ProductID      int64
	Name           string
	Status         string
	VariantNumber  *string
	InternalName   *string
	UnitCostAmount *money.Amount
	SizeChartID    *int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

const variantSelect = `SELECT id, product_id, name, status, variant_number, internal_name, unit_cost_minor, unit_cost_currency,
	size_chart_id, created_at, updated_at FROM product_variant`

func scanVariant(s scanner) (Variant, error) {
	var v Variant
	var number, internal, cur sql.NullString
	var cost, chart sql.NullInt64
	err := s.Scan(&v.ID, &v.ProductID, &v.Name, &v.Status, &number, &internal, &cost, &cur, &chart, &v.CreatedAt, &v.UpdatedAt)
	v.VariantNumber, v.InternalName, v.SizeChartID = nullString(number), nullString(internal), nullInt(chart)
	if cost.Valid && cur.Valid {
		v.UnitCostAmount = &money.Amount{Minor: cost.Int64, Currency: cur.String}
	}
	return v, err
}

func amountCols(a *money.Amount) (any, any) {
	if a == nil {
		return nil, nil
	}
	return a.Minor, a.Currency
}

// InsertVariant creates a variant.
func InsertVariant(ctx context.Context, q db.Q, v *Variant) error {
	cost, cur := amountCols(v.UnitCostAmount)
	id, err := insertID(ctx, q, `INSERT INTO product_variant (product_id, name, status, variant_number, internal_name, unit_cost_minor,
		unit_cost_currency, size_chart_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		v.ProductID, v.Name, v.Status, v.VariantNumber, v.InternalName, cost, cur, v.SizeChartID, v.CreatedAt, v.UpdatedAt)
	v.ID = id
	return err
}

// UpdateVariant writes every field of a variant.
func UpdateVariant(ctx context.Context, q db.Q, v *Variant) error {
	cost, cur := amountCols(v.UnitCostAmount)
	_, err := q.ExecContext(ctx, `UPDATE product_variant SET name = $1, status = $2, variant_number = $3, internal_name = $4,
		unit_cost_minor = $5, unit_cost_currency = $6, size_chart_id = $7, updated_at = $8 WHERE id = $9`,
		v.Name, v.Status, v.VariantNumber, v.InternalName, cost, cur, v.SizeChartID, v.UpdatedAt, v.ID)
	return err
}

// GetVariant loads one variant.
func GetVariant(ctx context.Context, q db.Q, id int64) (Variant, error) {
	return one(ctx, q, scanVariant, variantSelect+` WHERE id = $1`, id)
}

// VariantsByIDs loads variants by id.
func VariantsByIDs(ctx context.Context, q db.Q, ids []int64) ([]Variant, error) {
	return byIDs(ctx, q, scanVariant, variantSelect, "id", ids, "")
}

// VariantsByProductIDs loads the variants of products, in id order.
func VariantsByProductIDs(ctx context.Context, q db.Q, productIDs []int64) ([]Variant, error) {
	return byIDs(ctx, q, scanVariant, variantSelect, "product_id", productIDs, " ORDER BY id")
}

// VariantFilter narrows a variant list.
type VariantFilter struct {
	IDs           []int64
	ProductIDs    []int64
	Statuses      []string
	VariantNumber *StringMatch
	Name          *StringMatch
}

// ListVariants lists variants.
func ListVariants(ctx context.Context, q db.Q, f VariantFilter, sorts []Sort, p Page) ([]Variant, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "product_id", f.ProductIDs)
	in(&w, "status", f.Statuses)
	f.VariantNumber.apply(&w, "variant_number")
	f.Name.apply(&w, "name")
	return list(ctx, q, scanVariant, variantSelect, &w, orderBy(sorts, map[string]string{"id": "id", "name": "name", "variantNumber": "variant_number"}, "id"), p)
}

// ProductSize is a size activated on a variant: the unit stock is kept for.
// Reads fill in its Size and SKU too.
type ProductSize struct {
	ID               int64
	ProductVariantID int64
	SizeID           int64
	EAN              *string
	UPC              *string
	SizeNumber       *string
	Comment          *string
	Preorder         bool
	IsActive         bool
	// Size is the chart size it activates.
	Size Size
	// SKU is the product number, variant number and size number joined.
	SKU string
}

// GTIN is the product size's trade item number: its EAN.
func (p ProductSize) GTIN() *string { return p.EAN }

const productSizeSelect = `SELECT ps.id, ps.product_variant_id, ps.size_id, ps.ean, ps.upc, ps.size_number, ps.comment, ps.preorder, ps.is_active,
	s.id, s.size_chart_id, s.name, s.position, s.horizontal_label, s.vertical_label, p.product_number, v.variant_number
	FROM product_size ps JOIN size s ON s.id = ps.size_id JOIN product_variant v ON v.id = ps.product_variant_id JOIN product p ON p.id = v.product_id`

func scanProductSize(sc scanner) (ProductSize, error) {
	var p ProductSize
	var ean, upc, number, comment, vertical, variantNumber sql.NullString
	err := sc.Scan(&p.ID, &p.ProductVariantID, &p.SizeID, &ean, &upc, &number, &comment, &p.Preorder, &p.IsActive,
		&p.Size.ID, &p.Size.SizeChartID, &p.Size.Name, &p.Size.Position, &p.Size.HorizontalLabel, &vertical, &p.SKU, &variantNumber)
	p.EAN, p.UPC, p.SizeNumber, p.Comment = nullString(ean), nullString(upc), nullString(number), nullString(comment)
	p.Size.VerticalLabel = nullString(vertical)
	p.SKU += variantNumber.String + number.String
	return p, err
}

// InsertProductSize activates a size on a variant.
func InsertProductSize(ctx context.Context, q db.Q, p *ProductSize) error {
	id, err := insertID(ctx, q, `INSERT INTO product_size (product_variant_id, size_id, ean, upc, size_number, comment, preorder, is_active)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		p.ProductVariantID, p.SizeID, p.EAN, p.UPC, p.SizeNumber, p.Comment, p.Preorder, p.IsActive)
	p.ID = id
	return err
}

// UpdateProductSize writes the data of a product size.
func UpdateProductSize(ctx context.Context, q db.Q, p *ProductSize) error {
	_, err := q.ExecContext(ctx, `UPDATE product_size SET ean = $1, upc = $2, size_number = $3, comment = $4, preorder = $5, is_active = $6 WHERE id = $7`,
		p.EAN, p.UPC, p.SizeNumber, p.Comment, p.Preorder, p.IsActive, p.ID)
	return err
}

// GetProductSize loads one product size.
func GetProductSize(ctx context.Context, q db.Q, id int64) (ProductSize, error) {
	return one(ctx, q, scanProductSize, productSizeSelect+` WHERE ps.id = $1`, id)
}

// ProductSizesByIDs loads product sizes by id.
func ProductSizesByIDs(ctx context.Context, q db.Q, ids []int64) ([]ProductSize, error) {
	return byIDs(ctx, q, scanProductSize, productSizeSelect, "ps.id", ids, "")
}

// ProductSizesByVariantIDs loads the sizes of variants in size-chart order.
func ProductSizesByVariantIDs(ctx context.Context, q db.Q, variantIDs []int64) ([]ProductSize, error) {
	return byIDs(ctx, q, scanProductSize, productSizeSelect, "ps.product_variant_id", variantIDs, " ORDER BY ps.product_variant_id, s.position, ps.id")
}

// ProductSizeOf finds the product size of a variant for a size.
func ProductSizeOf(ctx context.Context, q db.Q, variantID, sizeID int64) (ProductSize, error) {
	return one(ctx, q, scanProductSize, productSizeSelect+` WHERE ps.product_variant_id = $1 AND ps.size_id = $2`, variantID, sizeID)
}
