package auth

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/store"
)

// Kind names a kind of credential: a token or secret that reaches one of
// Seam's APIs.
type Kind string

// The kinds of credential. A new kind (admin-made storefront tokens, …)
// is one constant and one entry in kinds.
const (
	// KindIntegration is an Integration API token (seam_it_…).
	KindIntegration Kind = "integration"
	// KindCheckoutSecret is a Checkout API shared secret (seam_cs_…).
	KindCheckoutSecret Kind = "checkout-secret"
)

// Credential is a token or secret of any kind as lists show it: never the
// secret, only its last four characters.
type Credential struct {
	Kind Kind
	// ID is the row's id within its kind; Ref is unique across kinds.
	ID         int64
	Name       string
	Hint       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
	// Permissions and StoreID are an Integration API token's; empty for
	// other kinds.
	Permissions []string
	StoreID     *int64
}

// Ref names the credential across kinds, as <kind>:<id>
// ("integration:3", "checkout-secret:1").
func (c Credential) Ref() string { return string(c.Kind) + ":" + strconv.FormatInt(c.ID, 10) }

// State is "active", "expired" or "revoked" at now.
func (c Credential) State(now time.Time) string {
	switch {
	case c.RevokedAt != nil:
		return "revoked"
	case c.ExpiresAt != nil && !now.Before(*c.ExpiresAt):
		return "expired"
	}
	return "active"
}

// kind is how one kind of credential is listed and revoked.
type kind struct {
	name   Kind
	list   func(context.Context, db.Q) ([]Credential, error)
	revoke func(ctx context.Context, q db.Q, id int64, at time.Time) (bool, error)
}

// kinds lists every kind, in the order lists show them.
var kinds = []kind{
	{KindIntegration, listIntegration, store.RevokeToken},
	{KindCheckoutSecret, listCheckoutSecrets, store.RevokeCheckoutSecret},
}

// Kinds returns every kind of credential.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, k := range kinds {
		out[i] = k.name
	}
	return out
}

func listIntegration(ctx context.Context, q db.Q) ([]Credential, error) {
	ts, err := store.ListTokens(ctx, q)
	out := make([]Credential, len(ts))
	for i, t := range ts {
		out[i] = Credential{Kind: KindIntegration, ID: t.ID, Name: t.Name, Hint: t.Hint, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt,
			ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt, Permissions: strings.Split(t.Permissions, ","), StoreID: t.StoreID}
	}
	return out, err
}

func listCheckoutSecrets(ctx context.Context, q db.Q) ([]Credential, error) {
	ss, err := store.ListCheckoutSecrets(ctx, q)
	out := make([]Credential, len(ss))
	for i, s := range ss {
		out[i] = Credential{Kind: KindCheckoutSecret, ID: s.ID, Name: s.Name, Hint: s.Hint, CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt,
			RevokedAt: s.RevokedAt, Permissions: []string{}}
	}
	return out, err
}

// Credentials lists every token and secret of the given kinds (all kinds
// when none are given), kind by kind, oldest first.
func Credentials(ctx context.Context, d *db.DB, only ...Kind) ([]Credential, error) {
	var out []Credential
	for _, k := range kinds {
		if len(only) > 0 && !slices.Contains(only, k.name) {
			continue
		}
		cs, err := k.list(ctx, d.Read())
		if err != nil {
			return nil, fmt.Errorf("list %s tokens: %w", k.name, err)
		}
		out = append(out, cs...)
	}
	return out, nil
}

// ParseRef reads a credential reference: <kind>:<id>, or a bare id, which
// names an Integration API token (as seam token revoke always took).
func ParseRef(ref string) (Kind, int64, error) {
	k, n, ok := strings.Cut(strings.TrimSpace(ref), ":")
	if !ok {
		k, n = string(KindIntegration), k
	}
	id, err := strconv.ParseInt(n, 10, 64)
	i := slices.IndexFunc(kinds, func(x kind) bool { return string(x.name) == k })
	if err != nil || id <= 0 || i < 0 {
		names := make([]string, len(kinds))
		for j, x := range kinds {
			names[j] = string(x.name)
		}
		return "", 0, seam.Invalid(seam.P("id"), "%q is not a token id: give <kind>:<number> as token lists show it (kinds: %s), or the number of an Integration API token.",
			ref, strings.Join(names, ", "))
	}
	return kinds[i].name, id, nil
}

// RevokeCredential ends a token or secret of any kind at once; an unknown
// or already revoked one is seam.ErrNotFound.
func RevokeCredential(ctx context.Context, d *db.DB, k Kind, id int64) (Credential, error) {
	i := slices.IndexFunc(kinds, func(x kind) bool { return x.name == k })
	if i < 0 {
		return Credential{}, seam.Invalid(seam.P("id"), "There is no kind of token %q.", k)
	}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		ok, err := kinds[i].revoke(ctx, tx, id, db.Now())
		if err != nil {
			return fmt.Errorf("revoke %s:%d: %w", k, id, err)
		}
		if !ok {
			return fmt.Errorf("no live token %s:%d: %w", k, id, seam.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return Credential{}, err
	}
	cs, err := kinds[i].list(ctx, d.Read())
	if err != nil {
		return Credential{}, err
	}
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	return Credential{}, fmt.Errorf("token %s:%d: %w", k, id, seam.ErrNotFound)
}

// UseNoteInterval is how often at most a token's use is written down:
// last-used times are this precise, and using a token writes at most once
// per interval.
const UseNoteInterval = 5 * time.Minute

// NoteUse writes down that an Integration API token was used now, when its
// last noted use is older than UseNoteInterval. It is best effort: a
// failure to note (a busy database) does not fail the request.
func NoteUse(ctx context.Context, d *db.DB, t *Token, now time.Time) {
	if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < UseNoteInterval {
		return
	}
	_ = d.Tx(ctx, func(tx *db.Tx) error {
		return store.TouchToken(ctx, tx, t.ID, now, now.Add(-UseNoteInterval))
	})
}

// MayManage refuses actors restricted to one store: tokens and secrets
// reach every store, so only an unrestricted token lists or revokes them.
func MayManage(a seam.Actor) error {
	if a.StoreID != nil {
		return fmt.Errorf("a token restricted to store %d may not list or revoke tokens: %w", *a.StoreID, seam.ErrForbidden)
	}
	return nil
}
