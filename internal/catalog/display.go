package catalog

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/seam"
	"seam/internal/store"
)

// DisplayInput creates or changes a display. On update, nil fields stay as
// they are and the add/remove lists change the links.
type DisplayInput struct {
	Store                    *seam.Ref
	Product                  *seam.Ref
	Name                     *string
	Status                   *string
	URI                      *string
	MinimumOrderQuantity     *int
	OrderQuantityDenominator *int
	Description              *string
	ShortDescription         *string
	MetaTitle                *string
	MetaDescription          *string
	MetaKeywords             *string
	Comment                  *string
	Tags                     []string
	CanonicalCategory        *seam.Ref
	AddCategories            []seam.Ref
	RemoveCategories         []seam.Ref
	AddMarkets               []seam.Ref
	RemoveMarkets            []seam.Ref
	AddProductVariants       []DisplayVariantInput
	RemoveProductVariants    []seam.Ref
	TaxGroup                 *seam.Ref
	ExternalID               *string
}

// MaxOrderQuantity bounds minimumOrderQuantity and orderQuantityDenominator.
const MaxOrderQuantity = 1_000_000

// DisplayVariantInput adds a variant to a display.
type DisplayVariantInput struct {
	ProductVariant *seam.Ref
}

// CreateDisplay creates a display of a product in a store.
func CreateDisplay(ctx context.Context, d *db.DB, actor seam.Actor, in DisplayInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		now := db.Now()
		disp := store.Display{
			Name:      text(&p, path.Key("name"), in.Name, "name"),
			Status:    oneOf(&p, path.Key("status"), in.Status, Statuses, "status"),
			CreatedAt: now, UpdatedAt: now,
		}
		if in.Store == nil {
			p.Add(path.Key("store"), "A display needs a store.")
		} else if err := collect(ctx, tx, &p, actor, "Store", in.Store, path.Key("store"), &disp.StoreID); err != nil {
			return err
		}
		if in.Product == nil {
			p.Add(path.Key("product"), "A display needs a product.")
		} else if err := collect(ctx, tx, &p, actor, "Product", in.Product, path.Key("product"), &disp.ProductID); err != nil {
			return err
		}
		if disp.StoreID != 0 && !actor.MayUseStore(disp.StoreID) {
			p.Merge(actor.StoreError(path.Key("store"), "it", disp.StoreID))
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := displayFields(ctx, tx, &p, actor, in, path, &disp); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertDisplay(ctx, tx, &disp); err != nil {
			return err
		}
		if err := event.Change(ctx, tx, actor, &disp.StoreID, event.TypeDisplay, disp.ID, event.Created); err != nil {
			return err
		}
		id = disp.ID
		if err := displayLinks(ctx, tx, actor, in, path, disp); err != nil {
			return err
		}
		return idconv.Assign(ctx, tx, actor, "Display", disp.ID, in.ExternalID, path.Key("externalId"))
	})
	return id, seam.Wrap(err, "create display")
}

// UpdateDisplay changes a display.
func UpdateDisplay(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in DisplayInput) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		// Lock the row: the update reads it, changes some fields and writes
		// them all back.
		if _, err := db.Lock(ctx, tx, "display", id); err != nil {
			return err
		}
		disp, err := store.GetDisplay(ctx, tx, id)
		if err != nil {
			return notFound(err, seam.P("id"), "Could not find Display with ID %d.", id)
		}
		path := seam.P("input")
		var p seam.Problems
		if in.Store != nil || in.Product != nil {
			p.Add(path, "A display's store and product cannot change; create another display instead.")
		}
		if !actor.MayUseStore(disp.StoreID) {
			p.Merge(actor.StoreError(seam.P("id"), fmt.Sprintf("display %d", disp.ID), disp.StoreID))
		}
		if in.Name != nil {
			disp.Name = text(&p, path.Key("name"), in.Name, "name")
		}
		if in.Status != nil {
			disp.Status = oneOf(&p, path.Key("status"), in.Status, Statuses, "status")
		}
		if err := displayFields(ctx, tx, &p, actor, in, path, &disp); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		disp.UpdatedAt = db.Now()
		if err := store.UpdateDisplay(ctx, tx, &disp); err != nil {
			return err
		}
		if err := event.Change(ctx, tx, actor, &disp.StoreID, event.TypeDisplay, disp.ID, event.Updated); err != nil {
			return err
		}
		if err := displayLinks(ctx, tx, actor, in, path, disp); err != nil {
			return err
		}
		return idconv.Assign(ctx, tx, actor, "Display", disp.ID, in.ExternalID, path.Key("externalId"))
	})
	return seam.Wrap(err, fmt.Sprintf("update display %d", id))
}

func displayFields(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, in DisplayInput, path seam.Path, disp *store.Display) error {
	positive := func(v *int, field string) *int64 {
		if v == nil {
			return nil
		}
		if *v < 1 || *v > MaxOrderQuantity {
			p.Add(path.Key(field), "%s must be between 1 and %d, got %d.", field, MaxOrderQuantity, *v)
		}
		n := int64(*v)
		return &n
	}
	if in.MinimumOrderQuantity != nil {
		disp.MinimumOrderQuantity = positive(in.MinimumOrderQuantity, "minimumOrderQuantity")
	}
	if in.OrderQuantityDenominator != nil {
		disp.OrderQuantityDenominator = positive(in.OrderQuantityDenominator, "orderQuantityDenominator")
	}
	for field, pair := range map[string][2]**string{
		"description": {&disp.Description, &in.Description}, "shortDescription": {&disp.ShortDescription, &in.ShortDescription},
		"metaTitle": {&disp.MetaTitle, &in.MetaTitle}, "metaDescription": {&disp.MetaDescription, &in.MetaDescription},
		"metaKeywords": {&disp.MetaKeywords, &in.MetaKeywords}, "comment": {&disp.Comment, &in.Comment},
	} {
		if *pair[1] != nil {
			*pair[0] = optText(p, path.Key(field), *pair[1], field)
		}
	}
	if in.Tags != nil {
		disp.Tags = disp.Tags[:0]
		for i, t := range in.Tags {
			t = strings.TrimSpace(t)
			if t == "" {
				p.Add(path.Key("tags").Index(i), "Tags must not be empty.")
				continue
			}
			disp.Tags = append(disp.Tags, t)
		}
	}
	var err error
	if in.CanonicalCategory != nil {
		if disp.CanonicalCategoryID, err = idconv.Clearable(ctx, tx, p, actor, "Category", in.CanonicalCategory, path.Key("canonicalCategory")); err != nil {
			return err
		}
		if disp.CanonicalCategoryID != nil {
			if err := sameStore(ctx, tx, p, "Category", *disp.CanonicalCategoryID, disp.StoreID, path.Key("canonicalCategory")); err != nil {
				return err
			}
		}
	}
	if in.TaxGroup != nil {
		if disp.TaxGroupID, err = idconv.Clearable(ctx, tx, p, actor, "TaxGroup", in.TaxGroup, path.Key("taxGroup")); err != nil {
			return err
		}
	}
	if in.URI != nil || disp.URI == "" {
		uri := disp.Name
		if in.URI != nil && strings.TrimSpace(*in.URI) != "" {
			uri = *in.URI
		}
		if disp.URI, err = uniqueURI(ctx, tx, disp.StoreID, Slug(uri), disp.ID, in.URI != nil && strings.TrimSpace(*in.URI) != "", p, path.Key("uri")); err != nil {
			return err
		}
	}
	return nil
}

// displayLinks applies the add/remove lists of a display input.
func displayLinks(ctx context.Context, tx *db.Tx, actor seam.Actor, in DisplayInput, path seam.Path, disp store.Display) error {
	var p seam.Problems
	for i, v := range in.AddProductVariants {
		vp := path.Key("addProductVariants").Index(i).Key("productVariant")
		var vid int64
		if err := collect(ctx, tx, &p, actor, "ProductVariant", v.ProductVariant, vp, &vid); err != nil {
			return err
		}
		if vid == 0 {
			continue
		}
		variant, err := store.GetVariant(ctx, tx, vid)
		if err != nil {
			return err
		}
		if variant.ProductID != disp.ProductID {
			p.Add(vp, "Product variant %d belongs to product %d; a display can only show variants of its own product (%d).", vid, variant.ProductID, disp.ProductID)
			continue
		}
		if err := store.LinkDisplay(ctx, tx, store.DisplayVariant, disp.ID, vid); err != nil {
			return err
		}
	}
	type link struct {
		kind, typ, field string
		refs             []seam.Ref
		add              bool
	}
	for _, l := range []link{
		{store.DisplayVariant, "ProductVariant", "removeProductVariants", in.RemoveProductVariants, false},
		{store.DisplayMarket, "Market", "addMarkets", in.AddMarkets, true},
		{store.DisplayMarket, "Market", "removeMarkets", in.RemoveMarkets, false},
		{store.DisplayCategory, "Category", "addCategories", in.AddCategories, true},
		{store.DisplayCategory, "Category", "removeCategories", in.RemoveCategories, false},
	} {
		for i := range l.refs {
			var oid int64
			if err := collect(ctx, tx, &p, actor, l.typ, &l.refs[i], path.Key(l.field).Index(i), &oid); err != nil {
				return err
			}
			if oid == 0 {
				continue
			}
			if l.add && l.kind != store.DisplayVariant {
				if err := sameStore(ctx, tx, &p, l.typ, oid, disp.StoreID, path.Key(l.field).Index(i)); err != nil {
					return err
				}
			}
			var err error
			if l.add {
				err = store.LinkDisplay(ctx, tx, l.kind, disp.ID, oid)
			} else {
				err = store.UnlinkDisplay(ctx, tx, l.kind, disp.ID, oid)
			}
			if err != nil {
				return err
			}
		}
	}
	return p.Err()
}

// sameStore checks that a market or category belongs to the display's
// store.
func sameStore(ctx context.Context, q db.Q, p *seam.Problems, typ string, id, storeID int64, path seam.Path) error {
	var owner int64
	switch typ {
	case "Market":
		ms, err := store.MarketsByIDs(ctx, q, []int64{id})
		if err != nil || len(ms) == 0 {
			return err
		}
		owner = ms[0].StoreID
	case "Category":
		cs, err := store.CategoriesByIDs(ctx, q, []int64{id})
		if err != nil || len(cs) == 0 {
			return err
		}
		owner = cs[0].StoreID
	default:
		return nil
	}
	if owner != storeID {
		p.Add(path, "%s %d belongs to store %d, not to the display's store %d.", typ, id, owner, storeID)
	}
	return nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slug turns a name into a URI segment: "New display!" → "new-display".
func Slug(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if r < 0x300 || r > 0x36f { // drop combining accents
			b.WriteRune(r)
		}
	}
	slug := strings.Trim(nonSlug.ReplaceAllString(b.String(), "-"), "-")
	if slug == "" {
		slug = "display"
	}
	return slug
}

// uniqueURI returns uri, or uri-2, uri-3 … when another display of the
// store has it. A URI the caller chose explicitly is never renamed: a clash
// is an error.
func uniqueURI(ctx context.Context, q db.Q, storeID int64, uri string, exceptID int64, explicit bool, p *seam.Problems, path seam.Path) (string, error) {
	candidate := uri
	for n := 2; ; n++ {
		taken, err := store.DisplayURITaken(ctx, q, storeID, candidate, exceptID)
		if err != nil {
			return "", err
		}
		if !taken {
			return candidate, nil
		}
		if explicit {
			p.Add(path, "Another display of store %d already has the URI %q.", storeID, candidate)
			return candidate, nil
		}
		candidate = uri + "-" + strconv.Itoa(n)
	}
}
