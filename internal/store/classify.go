package store

import (
	"context"
	"database/sql"

	"seam/internal/db"
)

// Brand is a product's brand.
type Brand struct {
	ID   int64
	Name string
	URI  string
}

const brandSelect = `SELECT id, name, uri FROM brand`

func scanBrand(s scanner) (Brand, error) {
	var b Brand
	err := s.Scan(&b.ID, &b.Name, &b.URI)
	return b, err
}

// InsertBrand creates a brand.
func InsertBrand(ctx context.Context, q db.Q, b *Brand) error {
	id, err := insertID(ctx, q, `INSERT INTO brand (name, uri) VALUES ($1, $2) RETURNING id`, b.Name, b.URI)
	b.ID = id
	return err
}

// BrandsByIDs loads brands by id.
func BrandsByIDs(ctx context.Context, q db.Q, ids []int64) ([]Brand, error) {
	return byIDs(ctx, q, scanBrand, brandSelect, "id", ids, "")
}

// ListBrands lists brands.
func ListBrands(ctx context.Context, q db.Q, ids []int64, name *StringMatch, p Page) ([]Brand, error) {
	var w where
	in(&w, "id", ids)
	name.apply(&w, "name")
	return list(ctx, q, scanBrand, brandSelect, &w, " ORDER BY id", p)
}

// Collection is a season or line a product belongs to ("AW21").
type Collection struct {
	ID     int64
	Name   string
	Status string
}

const collectionSelect = `SELECT id, name, status FROM collection`

func scanCollection(s scanner) (Collection, error) {
	var c Collection
	err := s.Scan(&c.ID, &c.Name, &c.Status)
	return c, err
}

// InsertCollection creates a collection.
func InsertCollection(ctx context.Context, q db.Q, c *Collection) error {
	id, err := insertID(ctx, q, `INSERT INTO collection (name, status) VALUES ($1, $2) RETURNING id`, c.Name, c.Status)
	c.ID = id
	return err
}

// CollectionsByIDs loads collections by id.
func CollectionsByIDs(ctx context.Context, q db.Q, ids []int64) ([]Collection, error) {
	return byIDs(ctx, q, scanCollection, collectionSelect, "id", ids, "")
}

// ListCollections lists collections.
func ListCollections(ctx context.Context, q db.Q, ids []int64, name *StringMatch, p Page) ([]Collection, error) {
	var w where
	in(&w, "id", ids)
	name.apply(&w, "name")
	return list(ctx, q, scanCollection, collectionSelect, &w, " ORDER BY id", p)
}

// Folder is a node of the back-office product tree.
type Folder struct {
	ID       int64
	Name     string
	ParentID *int64
}

const folderSelect = `SELECT id, name, parent_id FROM folder`

func scanFolder(s scanner) (Folder, error) {
	var f Folder
	var parent sql.NullInt64
	err := s.Scan(&f.ID, &f.Name, &parent)
	f.ParentID = nullInt(parent)
	return f, err
}

// InsertFolder creates a folder.
func InsertFolder(ctx context.Context, q db.Q, f *Folder) error {
	id, err := insertID(ctx, q, `INSERT INTO folder (name, parent_id) VALUES ($1, $2) RETURNING id`, f.Name, f.ParentID)
	f.ID = id
	return err
}

// FoldersByIDs loads folders by id.
func FoldersByIDs(ctx context.Context, q db.Q, ids []int64) ([]Folder, error) {
	return byIDs(ctx, q, scanFolder, folderSelect, "id", ids, "")
}

// ListFolders lists folders.
func ListFolders(ctx context.Context, q db.Q, ids []int64, name *StringMatch, p Page) ([]Folder, error) {
	var w where
	in(&w, "id", ids)
	name.apply(&w, "name")
	return list(ctx, q, scanFolder, folderSelect, &w, " ORDER BY id", p)
}

// TaxGroup groups products that are taxed alike.
type TaxGroup struct {
	ID   int64
	Name string
}

const taxGroupSelect = `SELECT id, name FROM tax_group`

func scanTaxGroup(s scanner) (TaxGroup, error) {
	var t TaxGroup
	err := s.Scan(&t.ID, &t.Name)
	return t, err
}

// InsertTaxGroup creates a tax group.
func InsertTaxGroup(ctx context.Context, q db.Q, t *TaxGroup) error {
	id, err := insertID(ctx, q, `INSERT INTO tax_group (name) VALUES ($1) RETURNING id`, t.Name)
	t.ID = id
	return err
}

// TaxGroupsByIDs loads tax groups by id.
func TaxGroupsByIDs(ctx context.Context, q db.Q, ids []int64) ([]TaxGroup, error) {
	return byIDs(ctx, q, scanTaxGroup, taxGroupSelect, "id", ids, "")
}

// TaxRule is the tax rate of a tax group in a country, or in one state of
// it. Rate is a decimal percentage ("25", "8.875").
type TaxRule struct {
	ID         int64
	TaxGroupID int64
	CountryID  int64
	StateID    *int64
	Rate       string
}

// InsertTaxRule creates a tax rule.
func InsertTaxRule(ctx context.Context, q db.Q, t *TaxRule) error {
	id, err := insertID(ctx, q, `INSERT INTO tax_rule (tax_group_id, country_id, state_id, rate) VALUES ($1, $2, $3, $4) RETURNING id`,
		t.TaxGroupID, t.CountryID, t.StateID, t.Rate)
	t.ID = id
	return err
}

// TaxRulesByCountry lists the tax rules of a country.
func TaxRulesByCountry(ctx context.Context, q db.Q, countryID int64) ([]TaxRule, error) {
	return all(ctx, q, func(s scanner) (TaxRule, error) {
		var t TaxRule
		var st sql.NullInt64
		err := s.Scan(&t.ID, &t.TaxGroupID, &t.CountryID, &st, &t.Rate)
		t.StateID = nullInt(st)
		return t, err
	}, `SELECT id, tax_group_id, country_id, state_id, rate FROM tax_rule WHERE country_id = $1 ORDER BY id`, countryID)
}

// Category is a node of a store's category tree that displays belong to.
type Category struct {
	ID        int64
	StoreID   int64
	ParentID  *int64
	Name      string
	URI       string
	Status    string
	SortOrder int
}

const categorySelect = `SELECT id, store_id, parent_id, name, uri, status, sort_order FROM category`

func scanCategory(s scanner) (Category, error) {
	var c Category
	var parent sql.NullInt64
	err := s.Scan(&c.ID, &c.StoreID, &parent, &c.Name, &c.URI, &c.Status, &c.SortOrder)
	c.ParentID = nullInt(parent)
	return c, err
}

// InsertCategory creates a category.
func InsertCategory(ctx context.Context, q db.Q, c *Category) error {
	id, err := insertID(ctx, q, `INSERT INTO category (store_id, parent_id, name, uri, status, sort_order) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		c.StoreID, c.ParentID, c.Name, c.URI, c.Status, c.SortOrder)
	c.ID = id
	return err
}

// UpdateCategory writes a category's fields.
func UpdateCategory(ctx context.Context, q db.Q, c *Category) error {
	_, err := q.ExecContext(ctx, `UPDATE category SET parent_id = $1, name = $2, uri = $3, status = $4, sort_order = $5 WHERE id = $6`,
		c.ParentID, c.Name, c.URI, c.Status, c.SortOrder, c.ID)
	return err
}

// CategoriesByIDs loads categories by id.
func CategoriesByIDs(ctx context.Context, q db.Q, ids []int64) ([]Category, error) {
	return byIDs(ctx, q, scanCategory, categorySelect, "id", ids, "")
}

// ListCategories lists categories.
func ListCategories(ctx context.Context, q db.Q, ids, storeIDs []int64, p Page) ([]Category, error) {
	var w where
	in(&w, "id", ids)
	in(&w, "store_id", storeIDs)
	return list(ctx, q, scanCategory, categorySelect, &w, " ORDER BY sort_order, id", p)
}
