package catalog

import (
	"context"
	"fmt"

	"seam/internal/db"
	"seam/internal/idconv"
	"seam/internal/seam"
	"seam/internal/store"
)

// NamedInput creates a brand, collection or folder.
type NamedInput struct {
	Name       *string
	URI        *string
	Status     *string
	Parent     *seam.Ref
	ExternalID *string
}

// CreateBrand creates a brand; its URI defaults to the slug of its name.
func CreateBrand(ctx context.Context, d *db.DB, actor seam.Actor, in NamedInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		b := store.Brand{Name: text(&p, path.Key("name"), in.Name, "name")}
		b.URI = Slug(b.Name)
		if in.URI != nil && *in.URI != "" {
			b.URI = Slug(*in.URI)
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertBrand(ctx, tx, &b); err != nil {
			return err
		}
		id = b.ID
		return idconv.Assign(ctx, tx, actor, "Brand", b.ID, in.ExternalID, path.Key("externalId"))
	})
	return id, seam.Wrap(err, "create brand")
}

// CreateCollection creates a collection (status ACTIVE unless given).
func CreateCollection(ctx context.Context, d *db.DB, actor seam.Actor, in NamedInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		c := store.Collection{Name: text(&p, path.Key("name"), in.Name, "name"), Status: "ACTIVE"}
		if in.Status != nil {
			c.Status = oneOf(&p, path.Key("status"), in.Status, Statuses, "status")
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertCollection(ctx, tx, &c); err != nil {
			return err
		}
		id = c.ID
		return idconv.Assign(ctx, tx, actor, "Collection", c.ID, in.ExternalID, path.Key("externalId"))
	})
	return id, seam.Wrap(err, "create collection")
}

// CreateFolder creates a folder, optionally below a parent folder.
func CreateFolder(ctx context.Context, d *db.DB, actor seam.Actor, in NamedInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		f := store.Folder{Name: text(&p, path.Key("name"), in.Name, "name")}
		var err error
		if f.ParentID, err = idconv.Optional(ctx, tx, &p, actor, "Folder", in.Parent, path.Key("parent")); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := store.InsertFolder(ctx, tx, &f); err != nil {
			return err
		}
		id = f.ID
		return idconv.Assign(ctx, tx, actor, "Folder", f.ID, in.ExternalID, path.Key("externalId"))
	})
	return id, seam.Wrap(err, "create folder")
}

// CategoryInput creates a category of a store.
type CategoryInput struct {
	Store      *seam.Ref
	Parent     *seam.Ref
	Name       *string
	URI        *string
	Status     *string
	SortOrder  *int
	ExternalID *string
}

// CreateCategory creates a category; its URI defaults to the slug of its
// name and must be unique among its siblings.
func CreateCategory(ctx context.Context, d *db.DB, actor seam.Actor, in CategoryInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		c := store.Category{Name: text(&p, path.Key("name"), in.Name, "name"), Status: "ACTIVE"}
		c.URI = Slug(c.Name)
		if in.Store == nil {
			p.Add(path.Key("store"), "A category needs a store.")
		} else if err := collect(ctx, tx, &p, actor, "Store", in.Store, path.Key("store"), &c.StoreID); err != nil {
			return err
		} else if c.StoreID != 0 && !actor.MayUseStore(c.StoreID) {
			p.Merge(actor.StoreError(path.Key("store"), "it", c.StoreID))
		}
		if err := categoryFields(ctx, tx, &p, actor, path, in, &c); err != nil {
			return err
		}
		if err := store.InsertCategory(ctx, tx, &c); err != nil {
			if db.IsUniqueViolation(err) {
				return seam.Invalid(path.Key("uri"), "A sibling category already has the URI %q.", c.URI)
			}
			return err
		}
		id = c.ID
		return idconv.Assign(ctx, tx, actor, "Category", c.ID, in.ExternalID, path.Key("externalId"))
	})
	return id, seam.Wrap(err, "create category")
}

// UpdateCategory changes a category's name, URI, status, order or parent
// ({} makes it a top category); its store cannot change.
func UpdateCategory(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in CategoryInput) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		if _, err := db.Lock(ctx, tx, "category", id); err != nil {
			return err
		}
		cs, err := store.CategoriesByIDs(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return seam.Invalid(seam.P("id"), "Could not find Category with ID %d.", id)
		}
		c := cs[0]
		var p seam.Problems
		if !actor.MayUseStore(c.StoreID) {
			p.Merge(actor.StoreError(seam.P("id"), fmt.Sprintf("category %d", id), c.StoreID))
		}
		if in.Name != nil {
			c.Name = text(&p, path.Key("name"), in.Name, "name")
		}
		if err := categoryFields(ctx, tx, &p, actor, path, in, &c); err != nil {
			return err
		}
		if err := store.UpdateCategory(ctx, tx, &c); err != nil {
			if db.IsUniqueViolation(err) {
				return seam.Invalid(path.Key("uri"), "A sibling category already has the URI %q.", c.URI)
			}
			return err
		}
		return idconv.Assign(ctx, tx, actor, "Category", c.ID, in.ExternalID, path.Key("externalId"))
	})
	return seam.Wrap(err, fmt.Sprintf("update category %d", id))
}

// categoryFields applies the URI, status, sort order and parent of a
// category input and checks the parent is of the same store and not the
// category itself or below it. It returns input problems as the error.
func categoryFields(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, path seam.Path, in CategoryInput, c *store.Category) error {
	if in.URI != nil && *in.URI != "" {
		c.URI = Slug(*in.URI)
	}
	if in.Status != nil {
		c.Status = oneOf(p, path.Key("status"), in.Status, Statuses, "status")
	}
	if in.SortOrder != nil {
		if *in.SortOrder < -1_000_000_000 || *in.SortOrder > 1_000_000_000 {
			p.Add(path.Key("sortOrder"), "sortOrder must be between -1000000000 and 1000000000, got %d.", *in.SortOrder)
		}
		c.SortOrder = *in.SortOrder
	}
	if in.Parent != nil {
		parent, err := idconv.Clearable(ctx, tx, p, actor, "Category", in.Parent, path.Key("parent"))
		if err != nil {
			return err
		}
		c.ParentID = parent
	}
	if err := p.Err(); err != nil {
		return err
	}
	// Walk up from the parent: it must be in the same store, and the
	// category must not be among its ancestors.
	for next, depth := c.ParentID, 0; next != nil; depth++ {
		if c.ID != 0 && *next == c.ID {
			return seam.Invalid(path.Key("parent"), "Category %d cannot be placed under itself or one of its own subcategories.", c.ID)
		}
		if depth > 100 {
			return seam.Invalid(path.Key("parent"), "The category tree above %d is more than 100 levels deep.", *c.ParentID)
		}
		parents, err := store.CategoriesByIDs(ctx, tx, []int64{*next})
		if err != nil {
			return err
		}
		if len(parents) == 0 {
			break
		}
		if parents[0].StoreID != c.StoreID {
			return seam.Invalid(path.Key("parent"), "Category %d belongs to store %d, not store %d.", parents[0].ID, parents[0].StoreID, c.StoreID)
		}
		next = parents[0].ParentID
	}
	return nil
}
