package admin

import (
	"net/http"
	"time"

	"seam/internal/money"
	"seam/internal/store"
)

type salesRow struct {
	Orders int64
	Total  money.Amount
}

type dashboard struct {
	Today, Month []salesRow
	Counts       store.Counts
}

// dashboardShow is the first page after sign-in: today's and this
// month's orders and revenue per currency, and what waits for someone.
func (h *Handler) dashboardShow(w http.ResponseWriter, r *http.Request) {
	ctx, q := r.Context(), h.cfg.DB.Read()
	now := h.cfg.Now().UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var d dashboard
	for _, x := range []struct {
		since time.Time
		into  *[]salesRow
	}{{day, &d.Today}, {month, &d.Month}} {
		sales, err := store.SalesSince(ctx, q, x.since)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, s := range sales {
			*x.into = append(*x.into, salesRow{Orders: s.Orders, Total: money.New(s.Total, s.Currency)})
		}
	}
	var err error
	if d.Counts, err = store.DashboardCounts(ctx, q, now); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "dashboard", "Dashboard", "dashboard", d)
}
