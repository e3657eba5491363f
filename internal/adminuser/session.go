package adminuser

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/secret"
	"seam/internal/store"
)

// Session lifetimes and sign-in throttling.
const (
	IdleTimeout     = 12 * time.Hour
	AbsoluteTimeout = 7 * 24 * time.Hour
	// MaxFailures failed sign-ins for one e-mail address or one IP
	// address within FailureWindow refuse further attempts until the
	// window has passed.
	MaxFailures   = 5
	FailureWindow = 15 * time.Minute
	// touchEvery limits writes: a session's last use is stored at most
	// this often.
	touchEvery = time.Minute
)

// Sign-in outcomes a page shows. ErrBadLogin is the same for an unknown
// e-mail address, a wrong password and a disabled operator, so that the
// page tells an attacker nothing about which accounts exist.
var (
	ErrBadLogin  = fmt.Errorf("wrong e-mail address or password: %w", seam.ErrUnauthenticated)
	ErrThrottled = fmt.Errorf("too many failed sign-ins: %w", seam.ErrForbidden)
)

// Session is a signed-in operator.
type Session struct {
	User store.AdminUser
	// FormToken is the token every form of the session carries.
	FormToken string
	// Secret is the cookie's value; set only by SignIn.
	Secret    secret.Secret
	hash      string
	ExpiresAt time.Time
}

// Actor is the audit log's name of the operator.
func (s Session) Actor() string { return s.User.Email }

// IsAdministrator reports whether the operator may change settings,
// tokens and users.
func (s Session) IsAdministrator() bool { return s.User.Role == Administrator }

// SignIn checks an e-mail address and password and starts a new session
// (a fresh id: sessions rotate at sign-in). After MaxFailures failures in
// FailureWindow for the address or the IP it refuses with ErrThrottled
// before checking the password.
func SignIn(ctx context.Context, d *db.DB, email, password, ip string, now time.Time) (Session, error) {
	email = normalEmail(email)
	now = db.Time(now)
	byEmail, byIP, err := store.LoginFailures(ctx, d.Read(), email, ip, now.Add(-FailureWindow))
	if err != nil {
		return Session{}, fmt.Errorf("sign in: %w", err)
	}
	if byEmail >= MaxFailures || byIP >= MaxFailures {
		return Session{}, ErrThrottled
	}
	u, err := store.AdminUserByEmail(ctx, d.Read(), email)
	ok := false
	switch {
	case errors.Is(err, seam.ErrNotFound) || len(password) > maxPasswordLength:
		// Hash anyway, so that an unknown address takes as long as a
		// known one.
		_, _ = CheckPassword(dummyHash(), password)
	case err != nil:
		return Session{}, fmt.Errorf("sign in: %w", err)
	default:
		ok, err = CheckPassword(u.PasswordHash, password)
		if err != nil {
			return Session{}, fmt.Errorf("sign in %d: %w", u.ID, err)
		}
		ok = ok && u.DisabledAt == nil
	}
	if !ok {
		err := d.Tx(ctx, func(tx *db.Tx) error {
			if err := store.DeleteOldLoginFailures(ctx, tx, now.Add(-24*time.Hour)); err != nil {
				return err
			}
			return store.InsertLoginFailure(ctx, tx, clip(email, 254), clip(ip, 64), now)
		})
		if err != nil {
			return Session{}, fmt.Errorf("sign in: %w", err)
		}
		return Session{}, ErrBadLogin
	}
	s := Session{User: u, Secret: secret.New("seam_as_"), FormToken: secret.New("").Reveal(), ExpiresAt: now.Add(AbsoluteTimeout)}
	s.hash = s.Secret.Hash()
	err = d.Tx(ctx, func(tx *db.Tx) error {
		if err := store.DeleteStaleAdminSessions(ctx, tx, now, now.Add(-IdleTimeout)); err != nil {
			return err
		}
		if err := store.InsertAdminSession(ctx, tx, store.AdminSession{IDHash: s.hash, UserID: u.ID, FormToken: s.FormToken, CreatedAt: now,
			LastSeenAt: now, ExpiresAt: s.ExpiresAt}); err != nil {
			return err
		}
		return Audit(ctx, tx, u.Email, "SIGN_IN", "AdminUser", fmt.Sprint(u.ID), "signed in")
	})
	if err != nil {
		return Session{}, fmt.Errorf("sign in %d: %w", u.ID, err)
	}
	return s, nil
}

// dummyHash is checked against when the address is unknown; made on
// first use, so that programs that never sign anyone in never pay for it.
var dummyHash = sync.OnceValue(func() string { return HashPassword("not a password anyone has") })

// Lookup finds the session of a cookie value. An unknown, idle (over
// IdleTimeout), expired (over AbsoluteTimeout) session or one of a
// disabled operator is seam.ErrUnauthenticated.
func Lookup(ctx context.Context, d *db.DB, plain string, now time.Time) (Session, error) {
	if !strings.HasPrefix(plain, "seam_as_") || len(plain) != len("seam_as_")+43 {
		return Session{}, seam.ErrUnauthenticated
	}
	hash := secret.Hash(plain)
	s, u, err := store.AdminSessionByHash(ctx, d.Read(), hash)
	if errors.Is(err, seam.ErrNotFound) {
		return Session{}, seam.ErrUnauthenticated
	}
	if err != nil {
		return Session{}, fmt.Errorf("look up session: %w", err)
	}
	if !now.Before(s.ExpiresAt) || !now.Before(s.LastSeenAt.Add(IdleTimeout)) || u.DisabledAt != nil {
		_ = d.Tx(ctx, func(tx *db.Tx) error { return store.DeleteAdminSession(ctx, tx, hash) })
		return Session{}, seam.ErrUnauthenticated
	}
	if now.Sub(s.LastSeenAt) > touchEvery {
		if err := d.Tx(ctx, func(tx *db.Tx) error { return store.TouchAdminSession(ctx, tx, hash, now) }); err != nil {
			return Session{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return Session{User: u, FormToken: s.FormToken, hash: hash, ExpiresAt: s.ExpiresAt}, nil
}

// SignOut ends a session.
func SignOut(ctx context.Context, d *db.DB, s Session) error {
	return d.Tx(ctx, func(tx *db.Tx) error {
		if err := store.DeleteAdminSession(ctx, tx, s.hash); err != nil {
			return err
		}
		return Audit(ctx, tx, s.User.Email, "SIGN_OUT", "AdminUser", fmt.Sprint(s.User.ID), "signed out")
	})
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
