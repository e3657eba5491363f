package demo

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"time"

	"seam/internal/db"
	"seam/internal/media"
	"seam/internal/seam"
	"seam/internal/store"
)

// Pictures gives every demo product one generated picture (a flat
// colour card with a shape for its category), stored through lib like
// any uploaded picture. Products that have pictures already are skipped.
func Pictures(ctx context.Context, d *db.DB, lib *media.Library) error {
	rows, err := store.ListProducts(ctx, d.Read(), store.ProductFilter{}, nil, store.Page{Limit: 1000})
	if err != nil {
		return fmt.Errorf("demo pictures: %w", err)
	}
	category := map[string]string{}
	for _, p := range products {
		category[p.name] = p.category
	}
	for _, p := range rows {
		cat, ok := category[p.Name]
		if !ok {
			continue
		}
		have, err := store.MediaOfProducts(ctx, d.Read(), []int64{p.ID})
		if err != nil {
			return fmt.Errorf("demo pictures: %w", err)
		}
		if len(have) > 0 {
			continue
		}
		data, err := picture(p.Name, cat)
		if err != nil {
			return fmt.Errorf("demo picture of %s: %w", p.Name, err)
		}
		id := p.ID
		if _, err := lib.Create(ctx, d, Actor, media.CreateInput{Product: &seam.Ref{ID: &id}, File: bytes.NewReader(data), AltText: &p.Name},
			time.Now()); err != nil {
			return fmt.Errorf("demo picture of %s: %w", p.Name, err)
		}
	}
	return nil
}

// picture draws a 240×300 card: a colour from the name, a lighter shape
// by category (a T for tops, two legs for bottoms, a wide T for
// outerwear, a circle for accessories).
func picture(name, category string) ([]byte, error) {
	h := fnv.New32a()
	h.Write([]byte(name))
	v := h.Sum32()
	bg := color.RGBA{uint8(90 + v%120), uint8(90 + (v>>8)%120), uint8(90 + (v>>16)%120), 255}
	fg := color.RGBA{min(255, bg.R+70), min(255, bg.G+70), min(255, bg.B+70), 255}
	const w, hgt = 240, 300
	img := image.NewPaletted(image.Rect(0, 0, w, hgt), color.Palette{bg, fg})
	in := func(x, y int) bool {
		switch category {
		case "Tops", "Outerwear":
			sleeve := 60
			if category == "Outerwear" {
				sleeve = 85
			}
			return (y >= 75 && y < 115 && x >= w/2-sleeve && x < w/2+sleeve) || (y >= 75 && y < 235 && x >= 80 && x < 160)
		case "Bottoms":
			return (y >= 60 && y < 100 && x >= 75 && x < 165) || (y >= 100 && y < 250 && ((x >= 75 && x < 115) || (x >= 125 && x < 165)))
		default:
			dx, dy := x-w/2, y-hgt/2
			return dx*dx+dy*dy < 65*65
		}
	}
	for y := 0; y < hgt; y++ {
		for x := 0; x < w; x++ {
			if in(x, y) {
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	var out bytes.Buffer
	err := png.Encode(&out, img)
	return out.Bytes(), err
}
