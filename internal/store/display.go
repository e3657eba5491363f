package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
)

// Display presents a product in one store: which variants are shown, in
// which markets and categories, under which URI and texts.
type Display struct {
	ID                       int64
	StoreID                  int64
	ProductID                int64
	Name                     string
	Status                   string
	URI                      string
	MinimumOrderQuantity     *int64
	OrderQuantityDenominator *int64
	Description              *string
	ShortDescription         *string
	MetaTitle                *string
	MetaDescription          *string
	MetaKeywords             *string
	Comment                  *string
	Tags                     []string
	CanonicalCategoryID      *int64
	TaxGroupID               *int64
	CreatedAt                time.Time
	UpdatedAt                time.Time
}

const displaySelect = `SELECT id, store_id, product_id, name, status, uri, minimum_order_quantity, order_quantity_denominator,
	description, short_description, meta_title, meta_description, meta_keywords, comment, tags, canonical_category_id, tax_group_id,
	created_at, updated_at FROM display`

func scanDisplay(s scanner) (Display, error) {
	var d Display
	var moq, denom, canon, tax sql.NullInt64
	var desc, short, mt, md, mk, comment, tags sql.NullString
	if err := s.Scan(&d.ID, &d.StoreID, &d.ProductID, &d.Name, &d.Status, &d.URI, &moq, &denom, &desc, &short, &mt, &md, &mk, &comment,
		&tags, &canon, &tax, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return d, err
	}
	d.MinimumOrderQuantity, d.OrderQuantityDenominator = nullInt(moq), nullInt(denom)
	d.Description, d.ShortDescription, d.MetaTitle = nullString(desc), nullString(short), nullString(mt)
	d.MetaDescription, d.MetaKeywords, d.Comment = nullString(md), nullString(mk), nullString(comment)
	d.CanonicalCategoryID, d.TaxGroupID = nullInt(canon), nullInt(tax)
	var err error
	d.Tags, err = parseList(tags)
	return d, err
}

// InsertDisplay creates a display.
func InsertDisplay(ctx context.Context, q db.Q, d *Display) error {
	if d.Tags == nil {
		d.Tags = []string{}
	}
	id, err := insertID(ctx, q, `INSERT INTO display (store_id, product_id, name, status, uri, minimum_order_quantity, order_quantity_denominator,
		description, short_description, meta_title, meta_description, meta_keywords, comment, tags, canonical_category_id, tax_group_id,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
		d.StoreID, d.ProductID, d.Name, d.Status, d.URI, d.MinimumOrderQuantity, d.OrderQuantityDenominator, d.Description,
		d.ShortDescription, d.MetaTitle, d.MetaDescription, d.MetaKeywords, d.Comment, jsonList(d.Tags), d.CanonicalCategoryID,
		d.TaxGroupID, d.CreatedAt, d.UpdatedAt)
	d.ID = id
	return err
}

// UpdateDisplay writes every field of a display (its store and product
// never change).
func UpdateDisplay(ctx context.Context, q db.Q, d *Display) error {
	if d.Tags == nil {
		d.Tags = []string{}
	}
	_, err := q.ExecContext(ctx, `UPDATE display SET name = $1, status = $2, uri = $3, minimum_order_quantity = $4, order_quantity_denominator = $5,
		description = $6, short_description = $7, meta_title = $8, meta_description = $9, meta_keywords = $10, comment = $11, tags = $12,
		canonical_category_id = $13, tax_group_id = $14, updated_at = $15 WHERE id = $16`,
		d.Name, d.Status, d.URI, d.MinimumOrderQuantity, d.OrderQuantityDenominator, d.Description, d.ShortDescription, d.MetaTitle,
		d.MetaDescription, d.MetaKeywords, d.Comment, jsonList(d.Tags), d.CanonicalCategoryID, d.TaxGroupID, d.UpdatedAt, d.ID)
	return err
}

// GetDisplay loads one display.
func GetDisplay(ctx context.Context, q db.Q, id int64) (Display, error) {
	return one(ctx, q, scanDisplay, displaySelect+` WHERE id = $1`, id)
}

// DisplaysByIDs loads displays by id.
func DisplaysByIDs(ctx context.Context, q db.Q, ids []int64) ([]Display, error) {
	return byIDs(ctx, q, scanDisplay, displaySelect, "id", ids, "")
}

// DisplaysByProductIDs loads the displays of products.
func DisplaysByProductIDs(ctx context.Context, q db.Q, ids []int64) ([]Display, error) {
	return byIDs(ctx, q, scanDisplay, displaySelect, "product_id", ids, " ORDER BY id")
}

// DisplayURITaken reports whether another display of the store uses uri.
func DisplayURITaken(ctx context.Context, q db.Q, storeID int64, uri string, exceptID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM display WHERE store_id = $1 AND uri = $2 AND id <> $3`, storeID, uri, exceptID).Scan(&n)
	return n > 0, err
}

// DisplayFilter narrows a display list.
type DisplayFilter struct {
	IDs        []int64
	StoreIDs   []int64
	ProductIDs []int64
	Statuses   []string
	Name       *StringMatch
	URI        *StringMatch
}

// ListDisplays lists displays.
func ListDisplays(ctx context.Context, q db.Q, f DisplayFilter, sorts []Sort, p Page) ([]Display, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "store_id", f.StoreIDs)
	in(&w, "product_id", f.ProductIDs)
	in(&w, "status", f.Statuses)
	f.Name.apply(&w, "name")
	f.URI.apply(&w, "uri")
	return list(ctx, q, scanDisplay, displaySelect, &w, orderBy(sorts, map[string]string{"id": "id", "name": "name", "createdAt": "created_at", "updatedAt": "updated_at"}, "id"), p)
}

// displayLinks names the link tables of a display.
var displayLinks = map[string]string{
	"variant":  "display_variant (display_id, product_variant_id)",
	"market":   "display_market (display_id, market_id)",
	"category": "display_category (display_id, category_id)",
}

var displayLinkTables = map[string][2]string{
	"variant":  {"display_variant", "product_variant_id"},
	"market":   {"display_market", "market_id"},
	"category": {"display_category", "category_id"},
}

// Display link kinds.
const (
	DisplayVariant  = "variant"
	DisplayMarket   = "market"
	DisplayCategory = "category"
)

// LinkDisplay adds a variant, market or category to a display (idempotent).
func LinkDisplay(ctx context.Context, q db.Q, kind string, displayID, otherID int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO `+displayLinks[kind]+` VALUES ($1, $2) ON CONFLICT DO NOTHING`, displayID, otherID)
	return err
}

// UnlinkDisplay removes a variant, market or category from a display.
func UnlinkDisplay(ctx context.Context, q db.Q, kind string, displayID, otherID int64) error {
	t := displayLinkTables[kind]
	_, err := q.ExecContext(ctx, `DELETE FROM `+t[0]+` WHERE display_id = $1 AND `+t[1]+` = $2`, displayID, otherID)
	return err
}

// DisplayLinks returns (display id, other id) pairs of one link kind.
func DisplayLinks(ctx context.Context, q db.Q, kind string, displayIDs []int64) ([]IDPair, error) {
	t := displayLinkTables[kind]
	return byIDs(ctx, q, scanPair, `SELECT display_id, `+t[1]+` FROM `+t[0], "display_id", displayIDs, " ORDER BY display_id, "+t[1])
}
