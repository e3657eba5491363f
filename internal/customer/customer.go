// Package customer holds a store's shoppers. Orders of shoppers who were
// not logged in make (or reuse) an unregistered customer per e-mail
// address; registered customers have a password. A store may have one of
// each for an address, as Centra does: they are never merged.
package customer

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/idconv"
	"seam/internal/seam"
	"seam/internal/store"
)

// ObjectType is the events feed's and the attribute API's name for
// customers.
const ObjectType = "Customer"

// Guest returns the id of the store's unregistered customer with an e-mail
// address, making it when there is none, inside tx (an order's
// transaction). Names that are given and differ replace the stored ones.
// It records the customer's CREATED or UPDATED event, by actor.
func Guest(ctx context.Context, tx *db.Tx, actor string, storeID int64, email, firstName, lastName string) (int64, error) {
	c, err := store.CustomerByEmail(ctx, tx, storeID, email, false)
	switch {
	case errors.Is(err, seam.ErrNotFound):
		now := db.Now()
		c = store.Customer{StoreID: storeID, Email: email, FirstName: firstName, LastName: lastName, CreatedAt: now, UpdatedAt: now}
		made, err := store.InsertCustomer(ctx, tx, &c, nil)
		if err != nil {
			return 0, fmt.Errorf("make customer %s: %w", store.NormalEmail(email), err)
		}
		if made {
			return c.ID, record(ctx, tx, c, event.Created, actor, map[string]any{"email": c.Email, "registered": false})
		}
		// Another transaction made it since we looked (PostgreSQL waits
		// for it to commit before DO NOTHING); take that one.
		if c, err = store.CustomerByEmail(ctx, tx, storeID, email, false); err != nil {
			return 0, fmt.Errorf("customer %s: %w", store.NormalEmail(email), err)
		}
	case err != nil:
		return 0, fmt.Errorf("customer %s: %w", store.NormalEmail(email), err)
	}
	changed, err := store.RenameCustomer(ctx, tx, c.ID, firstName, lastName, db.Now())
	if err != nil || !changed {
		return c.ID, err
	}
	return c.ID, record(ctx, tx, c, event.Updated, actor, map[string]any{"firstName": firstName, "lastName": lastName})
}

// CreateInput makes a registered customer (createCustomer).
type CreateInput struct {
	Store     *seam.Ref
	Email     *string
	Password  *string
	FirstName *string
	LastName  *string
}

// MinPasswordLength is the shortest password a registered customer may
// have.
const MinPasswordLength = 8

// Create makes a registered customer. The password is kept only as a
// salted PBKDF2-SHA256 hash.
func Create(ctx context.Context, d *db.DB, actor seam.Actor, in CreateInput) (int64, error) {
	var id int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var p seam.Problems
		path := seam.P("input")
		c := store.Customer{Registered: true, CreatedAt: db.Now()}
		c.UpdatedAt = c.CreatedAt
		if in.Store == nil {
			p.Add(path.Key("store"), "A customer needs a store.")
		} else if sid, ok, err := idconv.Collect(ctx, tx, &p, actor, "Store", in.Store, path.Key("store")); err != nil {
			return err
		} else if ok && !actor.MayUseStore(sid) {
			p.Merge(actor.StoreError(path.Key("store"), "it", sid))
		} else if ok {
			c.StoreID = sid
		}
		if in.Email == nil || !validEmail(strings.TrimSpace(*in.Email)) {
			p.Add(path.Key("email"), "Give the customer's e-mail address, like name@example.com.")
		} else {
			c.Email = *in.Email
		}
		if in.Password == nil || utf8.RuneCountInString(*in.Password) < MinPasswordLength {
			p.Add(path.Key("password"), "A password needs at least %d characters.", MinPasswordLength)
		}
		if in.FirstName != nil {
			c.FirstName = strings.TrimSpace(*in.FirstName)
		}
		if in.LastName != nil {
			c.LastName = strings.TrimSpace(*in.LastName)
		}
		if err := p.Err(); err != nil {
			return err
		}
		hash, err := hashPassword(*in.Password)
		if err != nil {
			return err
		}
		made, err := store.InsertCustomer(ctx, tx, &c, &hash)
		if err != nil {
			return err
		}
		if !made {
			return seam.Invalid(path.Key("email"), "Store %d already has a registered customer with the e-mail address %s.", c.StoreID, c.Email)
		}
		id = c.ID
		return record(ctx, tx, c, event.Created, actor.Name, map[string]any{"email": c.Email, "registered": true})
	})
	return id, seam.Wrap(err, "create customer")
}

// Touched records that a change to what belongs to a customer (its
// attributes) happened in tx: updated_at moves and an UPDATED event with
// payload is written.
func Touched(ctx context.Context, tx *db.Tx, c store.Customer, actor string, payload any) error {
	if err := store.TouchCustomer(ctx, tx, c.ID, db.Now()); err != nil {
		return err
	}
	return record(ctx, tx, c, event.Updated, actor, payload)
}

func record(ctx context.Context, tx *db.Tx, c store.Customer, action, actor string, payload any) error {
	_, err := event.Record(ctx, tx, event.Event{StoreID: &c.StoreID, ObjectType: ObjectType, ObjectID: strconv.FormatInt(c.ID, 10),
		Action: action, Actor: actor, Payload: payload})
	return err
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// pbkdf2Iterations follows OWASP's 2023 advice for PBKDF2-HMAC-SHA256.
const pbkdf2Iterations = 600_000

// hashPassword returns "pbkdf2-sha256$<iterations>$<salt>$<key>" with
// base64 (raw, standard) salt and key.
func hashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	enc := base64.RawStdEncoding
	return "pbkdf2-sha256$" + strconv.Itoa(pbkdf2Iterations) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key), nil
}
