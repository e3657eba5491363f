package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/secret"
	"seam/internal/store"
)

// TokenPrefix starts every Integration API token, so that secret scanners
// can recognise a leaked one.
const TokenPrefix = "seam_it_"

// Token is an authenticated Integration API token.
type Token struct {
	store.Token
	perms map[string]bool
	all   bool
	// Limits are the rate limits that apply to this token.
	Limits Limits
}

// Can reports whether the token holds permission p.
func (t *Token) Can(p string) bool { return t.all || t.perms[p] }

// Actor returns the token as the actor of a change.
func (t *Token) Actor() seam.Actor {
	return seam.Actor{Name: t.Name, TokenID: t.ID, StoreID: t.StoreID}
}

// NewToken describes a token to create.
type NewToken struct {
	// Name is the integration name: tokens with the same name share ID
	// conversions.
	Name        string
	Permissions []string
	All         bool
	StoreID     *int64
	// Expires is how long the token lives; zero means it never expires.
	Expires time.Duration
	// Limits overrides the server's rate limits for this token.
	Limits *Limits
}

// Create makes a token and returns its secret, which is shown only now.
func Create(ctx context.Context, d *db.DB, in NewToken) (secret.Secret, store.Token, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return "", store.Token{}, seam.Invalid(seam.P("name"), "A token needs a name: the integration it is for.")
	}
	if !in.All && len(in.Permissions) == 0 {
		return "", store.Token{}, seam.Invalid(seam.P("permissions"), "Give the token permissions, or all of them.")
	}
	for _, p := range in.Permissions {
		if !Known(p) {
			return "", store.Token{}, seam.Invalid(seam.P("permissions"), "Unknown permission %q.", p)
		}
	}
	if in.Expires < 0 {
		return "", store.Token{}, seam.Invalid(seam.P("expires"), "Expiry must not be negative.")
	}
	perms := strings.Join(in.Permissions, ",")
	if in.All {
		perms = All
	}
	sec := secret.New(TokenPrefix)
	now := db.Now()
	t := store.Token{Name: in.Name, Hash: sec.Hash(), Hint: sec.Reveal()[len(sec.Reveal())-4:], Permissions: perms, StoreID: in.StoreID, CreatedAt: now}
	if in.Limits != nil {
		b, err := json.Marshal(in.Limits)
		if err != nil {
			return "", store.Token{}, err
		}
		t.Limits = string(b)
	}
	if in.Expires > 0 {
		exp := db.Time(now.Add(in.Expires))
		t.ExpiresAt = &exp
	}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if in.StoreID != nil {
			if _, err := store.GetStore(ctx, tx, *in.StoreID); err != nil {
				if errors.Is(err, seam.ErrNotFound) {
					return seam.Invalid(seam.P("store"), "There is no store %d.", *in.StoreID)
				}
				return err
			}
		}
		return store.InsertToken(ctx, tx, &t)
	})
	if err != nil {
		return "", store.Token{}, fmt.Errorf("create token: %w", err)
	}
	return sec, t, nil
}

// Authenticate finds the live token whose secret is plain. An unknown,
// revoked or expired token is seam.ErrUnauthenticated with the reason.
func Authenticate(ctx context.Context, d *db.DB, plain string, defaults Limits, now time.Time) (*Token, error) {
	if plain == "" {
		return nil, fmt.Errorf("no token: send Authorization: Bearer <token> or the graphql-access cookie: %w", seam.ErrUnauthenticated)
	}
	hash := secret.Hash(plain)
	t, err := store.TokenByHash(ctx, d.Read(), hash)
	if errors.Is(err, seam.ErrNotFound) || (err == nil && !secret.Equal(t.Hash, hash)) {
		return nil, fmt.Errorf("unknown token: %w", seam.ErrUnauthenticated)
	}
	if err != nil {
		return nil, fmt.Errorf("look up token: %w", err)
	}
	if t.RevokedAt != nil {
		return nil, fmt.Errorf("token %d (%s) was revoked: %w", t.ID, t.Name, seam.ErrUnauthenticated)
	}
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return nil, fmt.Errorf("token %d (%s) expired at %s: %w", t.ID, t.Name, t.ExpiresAt.UTC().Format(time.RFC3339), seam.ErrUnauthenticated)
	}
	tok, err := load(t, defaults)
	if err != nil {
		return nil, err
	}
	NoteUse(ctx, d, tok, now)
	return tok, nil
}

func load(t store.Token, defaults Limits) (*Token, error) {
	tok := &Token{Token: t, perms: map[string]bool{}, Limits: defaults}
	for _, p := range strings.Split(t.Permissions, ",") {
		if p == All {
			tok.all = true
		}
		tok.perms[p] = true
	}
	if t.Limits != "" {
		if err := json.Unmarshal([]byte(t.Limits), &tok.Limits); err != nil {
			return nil, fmt.Errorf("token %d has unreadable limits: %w", t.ID, err)
		}
	}
	return tok, nil
}

// List returns every token (never their secrets).
func List(ctx context.Context, d *db.DB) ([]store.Token, error) {
	return store.ListTokens(ctx, d.Read())
}

// Revoke ends a token; revoking an unknown or revoked token is
// seam.ErrNotFound.
func Revoke(ctx context.Context, d *db.DB, id int64) error {
	return d.Tx(ctx, func(tx *db.Tx) error {
		ok, err := store.RevokeToken(ctx, tx, id, db.Now())
		if err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		if !ok {
			return fmt.Errorf("no live token %d: %w", id, seam.ErrNotFound)
		}
		return nil
	})
}
