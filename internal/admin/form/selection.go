package form

import (
	"net/url"
	"strconv"
	"strings"

	"seam/internal/checkout"
)

// MaxLines is the most lines the selection form carries.
const MaxLines = 200

// Selection is the "Create selection" form: where the selection sells
// (store, market, pricelist, country), for whom, its lines, and a product
// search.
type Selection struct {
	StoreID, MarketID, PricelistID, CountryID int64
	CustomerID                                int64
	Email, FirstName, LastName                string
	Query                                     string
	Lines                                     []Line
	// Action is the button pressed: search, add, remove, save.
	Action string
	// Remove is the index of the line whose Remove button was pressed.
	Remove int
	Errors Errors
}

// Line is a selection line as typed: an item ("<display item>-<size>"),
// its label, a quantity and an optional special unit price in the
// pricelist's currency ("1250.00").
type Line struct {
	Item, Label, Quantity, UnitPrice string
}

// ParseSelection reads the form. Lines whose Add quantity was typed in
// the search results are appended when the Add button was pressed.
func ParseSelection(v url.Values) Selection {
	f := Selection{StoreID: id(v.Get("store")), MarketID: id(v.Get("market")), PricelistID: id(v.Get("pricelist")), CountryID: id(v.Get("country")),
		CustomerID: id(v.Get("customer")), Email: value(v.Get("email"), 254), FirstName: value(v.Get("first_name"), 100),
		LastName: value(v.Get("last_name"), 100), Query: value(v.Get("q"), 100), Action: value(v.Get("action"), 16), Errors: Errors{}}
	items, labels, qty, prices := v["line_item"], v["line_label"], v["line_qty"], v["line_price"]
	for i := 0; i < len(items) && i < MaxLines; i++ {
		f.Lines = append(f.Lines, Line{Item: value(items[i], 40), Label: at(labels, i, 300), Quantity: at(qty, i, 12), UnitPrice: at(prices, i, 24)})
	}
	if strings.HasPrefix(f.Action, "remove-") {
		if n, err := strconv.Atoi(strings.TrimPrefix(f.Action, "remove-")); err == nil && n >= 0 && n < len(f.Lines) {
			f.Lines = append(f.Lines[:n], f.Lines[n+1:]...)
		}
		f.Action = "remove"
	}
	if f.Action == "add" {
		for _, item := range v["add_item"] {
			item = value(item, 40)
			q := value(v.Get("add_qty_"+item), 12)
			if q == "" || q == "0" {
				continue
			}
			if _, _, ok := checkout.ParseItem(item); !ok {
				continue
			}
			merged := false
			for i := range f.Lines {
				if f.Lines[i].Item == item {
					a, _ := strconv.ParseInt(f.Lines[i].Quantity, 10, 64)
					b, _ := strconv.ParseInt(q, 10, 64)
					f.Lines[i].Quantity = strconv.FormatInt(a+b, 10)
					merged = true
				}
			}
			if !merged && len(f.Lines) < MaxLines {
				f.Lines = append(f.Lines, Line{Item: item, Label: value(v.Get("add_label_"+item), 300), Quantity: q})
			}
		}
	}
	return f
}

// Check reads what the domain cannot: quantities that are not whole
// numbers. It returns the quantities.
func (f *Selection) Check() []int64 {
	if f.StoreID == 0 {
		f.Errors.Add("store", "Choose a store.")
	}
	if f.MarketID == 0 {
		f.Errors.Add("market", "Choose a market.")
	}
	if f.PricelistID == 0 {
		f.Errors.Add("pricelist", "Choose a pricelist.")
	}
	if f.CustomerID == 0 && f.Email == "" {
		f.Errors.Add("email", "Enter the customer's e-mail address.")
	}
	if len(f.Lines) == 0 {
		f.Errors.Add("lines", "Add at least one product: search, type a quantity, press Add.")
	}
	qs := make([]int64, len(f.Lines))
	for i, l := range f.Lines {
		n, err := strconv.ParseInt(l.Quantity, 10, 64)
		if err != nil || n < 1 || n > checkout.MaxQuantity {
			f.Errors.Add(LineField(i, "quantity"), "A quantity is a whole number from 1 to "+strconv.Itoa(checkout.MaxQuantity)+".")
		}
		qs[i] = n
	}
	return qs
}

// LineField names the error field of a line's input.
func LineField(i int, name string) string { return "lines." + strconv.Itoa(i) + "." + name }

func at(list []string, i, max int) string {
	if i < len(list) {
		return value(list[i], max)
	}
	return ""
}
