package form

import (
	"encoding/json"
	"net/url"
	"strconv"
)

// priceRows and metaRows are how many rows the product link form offers.
const (
	priceRows = 4
	metaRows  = 5
)

// ProductLink is the "Create payment link" form of a product (seed 002):
// prices per currency, each with an optional lower discount price, use
// once, and metadata key/value rows.
type ProductLink struct {
	Prices   []PriceRow
	UseOnce  bool
	Metadata []MetaRow
	Errors   Errors
}

// PriceRow is one currency's price as typed.
type PriceRow struct{ CurrencyID, Price, Discount string }

// MetaRow is one metadata entry as typed.
type MetaRow struct{ Key, Value string }

// NewProductLink is the empty form.
func NewProductLink() ProductLink {
	return ProductLink{Prices: make([]PriceRow, priceRows), Metadata: make([]MetaRow, metaRows), Errors: Errors{}}
}

// ParseProductLink reads the form.
func ParseProductLink(v url.Values) ProductLink {
	f := ProductLink{UseOnce: v.Get("use_once") != "", Errors: Errors{}}
	cur, price, disc := v["currency"], v["price"], v["discount"]
	for i := 0; i < priceRows; i++ {
		f.Prices = append(f.Prices, PriceRow{CurrencyID: at(cur, i, 12), Price: at(price, i, 24), Discount: at(disc, i, 24)})
	}
	keys, vals := v["meta_key"], v["meta_value"]
	for i := 0; i < metaRows; i++ {
		f.Metadata = append(f.Metadata, MetaRow{Key: at(keys, i, 100), Value: at(vals, i, 1000)})
	}
	return f
}

// MetadataJSON is the metadata rows as the JSON object the domain takes;
// a key given twice is an error on its row.
func (f *ProductLink) MetadataJSON() json.RawMessage {
	m := map[string]string{}
	for i, row := range f.Metadata {
		if row.Key == "" {
			if row.Value != "" {
				f.Errors.Add(metaField(i), "Give the value a key.")
			}
			continue
		}
		if _, dup := m[row.Key]; dup {
			f.Errors.Add(metaField(i), "The key "+row.Key+" is given twice.")
		}
		m[row.Key] = row.Value
	}
	if len(m) == 0 {
		return nil
	}
	b, _ := json.Marshal(m)
	return b
}

func metaField(i int) string { return "metadata." + strconv.Itoa(i) }
