package store

import (
	"context"
	"strings"
	"time"

	"seam/internal/db"
)

// Customer is a shopper of a store, known by e-mail address.
type Customer struct {
	ID        int64
	StoreID   int64
	Email     string
	FirstName string
	LastName  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// UpsertCustomer returns the id of the store's customer with an e-mail
// address (compared in lower case), making it if needed and taking the
// names given when they are not empty; one statement, safe under races.
func UpsertCustomer(ctx context.Context, q db.Q, c Customer) (int64, error) {
	return insertID(ctx, q, `INSERT INTO customer (store_id, email, first_name, last_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (store_id, email) DO UPDATE SET
			first_name = CASE WHEN excluded.first_name = '' THEN customer.first_name ELSE excluded.first_name END,
			last_name = CASE WHEN excluded.last_name = '' THEN customer.last_name ELSE excluded.last_name END,
			updated_at = excluded.updated_at
		RETURNING id`, c.StoreID, strings.ToLower(strings.TrimSpace(c.Email)), c.FirstName, c.LastName, db.Time(c.UpdatedAt))
}

// CustomersByIDs loads customers by id.
func CustomersByIDs(ctx context.Context, q db.Q, ids []int64) ([]Customer, error) {
	return byIDs(ctx, q, func(s scanner) (Customer, error) {
		var c Customer
		err := s.Scan(&c.ID, &c.StoreID, &c.Email, &c.FirstName, &c.LastName, &c.CreatedAt, &c.UpdatedAt)
		return c, err
	}, `SELECT id, store_id, email, first_name, last_name, created_at, updated_at FROM customer`, "id", ids, "")
}
