package store

import (
	"context"
	"fmt"
	"strings"

	"seam/internal/db"
)

// batchRows is how many rows one multi-row statement writes or names: few
// enough round trips that a chart of thousands of sizes is a few dozen
// statements, and few enough parameters per statement that SQLite, which
// looks each $N up in a list, does not spend its time there.
const batchRows = 200

// placeholders returns "($n+1, …, $n+width), …" for rows rows.
func placeholders(n, rows, width int) string {
	var b strings.Builder
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range width {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", n+r*width+c+1)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// paramList returns "$n+1, …, $n+count".
func paramList(n, count int) string {
	var b strings.Builder
	for i := range count {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", n+i+1)
	}
	return b.String()
}

// InsertSizes inserts new sizes of one chart in batches and sets their ids.
func InsertSizes(ctx context.Context, q db.Q, chartID int64, sizes []Size) error {
	for start := 0; start < len(sizes); start += batchRows {
		part := sizes[start:min(start+batchRows, len(sizes))]
		args := make([]any, 0, 5*len(part))
		for _, z := range part {
			args = append(args, chartID, z.Name, z.Position, z.HorizontalLabel, z.VerticalLabel)
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO size (size_chart_id, name, position, horizontal_label, vertical_label) VALUES `+
			placeholders(0, len(part), 5), args...); err != nil {
			return err
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT id, name FROM size WHERE size_chart_id = $1`, chartID)
	if err != nil {
		return err
	}
	defer rows.Close()
	ids := map[string]int64{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		ids[name] = id
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range sizes {
		sizes[i].SizeChartID = chartID
		if sizes[i].ID == 0 {
			sizes[i].ID = ids[sizes[i].Name]
		}
	}
	return nil
}

// ExternalsToInternals maps many external ids of an integration and object
// type at once; unknown ones are missing from the map.
func ExternalsToInternals(ctx context.Context, q db.Q, integration, objectType string, externalIDs []string) (map[string]int64, error) {
	out := map[string]int64{}
	for start := 0; start < len(externalIDs); start += batchRows {
		part := externalIDs[start:min(start+batchRows, len(externalIDs))]
		args := []any{integration, objectType}
		for _, e := range part {
			args = append(args, e)
		}
		rows, err := q.QueryContext(ctx, `SELECT external_id, internal_id FROM id_conversion WHERE integration = $1 AND object_type = $2 AND external_id IN (`+
			paramList(2, len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var ext string
			var id int64
			if err := rows.Scan(&ext, &id); err != nil {
				rows.Close()
				return nil, err
			}
			out[ext] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SetIDConversions is SetIDConversion for many pairs of one integration and
// object type, in batches: earlier entries for either id are replaced.
func SetIDConversions(ctx context.Context, q db.Q, integration, objectType string, pairs []IDConversion) error {
	for start := 0; start < len(pairs); start += batchRows {
		part := pairs[start:min(start+batchRows, len(pairs))]
		args := []any{integration, objectType}
		for _, p := range part {
			args = append(args, p.ExternalID)
		}
		for _, p := range part {
			args = append(args, p.InternalID)
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM id_conversion WHERE integration = $1 AND object_type = $2 AND (external_id IN (`+
			paramList(2, len(part))+`) OR internal_id IN (`+paramList(2+len(part), len(part))+`))`, args...); err != nil {
			return err
		}
		args = args[:0]
		for _, p := range part {
			args = append(args, integration, objectType, p.ExternalID, p.InternalID)
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO id_conversion (integration, object_type, external_id, internal_id) VALUES `+
			placeholders(0, len(part), 4), args...); err != nil {
			return err
		}
	}
	return nil
}
