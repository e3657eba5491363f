package pricing

import (
	"context"
	"fmt"
	"time"

	"seam/internal/catalog"
	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/money"
	"seam/internal/seam"
	"seam/internal/store"
)

// PricesInput sets prices in one pricelist (setPrices), or in one pricelist
// of a price alteration (setAlteredPrices).
type PricesInput struct {
	PriceAlteration *seam.Ref
	Pricelist       *seam.Ref
	ProductPrices   []ProductPriceInput
}

// ProductPriceInput is the price of a product and, optionally, of some of
// its variants. With OverrideIndividualVariantPrices the product price
// replaces every variant price of the product in the pricelist.
type ProductPriceInput struct {
	Product                         *seam.Ref
	Price                           *money.Input
	DiscountPrice                   *money.Input
	RecommendedRetailPrice          *money.Input
	OverrideIndividualVariantPrices *bool
	IndividualVariantPrices         []VariantPriceInput
}

// VariantPriceInput is the price of one variant.
type VariantPriceInput struct {
	ProductVariant         *seam.Ref
	Price                  *money.Input
	DiscountPrice          *money.Input
	RecommendedRetailPrice *money.Input
}

// PricesResult names what a price change touched.
type PricesResult struct {
	PriceAlterationIDs []int64
	PricelistIDs       []int64
	ProductIDs         []int64
}

func (r *PricesResult) add(alteration *int64, pricelist int64, products []int64) {
	if alteration != nil && !contains(r.PriceAlterationIDs, *alteration) {
		r.PriceAlterationIDs = append(r.PriceAlterationIDs, *alteration)
	}
	if !contains(r.PricelistIDs, pricelist) {
		r.PricelistIDs = append(r.PricelistIDs, pricelist)
	}
	for _, p := range products {
		if !contains(r.ProductIDs, p) {
			r.ProductIDs = append(r.ProductIDs, p)
		}
	}
}

func contains(list []int64, v int64) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// SetPrices sets prices in pricelists, all or nothing: each input is one
// pricelist (setPrices has one, setPricesBatch several). With altered set,
// every input names a price alteration too and the prices go there.
func SetPrices(ctx context.Context, d *db.DB, actor seam.Actor, in []PricesInput, altered bool, batch bool) (PricesResult, error) {
	var res PricesResult
	err := d.Tx(ctx, func(tx *db.Tx) error {
		res = PricesResult{}
		var p seam.Problems
		changed := map[int64][]int64{}
		for i, pi := range in {
			path := seam.P("input")
			if batch {
				path = path.Index(i)
			}
			alteration, pricelist, products, err := setPrices(ctx, tx, &p, actor, pi, path, altered)
			if err != nil {
				return err
			}
			if pricelist != 0 {
				res.add(alteration, pricelist, products)
				if alteration == nil {
					changed[pricelist] = append(changed[pricelist], products...)
				}
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		return priceEvents(ctx, tx, actor, res.PricelistIDs, changed)
	})
	return res, seam.Wrap(err, "set prices")
}

// priceEvents records a Price event for each product whose prices in a
// pricelist changed, named "<pricelist>:<product>", in pricelist order.
func priceEvents(ctx context.Context, tx *db.Tx, actor seam.Actor, pricelists []int64, changed map[int64][]int64) error {
	for _, plID := range pricelists {
		if len(changed[plID]) == 0 {
			continue
		}
		pl, err := store.GetPricelist(ctx, tx, plID)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, prod := range changed[plID] {
			if seen[prod] {
				continue
			}
			seen[prod] = true
			if _, err := event.Record(ctx, tx, event.Event{StoreID: &pl.StoreID, ObjectType: event.TypePrice, ObjectID: fmt.Sprintf("%d:%d", plID, prod),
				Action: event.Updated, Actor: actor.Name}); err != nil {
				return err
			}
		}
	}
	return nil
}

func setPrices(ctx context.Context, tx *db.Tx, p *seam.Problems, actor seam.Actor, in PricesInput, path seam.Path, altered bool) (*int64, int64, []int64, error) {
	before := len(p.Errors)
	var alteration *store.PriceAlteration
	if altered {
		if in.PriceAlteration == nil {
			p.Add(path.Key("priceAlteration"), "Name the price alteration to set prices in.")
		} else if id, ok, err := idconv.Collect(ctx, tx, p, actor, "PriceAlteration", in.PriceAlteration, path.Key("priceAlteration")); err != nil {
			return nil, 0, nil, err
		} else if ok {
			as, err := store.PriceAlterationsByIDs(ctx, tx, []int64{id})
			if err != nil {
				return nil, 0, nil, err
			}
			alteration = &as[0]
		}
	}
	if in.Pricelist == nil {
		p.Add(path.Key("pricelist"), "Name the pricelist to set prices in.")
		return nil, 0, nil, nil
	}
	plID, ok, err := idconv.Collect(ctx, tx, p, actor, "Pricelist", in.Pricelist, path.Key("pricelist"))
	if !ok {
		return nil, 0, nil, err
	}
	pl, err := store.GetPricelist(ctx, tx, plID)
	if err != nil {
		return nil, 0, nil, err
	}
	if !actor.MayUseStore(pl.StoreID) {
		p.Merge(actor.StoreError(path.Key("pricelist"), fmt.Sprintf("pricelist %d", pl.ID), pl.StoreID))
		return nil, 0, nil, nil
	}
	if alteration != nil && alteration.StoreID != pl.StoreID {
		p.Add(path.Key("pricelist"), "Pricelist %d belongs to store %d, but price alteration %d is for store %d.", pl.ID, pl.StoreID, alteration.ID, alteration.StoreID)
	}
	if len(in.ProductPrices) == 0 {
		p.Add(path.Key("productPrices"), "List at least one product price.")
	}
	conv := func(in *money.Input, path seam.Path) *int64 {
		if in == nil {
			return nil
		}
		a, err := catalog.Amount(path, *in)
		if p.Merge(err) {
			return nil
		}
		if a.Currency != pl.CurrencyCode {
			p.Add(path.Key("currencyIsoCode"), "Pricelist %d is in %s; this price is in %s.", pl.ID, pl.CurrencyCode, a.Currency)
			return nil
		}
		return &a.Minor
	}
	// fill converts the amounts of a price row; the discount is compared
	// with the price only when both are valid.
	fill := func(r *store.Price, price, discount, rrp *money.Input, path seam.Path) {
		v := conv(price, path.Key("price"))
		if v != nil {
			r.Price = *v
		}
		r.Discount = conv(discount, path.Key("discountPrice"))
		r.RRP = conv(rrp, path.Key("recommendedRetailPrice"))
		if v != nil && r.Discount != nil && *r.Discount >= r.Price {
			p.Add(path.Key("discountPrice"), "The discount price must be below the price (%s); got %s.",
				money.New(r.Price, pl.CurrencyCode), money.New(*r.Discount, pl.CurrencyCode))
		}
	}
	type row struct {
		price    store.Price
		override bool
	}
	var rows []row
	var products []int64
	for i, pp := range in.ProductPrices {
		pp := pp
		ppath := path.Key("productPrices").Index(i)
		if pp.Product == nil {
			p.Add(ppath.Key("product"), "Name the product.")
			continue
		}
		prodID, ok, err := idconv.Collect(ctx, tx, p, actor, "Product", pp.Product, ppath.Key("product"))
		if err != nil {
			return nil, 0, nil, err
		} else if !ok {
			continue
		}
		products = append(products, prodID)
		override := pp.OverrideIndividualVariantPrices != nil && *pp.OverrideIndividualVariantPrices
		if pp.Price != nil {
			r := store.Price{PricelistID: pl.ID, ProductID: prodID}
			fill(&r, pp.Price, pp.DiscountPrice, pp.RecommendedRetailPrice, ppath)
			rows = append(rows, row{r, override})
		} else if pp.DiscountPrice != nil || pp.RecommendedRetailPrice != nil {
			p.Add(ppath.Key("price"), "Give the price along with discountPrice or recommendedRetailPrice.")
		}
		for j, vp := range pp.IndividualVariantPrices {
			vpath := ppath.Key("individualVariantPrices").Index(j)
			if vp.ProductVariant == nil || vp.Price == nil {
				p.Add(vpath, "An individual variant price needs productVariant and price.")
				continue
			}
			vid, ok, err := idconv.Collect(ctx, tx, p, actor, "ProductVariant", vp.ProductVariant, vpath.Key("productVariant"))
			if err != nil {
				return nil, 0, nil, err
			} else if !ok {
				continue
			}
			v, err := store.GetVariant(ctx, tx, vid)
			if err != nil {
				return nil, 0, nil, err
			}
			if v.ProductID != prodID {
				p.Add(vpath.Key("productVariant"), "Product variant %d belongs to product %d, not %d.", vid, v.ProductID, prodID)
				continue
			}
			r := store.Price{PricelistID: pl.ID, ProductID: prodID, VariantID: vid}
			fill(&r, vp.Price, vp.DiscountPrice, vp.RecommendedRetailPrice, vpath)
			rows = append(rows, row{r, false})
		}
	}
	if len(p.Errors) > before {
		return nil, 0, nil, nil
	}
	var altID *int64
	if alteration != nil {
		altID = &alteration.ID
	}
	for _, r := range rows {
		if r.override {
			if alteration != nil {
				err = store.DeleteAlteredVariantPrices(ctx, tx, alteration.ID, pl.ID, r.price.ProductID)
			} else {
				err = store.DeleteVariantPrices(ctx, tx, pl.ID, r.price.ProductID)
			}
			if err != nil {
				return nil, 0, nil, err
			}
		}
		if alteration != nil {
			err = store.SetAlteredPrice(ctx, tx, store.AlteredPrice{PriceAlterationID: alteration.ID, Price: r.price})
		} else {
			err = store.SetPrice(ctx, tx, r.price)
		}
		if err != nil {
			return nil, 0, nil, err
		}
	}
	return altID, pl.ID, products, nil
}

// AlterationInput creates or changes a price alteration.
type AlterationInput struct {
	Name       *string
	Status     *string
	Store      *seam.Ref
	StartDate  *time.Time
	EndDate    *time.Time
	ExternalID *string
}

// CreatePriceAlteration creates a price alteration of a wholesale store.
// Only one price alteration of a store can be active.
func CreatePriceAlteration(ctx context.Context, d *db.DB, actor seam.Actor, in AlterationInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		var p seam.Problems
		a := store.PriceAlteration{Status: status(&p, path.Key("status"), in.Status, true)}
		if in.Name == nil || *in.Name == "" {
			p.Add(path.Key("name"), "name must not be empty.")
		} else {
			a.Name = *in.Name
		}
		if in.StartDate == nil {
			p.Add(path.Key("startDate"), "A price alteration needs a startDate.")
		} else {
			a.StartDate = day(*in.StartDate)
		}
		if in.EndDate != nil {
			e := day(*in.EndDate)
			a.EndDate = &e
			if in.StartDate != nil && e.Before(a.StartDate) {
				p.Add(path.Key("endDate"), "endDate is before startDate.")
			}
		}
		if in.Store == nil {
			p.Add(path.Key("store"), "A price alteration needs a store.")
		} else if sid, ok, err := idconv.Collect(ctx, tx, &p, actor, "Store", in.Store, path.Key("store")); err != nil {
			return err
		} else if ok {
			st, err := store.GetStore(ctx, tx, sid)
			if err != nil {
				return err
			}
			if st.Type != store.StoreWholesale {
				p.Add(path.Key("store"), "Price alterations are for wholesale stores; store %d is %s.", st.ID, st.Type)
			}
			if !actor.MayUseStore(sid) {
				p.Merge(actor.StoreError(path.Key("store"), "it", sid))
			}
			a.StoreID = sid
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := oneActive(ctx, tx, a, path); err != nil {
			return err
		}
		if err := store.InsertPriceAlteration(ctx, tx, &a); err != nil {
			return err
		}
		id = a.ID
		return idconv.Assign(ctx, tx, actor, "PriceAlteration", a.ID, in.ExternalID, path.Key("externalId"))
	})
	return id, seam.Wrap(err, "create price alteration")
}

// UpdatePriceAlteration changes a price alteration.
func UpdatePriceAlteration(ctx context.Context, d *db.DB, actor seam.Actor, id int64, in AlterationInput) error {
	err := d.Tx(ctx, func(tx *db.Tx) error {
		path := seam.P("input")
		// Lock the row: the update reads it, changes some fields and writes
		// them all back.
		if _, err := db.Lock(ctx, tx, "price_alteration", id); err != nil {
			return err
		}
		as, err := store.PriceAlterationsByIDs(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return seam.Invalid(seam.P("id"), "Could not find PriceAlteration with ID %d.", id)
		}
		a := as[0]
		var p seam.Problems
		if !actor.MayUseStore(a.StoreID) {
			p.Merge(actor.StoreError(seam.P("id"), fmt.Sprintf("price alteration %d", a.ID), a.StoreID))
		}
		if in.Store != nil {
			p.Add(path.Key("store"), "A price alteration cannot move to another store.")
		}
		if in.Name != nil {
			if *in.Name == "" {
				p.Add(path.Key("name"), "name must not be empty.")
			}
			a.Name = *in.Name
		}
		if in.Status != nil {
			a.Status = status(&p, path.Key("status"), in.Status, true)
		}
		if in.StartDate != nil {
			a.StartDate = day(*in.StartDate)
		}
		if in.EndDate != nil {
			e := day(*in.EndDate)
			a.EndDate = &e
		}
		if a.EndDate != nil && a.EndDate.Before(a.StartDate) {
			p.Add(path.Key("endDate"), "endDate is before startDate.")
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := oneActive(ctx, tx, a, path); err != nil {
			return err
		}
		if err := store.UpdatePriceAlteration(ctx, tx, &a); err != nil {
			return err
		}
		return idconv.Assign(ctx, tx, actor, "PriceAlteration", a.ID, in.ExternalID, path.Key("externalId"))
	})
	return seam.Wrap(err, fmt.Sprintf("update price alteration %d", id))
}

// oneActive refuses a second active price alteration in a store.
func oneActive(ctx context.Context, tx *db.Tx, a store.PriceAlteration, path seam.Path) error {
	if a.Status != "ACTIVE" {
		return nil
	}
	active, err := store.ListPriceAlterations(ctx, tx, nil, []int64{a.StoreID}, []string{"ACTIVE"}, store.Page{})
	if err != nil {
		return err
	}
	for _, o := range active {
		if o.ID != a.ID {
			return seam.Invalid(path.Key("status"), "Store %d already has an active price alteration (%d); a store can have only one.", a.StoreID, o.ID)
		}
	}
	return nil
}

func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
