package checkout

import (
	"context"

	"seam/internal/db"
	"seam/internal/store"
)

// Field says whether a storefront shows a checkout field and whether an
// order needs it.
type Field struct {
	Visible  bool
	Required bool
}

// AddressFieldNames are the fields of an address as Centra's Checkout API
// lists them, in order. Seam keeps the first thirteen; the others are
// listed (never visible) because storefronts read every key.
var AddressFieldNames = []string{"email", "firstName", "lastName", "company", "address1", "address2", "zipCode", "city", "state",
	"country", "phoneNumber", "vatNumber", "newsletter", "houseNumber", "houseExtension", "identityNumber"}

// shippingOnly are the address fields a shipping address has no use for.
var shippingOnly = map[string]bool{"vatNumber": true, "newsletter": true, "identityNumber": true}

// AddressFields are the fields of the selection's billing address
// (shipping false) or shipping address (shipping true), by the rules
// orderable applies: a buyer of a gift certificate gives e-mail and name,
// every other buyer a postal address, with a state where the country
// taxes by state (the United States).
func (v View) AddressFields(shipping bool) map[string]Field {
	out := map[string]Field{}
	for i, name := range AddressFieldNames {
		if shipping && shippingOnly[name] {
			continue
		}
		out[name] = Field{Visible: i < 13}
	}
	postal := v.Gift == nil
	required := []string{"firstName", "lastName", "address1", "zipCode", "city", "country"}
	if !shipping {
		required = append(required, "email")
	}
	if !postal {
		// Nothing ships: the code goes to the buyer by e-mail.
		required = []string{"email", "firstName", "lastName"}
		if shipping {
			required = nil
		}
	}
	if postal && v.StateRequired {
		required = append(required, "state")
	}
	for _, name := range required {
		f := out[name]
		f.Required = true
		out[name] = f
	}
	if shipping {
		// The shipping address is optional as a whole: without one the
		// order ships to the billing address.
		for name, f := range out {
			f.Required = false
			out[name] = f
		}
	}
	return out
}

// stateRequired reports whether a country's buyers must name their state:
// it has states and its tax differs by state.
func stateRequired(ctx context.Context, q db.Q, countryID int64) (bool, error) {
	states, err := store.StatesByCountryIDs(ctx, q, []int64{countryID})
	if err != nil || len(states) == 0 {
		return false, err
	}
	rules, err := store.TaxRulesByCountry(ctx, q, countryID)
	if err != nil {
		return false, err
	}
	for _, r := range rules {
		if r.StateID != nil {
			return true, nil
		}
	}
	return false, nil
}
