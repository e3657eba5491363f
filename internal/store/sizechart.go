package store

import (
	"context"
	"database/sql"
	"time"

	"seam/internal/db"
)

// SizeChart is a set of sizes that variants pick from; a chart with
// vertical labels has a size for every horizontal × vertical pair.
type SizeChart struct {
	ID               int64
	Name             string
	HorizontalLabels []string
	VerticalLabels   []string
	DividerSymbol    string
	CreatedAt        time.Time
}

// Size is one size of a chart.
type Size struct {
	ID              int64
	SizeChartID     int64
	Name            string
	Position        int
	HorizontalLabel string
	VerticalLabel   *string
}

const sizeChartSelect = `SELECT id, name, horizontal_labels, vertical_labels, divider_symbol, created_at FROM size_chart`

func scanSizeChart(s scanner) (SizeChart, error) {
	var c SizeChart
	var h, v sql.NullString
	if err := s.Scan(&c.ID, &c.Name, &h, &v, &c.DividerSymbol, &c.CreatedAt); err != nil {
		return c, err
	}
	var err error
	if c.HorizontalLabels, err = parseList(h); err != nil {
		return c, err
	}
	c.VerticalLabels, err = parseList(v)
	return c, err
}

// InsertSizeChart creates a size chart (not its sizes).
func InsertSizeChart(ctx context.Context, q db.Q, c *SizeChart) error {
	id, err := insertID(ctx, q, `INSERT INTO size_chart (name, horizontal_labels, vertical_labels, divider_symbol, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		c.Name, jsonList(c.HorizontalLabels), jsonList(c.VerticalLabels), c.DividerSymbol, c.CreatedAt)
	c.ID = id
	return err
}

// UpdateSizeChart writes a chart's name, labels and divider.
func UpdateSizeChart(ctx context.Context, q db.Q, c *SizeChart) error {
	_, err := q.ExecContext(ctx, `UPDATE size_chart SET name = $1, horizontal_labels = $2, vertical_labels = $3, divider_symbol = $4 WHERE id = $5`,
		c.Name, jsonList(c.HorizontalLabels), jsonList(c.VerticalLabels), c.DividerSymbol, c.ID)
	return err
}

// GetSizeChart loads one size chart.
func GetSizeChart(ctx context.Context, q db.Q, id int64) (SizeChart, error) {
	return one(ctx, q, scanSizeChart, sizeChartSelect+` WHERE id = $1`, id)
}

// SizeChartsByIDs loads size charts by id.
func SizeChartsByIDs(ctx context.Context, q db.Q, ids []int64) ([]SizeChart, error) {
	return byIDs(ctx, q, scanSizeChart, sizeChartSelect, "id", ids, "")
}

// SizeChartFilter narrows a size chart list.
type SizeChartFilter struct {
	IDs  []int64
	Name *StringMatch
}

// ListSizeCharts lists size charts.
func ListSizeCharts(ctx context.Context, q db.Q, f SizeChartFilter, sorts []Sort, p Page) ([]SizeChart, error) {
	var w where
	in(&w, "id", f.IDs)
	f.Name.apply(&w, "name")
	return list(ctx, q, scanSizeChart, sizeChartSelect, &w, orderBy(sorts, map[string]string{"id": "id", "name": "name"}, "id"), p)
}

const sizeSelect = `SELECT id, size_chart_id, name, position, horizontal_label, vertical_label FROM size`

func scanSize(s scanner) (Size, error) {
	var z Size
	var v sql.NullString
	err := s.Scan(&z.ID, &z.SizeChartID, &z.Name, &z.Position, &z.HorizontalLabel, &v)
	z.VerticalLabel = nullString(v)
	return z, err
}

// InsertSize adds a size to a chart.
func InsertSize(ctx context.Context, q db.Q, z *Size) error {
	id, err := insertID(ctx, q, `INSERT INTO size (size_chart_id, name, position, horizontal_label, vertical_label) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		z.SizeChartID, z.Name, z.Position, z.HorizontalLabel, z.VerticalLabel)
	z.ID = id
	return err
}

// UpdateSizePosition moves a size within its chart.
func UpdateSizePosition(ctx context.Context, q db.Q, id int64, position int) error {
	_, err := q.ExecContext(ctx, `UPDATE size SET position = $1 WHERE id = $2`, position, id)
	return err
}

// SizesByIDs loads sizes by id.
func SizesByIDs(ctx context.Context, q db.Q, ids []int64) ([]Size, error) {
	return byIDs(ctx, q, scanSize, sizeSelect, "id", ids, "")
}

// SizesByChartIDs loads the sizes of charts in chart order.
func SizesByChartIDs(ctx context.Context, q db.Q, chartIDs []int64) ([]Size, error) {
	return byIDs(ctx, q, scanSize, sizeSelect, "size_chart_id", chartIDs, " ORDER BY size_chart_id, position, id")
}

// SizeByName finds a size of a chart by name.
func SizeByName(ctx context.Context, q db.Q, chartID int64, name string) (Size, error) {
	return one(ctx, q, scanSize, sizeSelect+` WHERE size_chart_id = $1 AND name = $2`, chartID, name)
}

// GetSize loads one size.
func GetSize(ctx context.Context, q db.Q, id int64) (Size, error) {
	return one(ctx, q, scanSize, sizeSelect+` WHERE id = $1`, id)
}
