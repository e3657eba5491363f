// Package seam holds the core types every other package shares: the closed
// set of error kinds and the user-facing validation error.
package seam

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Error kinds. Wrap them with context (fmt.Errorf("…: %w", seam.ErrNotFound))
// and test with errors.Is. Each adapter maps them to its wire format in one
// place.
var (
	// ErrNotFound means the object asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the input broke a rule; the error usually is a
	// UserErrors naming the field.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict means the request clashes with the current state.
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the caller may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated means the caller's credentials are unknown,
	// revoked or expired.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrSoldOut means stock could not cover the request.
	ErrSoldOut = errors.New("sold out")
	// ErrGone means a one-time thing was used, revoked or expired: a
	// payment link, a gift certificate.
	ErrGone = errors.New("gone")
	// ErrUnavailable means the database could not be had in time (a lock
	// held elsewhere, a busy write lock); nothing was changed, and the
	// same request may be sent again shortly.
	ErrUnavailable = errors.New("unavailable")
)

// Path names the input field an error or warning is about, from the
// argument down: ["input", "productPrices", "0", "price"].
type Path []string

// P builds a Path from its parts.
func P(parts ...string) Path { return Path(parts) }

// Key returns a copy of p extended with field names.
func (p Path) Key(names ...string) Path {
	out := make(Path, len(p), len(p)+len(names))
	copy(out, p)
	return append(out, names...)
}

// Index returns a copy of p extended with a list index.
func (p Path) Index(i int) Path { return p.Key(strconv.Itoa(i)) }

// String joins the path with dots, for logs and messages.
func (p Path) String() string { return strings.Join(p, ".") }

// UserError is a problem with the caller's input, with a sentence a person
// can act on and the path of the field it is about.
type UserError struct {
	Path    Path
	Message string
}

// UserErrors is a list of input problems. As an error it matches ErrInvalid.
type UserErrors []UserError

// Error joins the messages.
func (e UserErrors) Error() string {
	msgs := make([]string, len(e))
	for i, u := range e {
		if len(u.Path) > 0 {
			msgs[i] = u.Path.String() + ": " + u.Message
		} else {
			msgs[i] = u.Message
		}
	}
	return strings.Join(msgs, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true for UserErrors.
func (e UserErrors) Is(target error) bool { return target == ErrInvalid }

// Invalid returns a UserErrors holding one problem.
func Invalid(path Path, format string, args ...any) error {
	return UserErrors{{Path: path, Message: fmt.Sprintf(format, args...)}}
}

// AsUserErrors returns the input problems carried by err, if any.
func AsUserErrors(err error) (UserErrors, bool) {
	var ue UserErrors
	if errors.As(err, &ue) {
		return ue, true
	}
	return nil, false
}

// Problems collects input errors and warnings while an operation checks its
// input, so that a caller learns of every problem at once.
type Problems struct {
	Errors   UserErrors
	Warnings []UserError
}

// Add records an input error.
func (p *Problems) Add(path Path, format string, args ...any) {
	p.Errors = append(p.Errors, UserError{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Warn records a warning: the operation succeeds, but something was
// ignored or adjusted.
func (p *Problems) Warn(path Path, format string, args ...any) {
	p.Warnings = append(p.Warnings, UserError{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Merge adds err to the collected problems when it carries UserErrors and
// reports whether it did; other errors are left to the caller.
func (p *Problems) Merge(err error) bool {
	if ue, ok := AsUserErrors(err); ok {
		p.Errors = append(p.Errors, ue...)
		return true
	}
	return false
}

// Err returns the collected errors as one error, or nil when there are none.
func (p *Problems) Err() error {
	if len(p.Errors) == 0 {
		return nil
	}
	return p.Errors
}

// Actor is who makes a change: an Integration API token (its integration
// name scopes ID conversions) or a person or process named by Name.
type Actor struct {
	// Name is the integration name of the token, or who else acts.
	Name string
	// TokenID is the token's id, 0 for other actors.
	TokenID int64
	// StoreID restricts the actor to one store when set.
	StoreID *int64
}

// MayUseStore reports whether the actor may see and change what belongs to
// store id: always, unless the actor is restricted to another store.
func (a Actor) MayUseStore(id int64) bool { return a.StoreID == nil || *a.StoreID == id }

// StoreError is the input problem of an actor reaching into another store.
func (a Actor) StoreError(path Path, what string, storeID int64) error {
	return Invalid(path, "This token is limited to store %d; %s belongs to store %d.", *a.StoreID, what, storeID)
}

// Ref points at an object by exactly one of its Seam id, the caller's
// external id, or, where the object type has one, its code or name.
type Ref struct {
	ID         *int64
	ExternalID *string
	Code       *string
	Name       *string
}

// IsZero reports whether no field is set.
func (r *Ref) IsZero() bool {
	return r == nil || (r.ID == nil && r.ExternalID == nil && r.Code == nil && r.Name == nil)
}

// ByID returns a Ref to id.
func ByID(id int64) *Ref { return &Ref{ID: &id} }

// Wrap adds the operation to an internal error for logs; input problems
// (UserErrors) pass unchanged so that adapters can show them as they are.
func Wrap(err error, op string) error {
	if err == nil {
		return nil
	}
	if _, ok := AsUserErrors(err); ok {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
