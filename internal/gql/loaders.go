package gql

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/vikstrous/dataloadgen"

	"seam/internal/attribute"
	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/store"
)

// wait is how long a loader collects keys before it queries. gqlgen resolves
// the fields of list elements concurrently, so siblings arrive within it.
const wait = 500 * time.Microsecond

// byID makes a loader of rows by id.
func byID[V any](q db.Q, fetch func(context.Context, db.Q, []int64) ([]V, error), key func(V) int64) *dataloadgen.Loader[int64, V] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64]V, error) {
		rows, err := fetch(ctx, q, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[int64]V, len(rows))
		for _, r := range rows {
			out[key(r)] = r
		}
		return out, nil
	}, dataloadgen.WithWait(wait))
}

// groupBy makes a loader of the rows that belong to a parent id; a parent
// without rows gets an empty list.
func groupBy[V any](q db.Q, fetch func(context.Context, db.Q, []int64) ([]V, error), key func(V) int64) *dataloadgen.Loader[int64, []V] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []int64) (map[int64][]V, error) {
		rows, err := fetch(ctx, q, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[int64][]V, len(ids))
		for _, id := range ids {
			out[id] = []V{}
		}
		for _, r := range rows {
			out[key(r)] = append(out[key(r)], r)
		}
		return out, nil
	}, dataloadgen.WithWait(wait))
}

// byKey is byID for rows with text ids.
func byKey[V any](q db.Q, fetch func(context.Context, db.Q, []string) ([]V, error), key func(V) string) *dataloadgen.Loader[string, V] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]V, error) {
		rows, err := fetch(ctx, q, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[string]V, len(rows))
		for _, r := range rows {
			out[key(r)] = r
		}
		return out, nil
	}, dataloadgen.WithWait(wait))
}

// groupByKey is groupBy for parents with text ids.
func groupByKey[V any](q db.Q, fetch func(context.Context, db.Q, []string) ([]V, error), key func(V) string) *dataloadgen.Loader[string, []V] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]V, error) {
		rows, err := fetch(ctx, q, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[string][]V, len(ids))
		for _, id := range ids {
			out[id] = []V{}
		}
		for _, r := range rows {
			out[key(r)] = append(out[key(r)], r)
		}
		return out, nil
	}, dataloadgen.WithWait(wait))
}

// extKey names an object for the external id loader.
type extKey struct {
	typ string
	id  int64
}

// loaders batch the reads of one request (or of one mutation's payload).
type loaders struct {
	brand          *dataloadgen.Loader[int64, store.Brand]
	collection     *dataloadgen.Loader[int64, store.Collection]
	folder         *dataloadgen.Loader[int64, store.Folder]
	category       *dataloadgen.Loader[int64, store.Category]
	country        *dataloadgen.Loader[int64, store.Country]
	state          *dataloadgen.Loader[int64, store.State]
	statesOf       *dataloadgen.Loader[int64, []store.State]
	store          *dataloadgen.Loader[int64, store.Store]
	market         *dataloadgen.Loader[int64, store.Market]
	marketsOf      *dataloadgen.Loader[int64, []store.Market]
	marketCountry  *dataloadgen.Loader[int64, []store.IDPair]
	shipping       *dataloadgen.Loader[int64, store.ShippingOption]
	taxGroup       *dataloadgen.Loader[int64, store.TaxGroup]
	sizeChart      *dataloadgen.Loader[int64, store.SizeChart]
	size           *dataloadgen.Loader[int64, store.Size]
	sizesOf        *dataloadgen.Loader[int64, []store.Size]
	product        *dataloadgen.Loader[int64, store.Product]
	variant        *dataloadgen.Loader[int64, store.Variant]
	variantsOf     *dataloadgen.Loader[int64, []store.Variant]
	productSize    *dataloadgen.Loader[int64, store.ProductSize]
	sizesOfVariant *dataloadgen.Loader[int64, []store.ProductSize]
	bundle         *dataloadgen.Loader[int64, store.Bundle]
	bundleOf       *dataloadgen.Loader[int64, []store.Bundle]
	sectionsOf     *dataloadgen.Loader[int64, []store.BundleSection]
	warehouse      *dataloadgen.Loader[int64, store.Warehouse]
	stockOf        *dataloadgen.Loader[int64, []store.StockLevel]
	stockChange    *dataloadgen.Loader[int64, store.StockChange]
	linesOf        *dataloadgen.Loader[int64, []store.StockChangeLine]
	pricelist      *dataloadgen.Loader[int64, store.Pricelist]
	plCountries    *dataloadgen.Loader[int64, []store.IDPair]
	pricesOf       *dataloadgen.Loader[int64, []store.Price]
	alteration     *dataloadgen.Loader[int64, store.PriceAlteration]
	display        *dataloadgen.Loader[int64, store.Display]
	displaysOf     *dataloadgen.Loader[int64, []store.Display]
	displayLinks   map[string]*dataloadgen.Loader[int64, []store.IDPair]
	externalID     *dataloadgen.Loader[extKey, string]
	voucher        *dataloadgen.Loader[int64, store.Voucher]
	voucherActs    *dataloadgen.Loader[int64, []store.VoucherAction]
	voucherMarkets *dataloadgen.Loader[int64, []store.IDPair]
	payMethodsOf   *dataloadgen.Loader[int64, []store.PaymentMethod]
	order          *dataloadgen.Loader[int64, store.Order]
	orderLines     *dataloadgen.Loader[int64, []store.OrderLine]
	allocations    *dataloadgen.Loader[int64, []store.Allocation]
	payments       *dataloadgen.Loader[int64, []store.PaymentEntry]
	customer       *dataloadgen.Loader[int64, store.Customer]
	selection      *dataloadgen.Loader[string, store.Selection]
	selLines       *dataloadgen.Loader[string, []store.SelectionLine]
	selLinks       *dataloadgen.Loader[string, []store.PaymentLink]
	selView        *dataloadgen.Loader[string, checkout.View]
	giftCert       *dataloadgen.Loader[int64, store.GiftCertificate]
	giftAmounts    *dataloadgen.Loader[int64, []store.GiftAmount]
	webhookSub     *dataloadgen.Loader[int64, store.WebhookSubscription]
	orderByHash    *dataloadgen.Loader[string, store.Order]
	paymentLink    *dataloadgen.Loader[int64, store.PaymentLink]
	attributes     *dataloadgen.Loader[extKey, []attribute.Attribute]
	shipment       *dataloadgen.Loader[int64, store.Shipment]
	shipmentsOf    *dataloadgen.Loader[int64, []store.Shipment]
	shipLines      *dataloadgen.Loader[int64, []store.ShipmentLine]
	shipLine       *dataloadgen.Loader[int64, store.ShipmentLine]
	returnsOf      *dataloadgen.Loader[int64, []store.Return]
	returnsOfOrder *dataloadgen.Loader[int64, []store.Return]
	returnLines    *dataloadgen.Loader[int64, []store.ReturnLine]
	returnByID     *dataloadgen.Loader[int64, store.Return]
}

func newLoaders(q db.Q, integration string) *loaders {
	id := func(f func(context.Context, db.Q, []int64) ([]store.IDPair, error)) *dataloadgen.Loader[int64, []store.IDPair] {
		return groupBy(q, f, func(p store.IDPair) int64 { return p.A })
	}
	l := &loaders{
		brand:          byID(q, store.BrandsByIDs, func(v store.Brand) int64 { return v.ID }),
		collection:     byID(q, store.CollectionsByIDs, func(v store.Collection) int64 { return v.ID }),
		folder:         byID(q, store.FoldersByIDs, func(v store.Folder) int64 { return v.ID }),
		category:       byID(q, store.CategoriesByIDs, func(v store.Category) int64 { return v.ID }),
		country:        byID(q, store.CountriesByIDs, func(v store.Country) int64 { return v.ID }),
		state:          byID(q, store.StatesByIDs, func(v store.State) int64 { return v.ID }),
		statesOf:       groupBy(q, store.StatesByCountryIDs, func(v store.State) int64 { return v.CountryID }),
		store:          byID(q, store.StoresByIDs, func(v store.Store) int64 { return v.ID }),
		market:         byID(q, store.MarketsByIDs, func(v store.Market) int64 { return v.ID }),
		marketsOf:      groupBy(q, marketsByStore, func(v store.Market) int64 { return v.StoreID }),
		marketCountry:  id(store.MarketCountries),
		shipping:       byID(q, store.ShippingOptionsByIDs, func(v store.ShippingOption) int64 { return v.ID }),
		taxGroup:       byID(q, store.TaxGroupsByIDs, func(v store.TaxGroup) int64 { return v.ID }),
		sizeChart:      byID(q, store.SizeChartsByIDs, func(v store.SizeChart) int64 { return v.ID }),
		size:           byID(q, store.SizesByIDs, func(v store.Size) int64 { return v.ID }),
		sizesOf:        groupBy(q, store.SizesByChartIDs, func(v store.Size) int64 { return v.SizeChartID }),
		product:        byID(q, store.ProductsByIDs, func(v store.Product) int64 { return v.ID }),
		variant:        byID(q, store.VariantsByIDs, func(v store.Variant) int64 { return v.ID }),
		variantsOf:     groupBy(q, store.VariantsByProductIDs, func(v store.Variant) int64 { return v.ProductID }),
		productSize:    byID(q, store.ProductSizesByIDs, func(v store.ProductSize) int64 { return v.ID }),
		sizesOfVariant: groupBy(q, store.ProductSizesByVariantIDs, func(v store.ProductSize) int64 { return v.ProductVariantID }),
		bundle:         byID(q, store.BundlesByIDs, func(v store.Bundle) int64 { return v.ID }),
		bundleOf:       groupBy(q, store.BundlesByProductIDs, func(v store.Bundle) int64 { return v.ProductID }),
		sectionsOf:     groupBy(q, store.BundleSectionsByBundleIDs, func(v store.BundleSection) int64 { return v.BundleID }),
		warehouse:      byID(q, store.WarehousesByIDs, func(v store.Warehouse) int64 { return v.ID }),
		stockOf:        groupBy(q, store.StockByProductSizeIDs, func(v store.StockLevel) int64 { return v.ProductSizeID }),
		stockChange:    byID(q, store.StockChangesByIDs, func(v store.StockChange) int64 { return v.ID }),
		linesOf:        groupBy(q, store.StockChangeLinesByChangeIDs, func(v store.StockChangeLine) int64 { return v.StockChangeID }),
		pricelist:      byID(q, store.PricelistsByIDs, func(v store.Pricelist) int64 { return v.ID }),
		plCountries:    id(store.PricelistCountries),
		pricesOf:       groupBy(q, pricesByProduct, func(v store.Price) int64 { return v.ProductID }),
		alteration:     byID(q, store.PriceAlterationsByIDs, func(v store.PriceAlteration) int64 { return v.ID }),
		display:        byID(q, store.DisplaysByIDs, func(v store.Display) int64 { return v.ID }),
		displaysOf:     groupBy(q, store.DisplaysByProductIDs, func(v store.Display) int64 { return v.ProductID }),
		displayLinks:   map[string]*dataloadgen.Loader[int64, []store.IDPair]{},
		voucher:        byID(q, store.VouchersByIDs, func(v store.Voucher) int64 { return v.ID }),
		voucherActs:    groupBy(q, store.VoucherActions, func(v store.VoucherAction) int64 { return v.VoucherID }),
		voucherMarkets: id(store.VoucherMarkets),
		payMethodsOf:   groupBy(q, store.PaymentMethodsOfStores, func(v store.PaymentMethod) int64 { return v.StoreID }),
		order:          byID(q, store.OrdersByIDs, func(v store.Order) int64 { return v.ID }),
		orderLines:     groupBy(q, store.OrderLinesByOrderIDs, func(v store.OrderLine) int64 { return v.OrderID }),
		allocations:    groupBy(q, store.AllocationsByLineIDs, func(v store.Allocation) int64 { return v.OrderLineID }),
		payments:       groupBy(q, store.PaymentEntriesByOrderIDs, func(v store.PaymentEntry) int64 { return v.OrderID }),
		customer:       byID(q, store.CustomersByIDs, func(v store.Customer) int64 { return v.ID }),
		selection:      byKey(q, store.SelectionsByIDs, func(v store.Selection) string { return v.ID }),
		selLines:       groupByKey(q, store.LinesOfSelections, func(v store.SelectionLine) string { return v.SelectionID }),
		selLinks:       groupByKey(q, store.PaymentLinksOfSelections, func(v store.PaymentLink) string { return v.SelectionID }),
		giftCert:       byID(q, store.GiftCertificatesByIDs, func(v store.GiftCertificate) int64 { return v.ID }),
		giftAmounts:    groupBy(q, store.GiftAmounts, func(v store.GiftAmount) int64 { return v.GiftCertificateID }),
		webhookSub:     byID(q, store.WebhookSubscriptionsByIDs, func(v store.WebhookSubscription) int64 { return v.ID }),
		orderByHash:    byKey(q, ordersByHash, func(v store.Order) string { return v.Hash }),
		paymentLink:    byID(q, store.PaymentLinksByIDs, func(v store.PaymentLink) int64 { return v.ID }),
		shipment:       byID(q, store.ShipmentsByIDs, func(v store.Shipment) int64 { return v.ID }),
		shipmentsOf:    groupBy(q, store.ShipmentsOfOrders, func(v store.Shipment) int64 { return v.OrderID }),
		shipLines:      groupBy(q, store.ShipmentLinesOf, func(v store.ShipmentLine) int64 { return v.ShipmentID }),
		shipLine:       byID(q, store.ShipmentLinesByIDs, func(v store.ShipmentLine) int64 { return v.ID }),
		returnsOf:      groupBy(q, store.ReturnsOfShipments, func(v store.Return) int64 { return v.ShipmentID }),
		returnsOfOrder: groupBy(q, store.ReturnsOfOrders, func(v store.Return) int64 { return v.OrderID }),
		returnLines:    groupBy(q, store.ReturnLinesOf, func(v store.ReturnLine) int64 { return v.ReturnID }),
		returnByID:     byID(q, store.ReturnsByIDs, func(v store.Return) int64 { return v.ID }),
	}
	views := checkout.New(nil, nil)
	l.selView = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]checkout.View, error) {
		// One selection that cannot be priced (say its total overflows)
		// fails alone, never the list it is in.
		out := make(map[string]checkout.View, len(ids))
		errs := dataloadgen.MappedFetchError[string]{}
		for _, id := range ids {
			v, err := views.ViewIn(ctx, q, id)
			if err != nil {
				errs[id] = err
				continue
			}
			out[id] = v
		}
		if len(errs) > 0 {
			return out, errs
		}
		return out, nil
	}, dataloadgen.WithWait(wait))
	for _, kind := range []string{store.DisplayVariant, store.DisplayMarket, store.DisplayCategory} {
		l.displayLinks[kind] = id(func(ctx context.Context, q db.Q, ids []int64) ([]store.IDPair, error) {
			return store.DisplayLinks(ctx, q, kind, ids)
		})
	}
	l.externalID = dataloadgen.NewMappedLoader(func(ctx context.Context, keys []extKey) (map[extKey]string, error) {
		byType := map[string][]int64{}
		for _, k := range keys {
			byType[k.typ] = append(byType[k.typ], k.id)
		}
		out := map[extKey]string{}
		for typ, ids := range byType {
			m, err := store.ExternalIDs(ctx, q, integration, typ, ids)
			if err != nil {
				return nil, err
			}
			for id, ext := range m {
				out[extKey{typ, id}] = ext
			}
		}
		return out, nil
	}, dataloadgen.WithWait(wait))
	l.attributes = attributesLoader(q)
	return l
}

func marketsByStore(ctx context.Context, q db.Q, ids []int64) ([]store.Market, error) {
	return store.ListMarkets(ctx, q, store.MarketFilter{StoreIDs: ids}, nil, store.Page{})
}

func ordersByHash(ctx context.Context, q db.Q, hashes []string) ([]store.Order, error) {
	return store.ListOrders(ctx, q, store.OrderFilter{Hashes: hashes}, nil, store.Page{})
}

func pricesByProduct(ctx context.Context, q db.Q, ids []int64) ([]store.Price, error) {
	return store.ListPrices(ctx, q, store.PriceFilter{ProductIDs: ids}, store.Page{})
}

// one loads a row that must exist: a missing row behind a foreign key is
// an internal error.
func one[V any](ctx context.Context, l *dataloadgen.Loader[int64, V], id int64) (*V, error) {
	v, err := l.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// maybe loads a row by an optional id; nil and a missing row give nil.
func maybe[V any](ctx context.Context, l *dataloadgen.Loader[int64, V], id *int64) (*V, error) {
	if id == nil {
		return nil, nil
	}
	v, err := l.Load(ctx, *id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// found loads an object a query asked for by id: a missing one is null
// with a not-found error.
func found[V any](ctx context.Context, l *dataloadgen.Loader[int64, V], typ string, id int64) (*V, error) {
	v, err := maybe(ctx, l, &id)
	if err == nil && v == nil {
		return nil, errNotFound(typ, id)
	}
	return v, err
}

func errNotFound(typ string, id int64) error {
	return &notFoundError{typ, id}
}

type notFoundError struct {
	typ string
	id  int64
}

func (e *notFoundError) Error() string {
	return "Could not find " + e.typ + " with ID " + itoa(e.id) + "."
}
func (e *notFoundError) Is(t error) bool { return t == seam.ErrNotFound }

// ptrs turns rows into the pointer slice gqlgen wants.
func ptrs[V any](rows []V) []*V {
	out := make([]*V, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out
}

// all loads every id through a by-id loader, keeping order.
func all[V any](ctx context.Context, l *dataloadgen.Loader[int64, V], ids []int64) ([]*V, error) {
	rows, err := l.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	return ptrs(rows), nil
}

// others loads the B side of link pairs through a by-id loader.
func others[V any](ctx context.Context, links *dataloadgen.Loader[int64, []store.IDPair], l *dataloadgen.Loader[int64, V], id int64) ([]*V, error) {
	pairs, err := links.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(pairs))
	for i, p := range pairs {
		ids[i] = p.B
	}
	return all(ctx, l, ids)
}

// externalID loads the caller's external id of an object.
func externalID(ctx context.Context, typ string, id int64) (*string, error) {
	v, err := loads(ctx).externalID.Load(ctx, extKey{typ, id})
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// byTextIDs loads rows whose ids are kept as text (in JSON lists); rows
// deleted since are left out.
func byTextIDs[V any](ctx context.Context, l *dataloadgen.Loader[int64, V], ids []string) ([]*V, error) {
	thunks := make([]func() (V, error), len(ids))
	for i, s := range ids {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("id %q: %w", s, err)
		}
		thunks[i] = l.LoadThunk(ctx, id)
	}
	out := make([]*V, 0, len(ids))
	for _, t := range thunks {
		v, err := t()
		if errors.Is(err, dataloadgen.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, &v)
	}
	return out, nil
}
