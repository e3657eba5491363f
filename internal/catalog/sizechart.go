package catalog

import (
	"context"
	"fmt"
	"strings"

	"seam/internal/db"
	"seam/internal/idconv"
	"seam/internal/mutant"
	"seam/internal/seam"
	"seam/internal/store"
)

// SizeChartInput creates or changes a size chart. On update, nil fields
// stay as they are.
type SizeChartInput struct {
	Name             *string
	HorizontalLabels []string
	VerticalLabels   []string
	DividerSymbol    *string
	ExternalID       *string
}

// DefaultDivider joins the labels of two-dimensional sizes ("32x34").
const DefaultDivider = "x"

// CreateSizeChart creates a size chart and one size per label (or per pair
// of labels). Each size also gets the external id "<chart name>|<size
// name>" in the actor's ID conversion, so integrations can name sizes; when
// such an id named a size of another chart before, it moves to the new one
// with a warning.
func CreateSizeChart(ctx context.Context, d *db.DB, actor seam.Actor, in SizeChartInput) (int64, []seam.UserError, error) {
	var id int64
	var warnings []seam.UserError
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var p seam.Problems
		path := seam.P("input")
		c := store.SizeChart{
			Name:             text(&p, path.Key("name"), in.Name, "name"),
			HorizontalLabels: labels(&p, path.Key("horizontalLabels"), in.HorizontalLabels, true),
			VerticalLabels:   labels(&p, path.Key("verticalLabels"), in.VerticalLabels, false),
			DividerSymbol:    divider(&p, path.Key("dividerSymbol"), in.DividerSymbol, DefaultDivider),
			CreatedAt:        db.Now(),
		}
		sizes := sizeNames(&p, path, c)
		if err := p.Err(); err != nil {
			return err
		}
		if mutant.On("size-chart-divider") {
			c.DividerSymbol = "/"
		}
		if err := store.InsertSizeChart(ctx, tx, &c); err != nil {
			return err
		}
		id = c.ID
		for i := range sizes {
			sizes[i].Position = i
		}
		if err := store.InsertSizes(ctx, tx, c.ID, sizes); err != nil {
			return err
		}
		var err error
		if warnings, err = sizeIDs(ctx, tx, actor, c.Name, sizes, path.Key("name")); err != nil {
			return err
		}
		return idconv.Assign(ctx, tx, actor, "SizeChart", c.ID, in.ExternalID, path.Key("externalId"))
	})
	return id, warnings, seam.Wrap(err, "create size chart")
}

// sizeIDs gives sizes the external ids "<chart name>|<size name>", warning
// when one of them named a size of another chart until now.
func sizeIDs(ctx context.Context, tx *db.Tx, actor seam.Actor, chart string, sizes []store.Size, path seam.Path) ([]seam.UserError, error) {
	// In batches: a chart of thousands of sizes is a few statements, not
	// three per size.
	var p seam.Problems
	exts := make([]string, len(sizes))
	pairs := make([]store.IDConversion, len(sizes))
	for i, s := range sizes {
		exts[i] = chart + "|" + s.Name
		pairs[i] = store.IDConversion{ExternalID: exts[i], InternalID: s.ID}
	}
	olds, err := store.ExternalsToInternals(ctx, tx, actor.Name, "Size", exts)
	if err != nil {
		return nil, err
	}
	for i, s := range sizes {
		if old, ok := olds[exts[i]]; ok && old != s.ID {
			p.Warn(path, "The external ID %q named size %d of another chart; it now names size %s of this chart.", exts[i], old, s.Name)
		}
	}
	if err := store.SetIDConversions(ctx, tx, actor.Name, "Size", pairs); err != nil {
		return nil, err
	}
	return p.Warnings, nil
}

// UpdateSizeChart renames a chart or changes its labels. New labels add
// sizes; a label whose sizes are activated on a variant cannot be removed.
// Sizes get (or keep) their "<chart name>|<size name>" external ids.
func UpdateSizeChart(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in SizeChartInput) ([]seam.UserError, error) {
	var warnings []seam.UserError
	err := d.Tx(ctx, func(tx *db.Tx) error {
		// Lock the row: the update reads it, changes some fields and writes
		// them all back.
		if _, err := db.Lock(ctx, tx, "size_chart", id); err != nil {
			return err
		}
		c, err := store.GetSizeChart(ctx, tx, id)
		if err != nil {
			return notFound(err, seam.P("id"), "Could not find SizeChart with ID %d.", id)
		}
		var p seam.Problems
		path := seam.P("input")
		if in.Name != nil {
			c.Name = text(&p, path.Key("name"), in.Name, "name")
		}
		if in.HorizontalLabels != nil {
			c.HorizontalLabels = labels(&p, path.Key("horizontalLabels"), in.HorizontalLabels, true)
		}
		if in.VerticalLabels != nil {
			c.VerticalLabels = labels(&p, path.Key("verticalLabels"), in.VerticalLabels, false)
			if len(c.VerticalLabels) == 0 {
				c.VerticalLabels = nil
			}
		}
		if in.DividerSymbol != nil {
			c.DividerSymbol = divider(&p, path.Key("dividerSymbol"), in.DividerSymbol, c.DividerSymbol)
		}
		wanted := sizeNames(&p, path, c)
		if err := p.Err(); err != nil {
			return err
		}
		existing, err := store.SizesByChartIDs(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		byName := map[string]store.Size{}
		for _, s := range existing {
			byName[s.Name] = s
		}
		keep := map[string]bool{}
		var added []store.Size
		for i := range wanted {
			keep[wanted[i].Name] = true
			wanted[i].SizeChartID, wanted[i].Position = id, i
			if old, ok := byName[wanted[i].Name]; ok {
				wanted[i].ID = old.ID
				if old.Position != i {
					if err := store.UpdateSizePosition(ctx, tx, old.ID, i); err != nil {
						return err
					}
				}
				continue
			}
			added = append(added, wanted[i])
		}
		if err := store.InsertSizes(ctx, tx, id, added); err != nil {
			return err
		}
		addedID := map[string]int64{}
		for _, a := range added {
			addedID[a.Name] = a.ID
		}
		for i := range wanted {
			if wanted[i].ID == 0 {
				wanted[i].ID = addedID[wanted[i].Name]
			}
		}
		if warnings, err = sizeIDs(ctx, tx, actor, c.Name, wanted, path.Key("name")); err != nil {
			return err
		}
		for _, s := range existing {
			if keep[s.Name] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM size WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM product_size WHERE size_id = $1)`, s.ID); err != nil {
				return err
			}
			if found, err := store.Exists(ctx, tx, "size", s.ID); err != nil {
				return err
			} else if found {
				p.Add(path.Key("horizontalLabels"), "Size %s is activated on product variants and cannot be removed from the chart.", s.Name)
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.UpdateSizeChart(ctx, tx, &c); err != nil {
			return err
		}
		return idconv.Assign(ctx, tx, actor, "SizeChart", c.ID, in.ExternalID, path.Key("externalId"))
	})
	return warnings, seam.Wrap(err, fmt.Sprintf("update size chart %d", id))
}

// Bounds of a size chart: labels per list, and sizes (horizontal ×
// vertical labels) in all.
const (
	MaxSizeLabels = 1_000
	MaxSizes      = 5_000
)

// labels checks a label list: no empty labels, no label twice, at most
// MaxSizeLabels.
func labels(p *seam.Problems, path seam.Path, in []string, required bool) []string {
	if len(in) == 0 {
		if required {
			p.Add(path, "A size chart needs at least one size label.")
		}
		return nil
	}
	if len(in) > MaxSizeLabels {
		p.Add(path, "A size chart has at most %d labels of each kind, got %d.", MaxSizeLabels, len(in))
		return nil
	}
	seen := map[string]int{}
	out := make([]string, 0, len(in))
	for i, l := range in {
		l = strings.TrimSpace(l)
		if l == "" {
			p.Add(path.Index(i), "Size labels must not be empty.")
			continue
		}
		if j, dup := seen[l]; dup {
			p.Add(path.Index(i), "Size label %q appears twice (positions %d and %d); size names must be unique in a chart.", l, j, i)
			continue
		}
		seen[l] = i
		out = append(out, l)
	}
	return out
}

func divider(p *seam.Problems, path seam.Path, in *string, def string) string {
	if in == nil {
		return def
	}
	d := strings.TrimSpace(*in)
	if d == "" || len(d) > 5 {
		p.Add(path, "dividerSymbol must be 1 to 5 characters, got %q.", *in)
	}
	return d
}

// sizeNames lists the sizes of a chart: one per horizontal label, or one per
// horizontal × vertical pair joined by the divider. A name that two pairs
// make is reported at the vertical label of the second pair.
func sizeNames(p *seam.Problems, path seam.Path, c store.SizeChart) []store.Size {
	if n := len(c.HorizontalLabels) * max(1, len(c.VerticalLabels)); n > MaxSizes {
		p.Add(path.Key("verticalLabels"), "A size chart has at most %d sizes; %d horizontal × %d vertical labels make %d.",
			MaxSizes, len(c.HorizontalLabels), len(c.VerticalLabels), n)
		return nil
	}
	var out []store.Size
	seen := map[string]store.Size{}
	for _, h := range c.HorizontalLabels {
		if len(c.VerticalLabels) == 0 {
			out = append(out, store.Size{Name: h, HorizontalLabel: h})
			continue
		}
		for j, v := range c.VerticalLabels {
			v := v
			name := h + c.DividerSymbol + v
			if first, dup := seen[name]; dup {
				p.Add(path.Key("verticalLabels").Index(j), "Size name %q would appear twice: %q + %q + %q and %q + %q + %q; choose labels or a dividerSymbol that keep size names unique.",
					name, first.HorizontalLabel, c.DividerSymbol, *first.VerticalLabel, h, c.DividerSymbol, v)
			}
			s := store.Size{Name: name, HorizontalLabel: h, VerticalLabel: &v}
			seen[name] = s
			out = append(out, s)
		}
	}
	return out
}
