package adminuser_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"seam/internal/adminuser"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/seam"
)

const pw = "correct horse battery"

func create(t *testing.T, d *db.DB, email, role string) {
	t.Helper()
	if _, err := adminuser.Create(context.Background(), d, "test", adminuser.NewUser{Email: email, Role: role, Password: pw}); err != nil {
		t.Fatal(err)
	}
}

func TestPasswordHashMatchesOnlyItsPassword(t *testing.T) {
	t.Parallel()
	h := adminuser.HashPassword(pw)
	if !strings.HasPrefix(h, "$argon2id$v=19$") || strings.Contains(h, pw) {
		t.Fatalf("hash %q is not an argon2id PHC string", h)
	}
	if ok, err := adminuser.CheckPassword(h, pw); !ok || err != nil {
		t.Errorf("the right password does not match: %v", err)
	}
	if ok, _ := adminuser.CheckPassword(h, pw+"x"); ok {
		t.Error("a wrong password matches")
	}
	if g := adminuser.GeneratePassword(); len(g) != 20 || g == adminuser.GeneratePassword() {
		t.Errorf("generated password %q", g)
	}
}

func TestCreateRefusesBadInputNamingTheField(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		create(t, d, "anna@example.com", adminuser.Administrator)
		tests := []struct {
			in    adminuser.NewUser
			field string
		}{
			{adminuser.NewUser{Email: "not an address", Role: adminuser.Staff, Password: pw}, "email"},
			{adminuser.NewUser{Email: "ANNA@example.com", Role: adminuser.Staff, Password: pw}, "email"},
			{adminuser.NewUser{Email: "bo@example.com", Role: "OWNER", Password: pw}, "role"},
			{adminuser.NewUser{Email: "bo@example.com", Role: adminuser.Staff, Password: "short"}, "password"},
		}
		for _, tc := range tests {
			_, err := adminuser.Create(context.Background(), d, "test", tc.in)
			ue, ok := seam.AsUserErrors(err)
			if !ok || ue[0].Path.String() != tc.field {
				t.Errorf("Create(%+v) = %v; want a problem with %s", tc.in, err, tc.field)
			}
		}
	})
}

func TestSignInThrottlesAfterFiveFailures(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		create(t, d, "anna@example.com", adminuser.Administrator)
		now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		// An unknown address and a wrong password fail alike.
		if _, err := adminuser.SignIn(ctx, d, "nobody@example.com", pw, "192.0.2.9", now); !errors.Is(err, adminuser.ErrBadLogin) {
			t.Fatalf("unknown address: %v", err)
		}
		for i := range adminuser.MaxFailures {
			if _, err := adminuser.SignIn(ctx, d, "anna@example.com", "wrong password", "192.0.2.1", now.Add(time.Duration(i)*time.Second)); !errors.Is(err, adminuser.ErrBadLogin) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		// Even the right password is refused now, from any address.
		if _, err := adminuser.SignIn(ctx, d, "Anna@Example.com", pw, "192.0.2.2", now.Add(time.Minute)); !errors.Is(err, adminuser.ErrThrottled) {
			t.Fatalf("sixth attempt: %v; want throttled", err)
		}
		// And this IP is refused for another address too.
		create(t, d, "bo@example.com", adminuser.Staff)
		if _, err := adminuser.SignIn(ctx, d, "bo@example.com", pw, "192.0.2.1", now.Add(time.Minute)); !errors.Is(err, adminuser.ErrThrottled) {
			t.Fatalf("same IP, other address: %v; want throttled", err)
		}
		// After the window the right password works.
		s, err := adminuser.SignIn(ctx, d, "anna@example.com", pw, "192.0.2.2", now.Add(adminuser.FailureWindow+5*time.Second))
		if err != nil {
			t.Fatalf("after the window: %v", err)
		}
		if _, err := adminuser.Lookup(ctx, d, s.Secret.Reveal(), now.Add(adminuser.FailureWindow+time.Hour)); err != nil {
			t.Errorf("fresh session not found: %v", err)
		}
	})
}

func TestSessionsEndWhenIdleExpiredOrSignedOut(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		create(t, d, "anna@example.com", adminuser.Administrator)
		start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		s, err := adminuser.SignIn(ctx, d, "anna@example.com", pw, "192.0.2.1", start)
		if err != nil {
			t.Fatal(err)
		}
		plain := s.Secret.Reveal()
		// Used every 11 hours, the session lives until its absolute end.
		at := start
		for at.Add(11 * time.Hour).Before(start.Add(adminuser.AbsoluteTimeout)) {
			at = at.Add(11 * time.Hour)
			if _, err := adminuser.Lookup(ctx, d, plain, at); err != nil {
				t.Fatalf("used at %s: %v", at, err)
			}
		}
		if _, err := adminuser.Lookup(ctx, d, plain, start.Add(adminuser.AbsoluteTimeout)); !errors.Is(err, seam.ErrUnauthenticated) {
			t.Errorf("after 7 days: %v; want unauthenticated", err)
		}
		// Idle for more than 12 hours ends another.
		s2, err := adminuser.SignIn(ctx, d, "anna@example.com", pw, "192.0.2.1", start)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := adminuser.Lookup(ctx, d, s2.Secret.Reveal(), start.Add(adminuser.IdleTimeout+time.Second)); !errors.Is(err, seam.ErrUnauthenticated) {
			t.Errorf("idle 12 h: %v; want unauthenticated", err)
		}
		// Signing out deletes the row.
		s3, err := adminuser.SignIn(ctx, d, "anna@example.com", pw, "192.0.2.1", start)
		if err != nil {
			t.Fatal(err)
		}
		live, err := adminuser.Lookup(ctx, d, s3.Secret.Reveal(), start.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if err := adminuser.SignOut(ctx, d, live); err != nil {
			t.Fatal(err)
		}
		if _, err := adminuser.Lookup(ctx, d, s3.Secret.Reveal(), start.Add(2*time.Minute)); !errors.Is(err, seam.ErrUnauthenticated) {
			t.Errorf("after sign-out: %v; want unauthenticated", err)
		}
	})
}
