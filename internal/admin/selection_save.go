package admin

import (
	"net/http"
	"strconv"
	"strings"

	"seam/internal/admin/form"
	"seam/internal/money"
	"seam/internal/paylink"
	"seam/internal/seam"
	"seam/internal/store"
)

// selectionSave handles every button of the selection form: Search and
// Add re-render it, Remove drops a line, Save (step 3 of seed 000) creates
// the selection through paylink.CreateSelection, as createSelection of
// the Integration API does, and goes on to its Checkout.
func (h *Handler) selectionSave(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		h.render(w, r, http.StatusRequestEntityTooLarge, "error_404", "Too large", "", nil)
		return
	}
	f := form.ParseSelection(r.PostForm)
	if f.Action != "save" {
		h.selectionForm(w, r, http.StatusOK, f)
		return
	}
	qs := f.Check()
	if !f.Errors.Empty() {
		h.selectionForm(w, r, http.StatusBadRequest, f)
		return
	}
	in := paylink.SelectionInput{Store: seam.ByID(f.StoreID), Market: seam.ByID(f.MarketID), Pricelist: seam.ByID(f.PricelistID)}
	if f.CountryID != 0 {
		in.Country = seam.ByID(f.CountryID)
	}
	if f.CustomerID != 0 {
		in.Customer = &paylink.CustomerInput{ID: &f.CustomerID}
	} else {
		in.Customer = &paylink.CustomerInput{Email: &f.Email, FirstName: &f.FirstName, LastName: &f.LastName}
	}
	var currency string
	if pl, err := store.GetPricelist(r.Context(), h.cfg.DB.Read(), f.PricelistID); err == nil {
		currency = pl.CurrencyCode
	}
	for i, l := range f.Lines {
		item := l.Item
		li := paylink.LineInput{Item: &item, Quantity: qs[i]}
		if p := strings.TrimSpace(l.UnitPrice); p != "" {
			a, err := money.Parse(strings.ReplaceAll(p, ",", "."), currency)
			if err != nil {
				f.Errors.Add(form.LineField(i, "unitPrice"), "Give the special unit price as a number in "+currency+", such as 1250.00, or leave it empty.")
				continue
			}
			li.UnitPrice = &money.Input{Value: money.NumberOf(a.Decimal()), CurrencyIsoCode: currency}
		}
		in.Lines = append(in.Lines, li)
	}
	if !f.Errors.Empty() {
		h.selectionForm(w, r, http.StatusBadRequest, f)
		return
	}
	id, err := paylink.CreateSelection(r.Context(), h.cfg.DB, actorOf(r), in)
	if err != nil {
		ue, ok := seam.AsUserErrors(err)
		if !ok {
			h.fail(w, r, err)
			return
		}
		for _, e := range ue {
			f.Errors.Add(selectionField(e.Path), e.Message)
		}
		h.selectionForm(w, r, http.StatusBadRequest, f)
		return
	}
	redirect(w, r, Prefix+"/selections/"+id, "Selection saved. Check it, then press Link to make a payment link.")
}

// selectionField maps a domain input path (input.lines.2.unitPrice.value)
// to the form's field name (lines.2.unitPrice).
func selectionField(p seam.Path) string {
	if len(p) > 0 && p[0] == "input" {
		p = p[1:]
	}
	if len(p) >= 3 && p[0] == "lines" {
		if _, err := strconv.Atoi(p[1]); err == nil {
			name := p[2]
			if name == "item" || name == "productSize" {
				name = "quantity"
			}
			return "lines." + p[1] + "." + name
		}
	}
	if len(p) >= 1 && p[0] == "customer" {
		return "email"
	}
	if len(p) == 0 {
		return "lines"
	}
	return p[0]
}
