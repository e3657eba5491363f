package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/seam"
	"seam/internal/store"
)

// CreateInput is a new product picture: exactly one of URL (fetched by
// Seam) or File (uploaded).
type CreateInput struct {
	Product *seam.Ref
	URL     *string
	File    io.Reader
	AltText *string
}

// MaxAltText is the longest alt text kept.
const MaxAltText = 1000

// Create adds a picture to the end of a product's pictures. A file that
// is not a picture Seam takes is a user error on file or url saying why.
func (l *Library) Create(ctx context.Context, d *db.DB, actor seam.Actor, in CreateInput, now time.Time) (m store.ProductMedia, err error) {
	defer func() { err = seam.Wrap(err, "create product media") }()
	var p seam.Problems
	if in.Product == nil {
		p.Add(seam.P("input", "product"), "product is required.")
	}
	src := seam.P("input", "url")
	switch {
	case in.URL != nil && in.File != nil:
		p.Add(seam.P("input"), "Give url or file, not both.")
	case in.URL == nil && in.File == nil:
		p.Add(seam.P("input"), "Give the picture as url (Seam fetches it) or file (a multipart upload).")
	case in.File != nil:
		src = seam.P("input", "file")
	}
	var alt *string
	if in.AltText != nil {
		if s := strings.TrimSpace(*in.AltText); s != "" {
			if n := utf8.RuneCountInString(s); n > MaxAltText {
				p.Add(seam.P("input", "altText"), "altText is %d characters long; the limit is %d.", n, MaxAltText)
			}
			alt = &s
		}
	}
	if err := p.Err(); err != nil {
		return m, err
	}
	productID, err := idconv.Resolve(ctx, d.Read(), actor, "Product", in.Product, seam.P("input", "product"))
	if err != nil {
		return m, err
	}
	var data []byte
	if in.URL != nil {
		data, err = l.fetch(ctx, *in.URL)
	} else {
		data, err = io.ReadAll(io.LimitReader(in.File, MaxBytes+1))
		if err == nil && len(data) > MaxBytes {
			err = bad("The file is over %d bytes (20 MB).", MaxBytes)
		}
	}
	if err == nil {
		var w written
		if w, err = l.write(data); err == nil {
			m = store.ProductMedia{ProductID: productID, Key: w.key, Ext: w.ext, Sizes: w.sizes, Width: w.width, Height: w.height,
				AltText: alt, CreatedAt: now}
		}
	}
	var badFile *BadImageError
	if errors.As(err, &badFile) {
		return m, seam.Invalid(src, "%s", badFile.Reason)
	} else if err != nil {
		return m, err
	}
	if in.URL != nil {
		u := strings.TrimSpace(*in.URL)
		m.SourceURL = &u
	}
	err = d.Tx(ctx, func(tx *db.Tx) error {
		// The product may have gone while the picture was made.
		if _, err := idconv.Resolve(ctx, tx, actor, "Product", in.Product, seam.P("input", "product")); err != nil {
			return err
		}
		if err := store.InsertProductMedia(ctx, tx, &m); err != nil {
			return err
		}
		return event.Change(ctx, tx, actor, nil, event.TypeProduct, productID, event.Updated)
	})
	if err != nil {
		_ = l.remove(m.Key)
	}
	return m, err
}

// Delete removes a picture and its files; it returns the picture's
// product.
func (l *Library) Delete(ctx context.Context, d *db.DB, actor seam.Actor, id int64) (productID int64, err error) {
	defer func() { err = seam.Wrap(err, fmt.Sprintf("delete product media %d", id)) }()
	var m store.ProductMedia
	err = d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		m, err = store.GetProductMedia(ctx, tx, id)
		if errors.Is(err, seam.ErrNotFound) {
			return seam.Invalid(seam.P("id"), "Could not find ProductMedia with ID %d.", id)
		} else if err != nil {
			return err
		}
		if err := store.DeleteProductMedia(ctx, tx, id); err != nil {
			return err
		}
		return event.Change(ctx, tx, actor, nil, event.TypeProduct, m.ProductID, event.Updated)
	})
	if err != nil {
		return 0, err
	}
	// The row is gone: a file left behind by a failed removal is never
	// served from a URL Seam hands out again.
	_ = l.remove(m.Key)
	return m.ProductID, nil
}

// SetOrder puts a product's pictures in the order of ids, which must
// name each of them once.
func SetOrder(ctx context.Context, d *db.DB, actor seam.Actor, product *seam.Ref, ids []int64) (productID int64, err error) {
	defer func() { err = seam.Wrap(err, "set product media order") }()
	err = d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		productID, err = idconv.Resolve(ctx, tx, actor, "Product", product, seam.P("input", "product"))
		if err != nil {
			return err
		}
		have, err := store.MediaOfProducts(ctx, tx, []int64{productID})
		if err != nil {
			return err
		}
		mine := map[int64]bool{}
		for _, m := range have {
			mine[m.ID] = true
		}
		var p seam.Problems
		seen := map[int64]bool{}
		for i, id := range ids {
			path := seam.P("input", "productMedia", fmt.Sprint(i))
			switch {
			case seen[id]:
				p.Add(path, "ProductMedia %d is listed twice.", id)
			case !mine[id]:
				p.Add(path, "ProductMedia %d is not a picture of product %d.", id, productID)
			}
			seen[id] = true
		}
		var missing []string
		for _, m := range have {
			if !seen[m.ID] {
				missing = append(missing, fmt.Sprint(m.ID))
			}
		}
		if len(missing) > 0 {
			p.Add(seam.P("input", "productMedia"), "List every picture of product %d; missing: %s.", productID, strings.Join(missing, ", "))
		}
		if err := p.Err(); err != nil {
			return err
		}
		for i, id := range ids {
			if err := store.SetProductMediaPosition(ctx, tx, id, i); err != nil {
				return err
			}
		}
		return event.Change(ctx, tx, actor, nil, event.TypeProduct, productID, event.Updated)
	})
	return productID, err
}

// URLs are a product's pictures as storefronts read them: for each size
// name, one URL per picture in order. base is prepended to the paths
// ("" leaves them relative to the site).
func URLs(ms []store.ProductMedia, base string) map[string][]string {
	out := map[string][]string{}
	base = strings.TrimRight(base, "/")
	for _, m := range ms {
		for _, s := range m.Sizes {
			out[s] = append(out[s], base+Path(m.Key, s, m.Ext))
		}
	}
	return out
}

// Sorted returns ms ordered by position.
func Sorted(ms []store.ProductMedia) []store.ProductMedia {
	slices.SortStableFunc(ms, func(a, b store.ProductMedia) int { return a.Position - b.Position })
	return ms
}

type baseKey struct{}

// WithBaseURL records the public URL media URLs start with for one
// request (Seam's configured URL, or the request's own scheme and host).
func WithBaseURL(ctx context.Context, base string) context.Context {
	return context.WithValue(ctx, baseKey{}, strings.TrimRight(base, "/"))
}

// BaseURL is the URL WithBaseURL recorded, or "".
func BaseURL(ctx context.Context) string {
	s, _ := ctx.Value(baseKey{}).(string)
	return s
}
