package productlink

import (
	"context"

	"seam/internal/db"
	"seam/internal/store"
)

// taxStates returns, for each country whose tax depends on the state
// (it has states and a tax rule for one of them, as the United States
// has), its states; a sale there must name one.
func taxStates(ctx context.Context, q db.Q, countries []store.Country) (map[string][]store.State, error) {
	out := map[string][]store.State{}
	for _, c := range countries {
		rules, err := store.TaxRulesByCountry(ctx, q, c.ID)
		if err != nil {
			return nil, err
		}
		byState := false
		for _, r := range rules {
			byState = byState || r.StateID != nil
		}
		if !byState {
			continue
		}
		states, err := store.StatesByCountryIDs(ctx, q, []int64{c.ID})
		if err != nil {
			return nil, err
		}
		if len(states) > 0 {
			out[c.Code] = states
		}
	}
	return out, nil
}
