package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"seam/internal/db"
)

// ProductMedia is one picture of a product, stored once in every named
// size it lists; Position orders a product's pictures (0 first).
type ProductMedia struct {
	ID        int64
	ProductID int64
	Position  int
	// Key names the picture's files: media/<Key>/<size>.<Ext>.
	Key string
	Ext string
	// Sizes are the named sizes made of it ("mini", "standard", "full").
	Sizes     []string
	Width     int
	Height    int
	SourceURL *string
	AltText   *string
	CreatedAt time.Time
}

const mediaSelect = `SELECT id, product_id, position, file_key, ext, sizes, width, height, source_url, alt_text, created_at FROM product_media`

func scanMedia(s scanner) (ProductMedia, error) {
	var m ProductMedia
	var sizes string
	var src, alt sql.NullString
	err := s.Scan(&m.ID, &m.ProductID, &m.Position, &m.Key, &m.Ext, &sizes, &m.Width, &m.Height, &src, &alt, &m.CreatedAt)
	m.Sizes = strings.Split(sizes, ",")
	m.SourceURL, m.AltText = nullString(src), nullString(alt)
	return m, err
}

// InsertProductMedia adds a picture after the product's others.
func InsertProductMedia(ctx context.Context, q db.Q, m *ProductMedia) error {
	err := q.QueryRowContext(ctx, `INSERT INTO product_media (product_id, position, file_key, ext, sizes, width, height, source_url, alt_text, created_at)
		VALUES ($1, (SELECT COALESCE(MAX(position) + 1, 0) FROM product_media WHERE product_id = $1), $2, $3, $4, $5, $6, $7, $8, $9)
		RETURNING id, position`, m.ProductID, m.Key, m.Ext, strings.Join(m.Sizes, ","), m.Width, m.Height, m.SourceURL, m.AltText,
		db.Time(m.CreatedAt)).Scan(&m.ID, &m.Position)
	return err
}

// GetProductMedia loads one picture; seam.ErrNotFound when there is none.
func GetProductMedia(ctx context.Context, q db.Q, id int64) (ProductMedia, error) {
	return one(ctx, q, scanMedia, mediaSelect+` WHERE id = $1`, id)
}

// DeleteProductMedia removes a picture's row.
func DeleteProductMedia(ctx context.Context, q db.Q, id int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM product_media WHERE id = $1`, id)
	return err
}

// SetProductMediaPosition moves a picture.
func SetProductMediaPosition(ctx context.Context, q db.Q, id int64, position int) error {
	_, err := q.ExecContext(ctx, `UPDATE product_media SET position = $2 WHERE id = $1`, id, position)
	return err
}

// MediaOfProducts lists the pictures of products, each product's in
// order.
func MediaOfProducts(ctx context.Context, q db.Q, productIDs []int64) ([]ProductMedia, error) {
	return byIDs(ctx, q, scanMedia, mediaSelect, "product_id", productIDs, " ORDER BY product_id, position, id")
}

// MediaKeyInUse reports whether a picture has the key, for the file
// sweeper.
func MediaKeyInUse(ctx context.Context, q db.Q, key string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM product_media WHERE file_key = $1`, key).Scan(&n)
	return n > 0, err
}
