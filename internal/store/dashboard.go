package store

import (
	"context"
	"time"

	"seam/internal/db"
)

// Sales are the orders and their grand total in one currency.
type Sales struct {
	Currency string
	Orders   int64
	Total    int64
}

// SalesSince sums the orders (cancelled ones left out) placed since since,
// per currency.
func SalesSince(ctx context.Context, q db.Q, since time.Time) ([]Sales, error) {
	return all(ctx, q, func(s scanner) (Sales, error) {
		var x Sales
		err := s.Scan(&x.Currency, &x.Orders, &x.Total)
		return x, err
	}, `SELECT currency, COUNT(*), COALESCE(SUM(grand_total_minor), 0) FROM orders WHERE created_at >= $1 AND status <> $2
		GROUP BY currency ORDER BY currency`, db.Time(since), OrderCancelled)
}

// Counts are the dashboard's figures of things waiting for someone.
type Counts struct {
	PendingOrders        int64
	OpenLinkSelections   int64
	FailingSubscriptions int64
}

// DashboardCounts counts orders waiting for confirmation, selections with
// an active payment link and failing webhook subscriptions.
func DashboardCounts(ctx context.Context, q db.Q, now time.Time) (Counts, error) {
	var c Counts
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM orders WHERE status = $1),
		(SELECT COUNT(DISTINCT selection_id) FROM payment_link WHERE used_at IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)),
		(SELECT COUNT(*) FROM webhook_subscription WHERE status = $3)`, OrderPending, db.Time(now), SubscriptionFailing).
		Scan(&c.PendingOrders, &c.OpenLinkSelections, &c.FailingSubscriptions)
	return c, err
}
