// Package adminuser holds the operators of the back office: their
// accounts and roles, signing in with a password (argon2id, throttled in
// database rows), and their sessions (database rows, so that every serve
// process shares them).
package adminuser

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/store"
)

// Roles. An Administrator may do everything; Staff do sales and
// fulfilment work but not settings, tokens or users.
const (
	Administrator = "ADMINISTRATOR"
	Staff         = "STAFF"
)

// RoleName is how a page shows a role.
func RoleName(role string) string {
	switch role {
	case Administrator:
		return "Administrator"
	case Staff:
		return "Staff"
	}
	return role
}

// ParseRole reads a role as a person types it: administrator, admin,
// staff, in any case.
func ParseRole(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "administrator", "admin":
		return Administrator, true
	case "staff":
		return Staff, true
	}
	return "", false
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// maxPasswordLength bounds the work of hashing what a form sends.
const maxPasswordLength = 256

// NewUser is an operator to create.
type NewUser struct {
	Email    string
	Name     string
	Role     string
	Password string
}

// Create makes an operator. Input problems come back as seam.UserErrors
// naming the field (email, name, role, password).
func Create(ctx context.Context, d *db.DB, actor string, in NewUser) (store.AdminUser, error) {
	var p seam.Problems
	email := normalEmail(in.Email)
	if !validEmail(email) {
		p.Add(seam.P("email"), "Enter an e-mail address such as anna@example.com.")
	}
	name := strings.TrimSpace(in.Name)
	if len(name) > 200 {
		p.Add(seam.P("name"), "A name is at most 200 characters.")
	}
	if in.Role != Administrator && in.Role != Staff {
		p.Add(seam.P("role"), "Choose Administrator or Staff.")
	}
	checkPassword(&p, in.Password)
	if err := p.Err(); err != nil {
		return store.AdminUser{}, err
	}
	u := store.AdminUser{Email: email, Name: name, Role: in.Role, PasswordHash: HashPassword(in.Password), CreatedAt: db.Now()}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := store.AdminUserByEmail(ctx, tx, email); err == nil {
			return seam.Invalid(seam.P("email"), "There is already an admin user %s.", email)
		} else if !errors.Is(err, seam.ErrNotFound) {
			return err
		}
		if err := store.InsertAdminUser(ctx, tx, &u); err != nil {
			if db.IsUniqueViolation(err) {
				return seam.Invalid(seam.P("email"), "There is already an admin user %s.", email)
			}
			return err
		}
		return Audit(ctx, tx, actor, "CREATE", "AdminUser", fmt.Sprint(u.ID), fmt.Sprintf("created %s as %s", email, RoleName(in.Role)))
	})
	return u, seam.Wrap(err, "create admin user")
}

// Change is an edit of an operator by an Administrator; nil fields stay.
type Change struct {
	Role     *string
	Disabled *bool
}

// Update changes an operator's role or disables (or enables) them. A
// disabled operator's sessions end at once. The last enabled
// Administrator cannot be demoted or disabled.
func Update(ctx context.Context, d *db.DB, actor string, id int64, c Change) (store.AdminUser, error) {
	var u store.AdminUser
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if u, err = store.AdminUserByID(ctx, tx, id); errors.Is(err, seam.ErrNotFound) {
			return seam.Invalid(seam.P("id"), "There is no admin user %d.", id)
		} else if err != nil {
			return err
		}
		var changes []string
		if c.Role != nil && *c.Role != u.Role {
			if *c.Role != Administrator && *c.Role != Staff {
				return seam.Invalid(seam.P("role"), "Choose Administrator or Staff.")
			}
			changes = append(changes, "role "+RoleName(*c.Role))
			u.Role = *c.Role
		}
		if c.Disabled != nil && *c.Disabled != (u.DisabledAt != nil) {
			if *c.Disabled {
				now := db.Now()
				u.DisabledAt = &now
				changes = append(changes, "disabled")
			} else {
				u.DisabledAt = nil
				changes = append(changes, "enabled")
			}
		}
		if len(changes) == 0 {
			return nil
		}
		if err := store.UpdateAdminUser(ctx, tx, u); err != nil {
			return err
		}
		if n, err := enabledAdministrators(ctx, tx); err != nil {
			return err
		} else if n == 0 {
			return seam.Invalid(seam.P("role"), "%s is the last enabled Administrator; make another one first.", u.Email)
		}
		if u.DisabledAt != nil {
			if err := store.DeleteAdminSessionsOf(ctx, tx, u.ID); err != nil {
				return err
			}
		}
		return Audit(ctx, tx, actor, "UPDATE", "AdminUser", fmt.Sprint(u.ID), u.Email+": "+strings.Join(changes, ", "))
	})
	return u, seam.Wrap(err, fmt.Sprintf("update admin user %d", id))
}

func enabledAdministrators(ctx context.Context, q db.Q) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM admin_user WHERE role = $1 AND disabled_at IS NULL`, Administrator).Scan(&n)
	return n, err
}

// EnsureFirst creates an Administrator admin@localhost with a generated
// password when there is no operator yet, and returns the login; created
// is false (and nothing changes) when an operator exists.
func EnsureFirst(ctx context.Context, d *db.DB) (email, password string, created bool, err error) {
	n, err := store.CountAdminUsers(ctx, d.Read())
	if err != nil || n > 0 {
		return "", "", false, err
	}
	password = GeneratePassword()
	u, err := Create(ctx, d, "seam serve", NewUser{Email: "admin@localhost", Name: "Administrator", Role: Administrator, Password: password})
	if errors.Is(err, seam.ErrInvalid) {
		// Another process made it first.
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	return u.Email, password, true, nil
}

// List lists the operators by e-mail address.
func List(ctx context.Context, q db.Q) ([]store.AdminUser, error) {
	return store.ListAdminUsers(ctx, q, 1000)
}

// Audit writes an entry of the audit log in the caller's transaction: who
// (an operator's e-mail address or a token's name) did what to which
// object. Summaries never hold secrets.
func Audit(ctx context.Context, tx *db.Tx, actor, action, objectType, objectID, summary string) error {
	a := store.Audit{Actor: actor, Action: action, ObjectType: objectType, ObjectID: objectID, CreatedAt: db.Now()}
	if summary != "" {
		a.Detail = &summary
	}
	return store.InsertAudit(ctx, tx, a)
}

func checkPassword(p *seam.Problems, pw string) {
	switch {
	case len(pw) < MinPasswordLength:
		p.Add(seam.P("password"), "A password is at least %d characters.", MinPasswordLength)
	case len(pw) > maxPasswordLength:
		p.Add(seam.P("password"), "A password is at most %d characters.", maxPasswordLength)
	}
}

func normalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s, "@")
}
