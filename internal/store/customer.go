package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"seam/internal/db"
)

// Customer is a shopper of a store, known by e-mail address. A store has at
// most one registered and one unregistered (guest) customer per address.
type Customer struct {
	ID        int64
	StoreID   int64
	Email     string
	FirstName string
	LastName  string
	// Registered customers have a password; unregistered ones were made
	// by orders of shoppers who were not logged in.
	Registered bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const customerSelect = `SELECT id, store_id, email, first_name, last_name, registered, created_at, updated_at FROM customer`

func scanCustomer(s scanner) (Customer, error) {
	var c Customer
	err := s.Scan(&c.ID, &c.StoreID, &c.Email, &c.FirstName, &c.LastName, &c.Registered, &c.CreatedAt, &c.UpdatedAt)
	return c, err
}

// NormalEmail is the form customer e-mail addresses are kept and compared
// in: trimmed, lower case.
func NormalEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// UpsertCustomer returns the id of the store's unregistered customer with
// an e-mail address (compared in lower case), making it if needed and
// taking the names given when they are not empty; one statement, safe under
// races. It does not say whether it made the customer: domain code uses
// customer.Guest, which does and records the event.
func UpsertCustomer(ctx context.Context, q db.Q, c Customer) (int64, error) {
	return insertID(ctx, q, `INSERT INTO customer (store_id, email, first_name, last_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (store_id, email, registered) DO UPDATE SET
			first_name = CASE WHEN excluded.first_name = '' THEN customer.first_name ELSE excluded.first_name END,
			last_name = CASE WHEN excluded.last_name = '' THEN customer.last_name ELSE excluded.last_name END,
			updated_at = excluded.updated_at
		RETURNING id`, c.StoreID, NormalEmail(c.Email), c.FirstName, c.LastName, db.Time(c.UpdatedAt))
}

// InsertCustomer adds a customer unless the store already has one with the
// address and registration; it sets c.ID and reports whether it added one.
// The address is stored as NormalEmail.
func InsertCustomer(ctx context.Context, q db.Q, c *Customer, passwordHash *string) (bool, error) {
	c.Email = NormalEmail(c.Email)
	err := q.QueryRowContext(ctx, `INSERT INTO customer (store_id, email, first_name, last_name, registered, password_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (store_id, email, registered) DO NOTHING RETURNING id`,
		c.StoreID, c.Email, c.FirstName, c.LastName, c.Registered, passwordHash, db.Time(c.CreatedAt)).Scan(&c.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// CustomerByEmail finds the store's registered or unregistered customer
// with an address; seam.ErrNotFound when there is none.
func CustomerByEmail(ctx context.Context, q db.Q, storeID int64, email string, registered bool) (Customer, error) {
	return one(ctx, q, scanCustomer, customerSelect+` WHERE store_id = $1 AND email = $2 AND registered = $3`, storeID, NormalEmail(email), registered)
}

// RenameCustomer sets the names that are not empty and differ from the
// stored ones; it reports whether anything changed.
func RenameCustomer(ctx context.Context, q db.Q, id int64, first, last string, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE customer SET
			first_name = CASE WHEN $2 = '' THEN first_name ELSE $2 END,
			last_name = CASE WHEN $3 = '' THEN last_name ELSE $3 END,
			updated_at = $4
		WHERE id = $1 AND (($2 <> '' AND first_name <> $2) OR ($3 <> '' AND last_name <> $3))`, id, first, last, db.Time(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// TouchCustomer sets a customer's updated_at.
func TouchCustomer(ctx context.Context, q db.Q, id int64, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE customer SET updated_at = $2 WHERE id = $1`, id, db.Time(at))
	return err
}

// CustomersByIDs loads customers by id.
func CustomersByIDs(ctx context.Context, q db.Q, ids []int64) ([]Customer, error) {
	return byIDs(ctx, q, scanCustomer, customerSelect, "id", ids, "")
}

// CustomerFilter narrows a customer list. Email matches are on the stored
// lower-case address.
type CustomerFilter struct {
	IDs        []int64
	StoreIDs   []int64
	Email      *StringMatch
	Registered *bool
}

// ListCustomers lists customers.
func ListCustomers(ctx context.Context, q db.Q, f CustomerFilter, sorts []Sort, p Page) ([]Customer, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "store_id", f.StoreIDs)
	if f.Email != nil {
		m := *f.Email
		if m.Equals != nil {
			e := NormalEmail(*m.Equals)
			m.Equals = &e
		}
		m.apply(&w, "email")
	}
	if f.Registered != nil {
		w.add("registered = ?", *f.Registered)
	}
	return list(ctx, q, scanCustomer, customerSelect, &w, orderBy(sorts, map[string]string{"id": "id", "email": "email", "createdAt": "created_at"}, "id"), p)
}
