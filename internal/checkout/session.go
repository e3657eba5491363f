package checkout

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/secret"
	"seam/internal/store"
)

// SessionPrefix starts every session token; SecretPrefix every shared
// secret.
const (
	SessionPrefix = "seam_cs_"
	SecretPrefix  = "seam_ss_"
)

// Caller is who calls the Checkout API: a browser with its session token,
// a server with the shared secret, or a server acting for a shopper's
// session (both).
type Caller struct {
	// Server is set when the request carried a valid shared secret.
	Server bool
	// Session is the shopper's session, when the request has one.
	Session *store.Session
	// NewToken is set when this request started the session.
	NewToken secret.Secret
	// Token is the session token to send back.
	Token string
	// Scope names the caller for idempotency keys: its session, or its
	// shared secret.
	Scope string
}

// Authenticate works out the caller from the API-Token header and the
// bearer secret. An unknown shared secret is seam.ErrUnauthenticated; an
// unknown session token starts a new session, as a missing one does
// (unless token is "none", which asks for no session: server calls that
// name a selection, cache warming).
func (s *Service) Authenticate(ctx context.Context, token, bearer string, needSession bool) (Caller, error) {
	var c Caller
	if bearer != "" {
		sec, err := store.CheckoutSecretByHash(ctx, s.DB.Read(), secret.Hash(bearer))
		if errors.Is(err, seam.ErrNotFound) || (err == nil && sec.RevokedAt != nil) {
			return c, fmt.Errorf("unknown or revoked shared secret: %w", seam.ErrUnauthenticated)
		}
		if err != nil {
			return c, fmt.Errorf("look up shared secret: %w", err)
		}
		c.Server, c.Scope = true, "secret:"+strconv.FormatInt(sec.ID, 10)
		// Token lists show the last use; noted only every few minutes, and
		// a failure to note fails nothing.
		if now := db.Now(); sec.LastUsedAt == nil || now.Sub(*sec.LastUsedAt) >= auth.UseNoteInterval {
			_ = s.DB.Tx(ctx, func(tx *db.Tx) error {
				return store.TouchCheckoutSecret(ctx, tx, sec.ID, now, now.Add(-auth.UseNoteInterval))
			})
		}
	}
	if token != "" && token != "none" {
		sess, err := store.SessionByHash(ctx, s.DB.Read(), secret.Hash(token))
		switch {
		case err == nil:
			c.Session, c.Token, c.Scope = &sess, token, "session:"+strconv.FormatInt(sess.ID, 10)
			// Idle sessions are deleted after 30 days; note use at most
			// hourly, to keep reads from writing.
			if now := db.Now(); now.Sub(sess.SeenAt) > time.Hour {
				if err := s.DB.Tx(ctx, func(tx *db.Tx) error { return store.TouchSession(ctx, tx, sess.ID, now) }); err != nil {
					return c, fmt.Errorf("note session use: %w", err)
				}
			}
			return c, nil
		case !errors.Is(err, seam.ErrNotFound):
			return c, fmt.Errorf("look up session: %w", err)
		}
	}
	if !needSession || token == "none" {
		return c, nil
	}
	now := db.Now()
	if Adoptable(token) {
		// A token a read-only call handed out without storing it (or one
		// whose idle session was swept): its first write stores it.
		sess := store.Session{TokenHash: secret.Hash(token), CreatedAt: now, SeenAt: now}
		if err := s.DB.Tx(ctx, func(tx *db.Tx) error { return store.InsertSessionOnce(ctx, tx, &sess) }); err != nil {
			return c, fmt.Errorf("start session: %w", err)
		}
		c.Session, c.Token, c.Scope = &sess, token, "session:"+strconv.FormatInt(sess.ID, 10)
		return c, nil
	}
	tok := secret.New(SessionPrefix)
	sess := store.Session{TokenHash: tok.Hash(), CreatedAt: now, SeenAt: now}
	if err := s.DB.Tx(ctx, func(tx *db.Tx) error { return store.InsertSession(ctx, tx, &sess) }); err != nil {
		return c, fmt.Errorf("start session: %w", err)
	}
	c.Session, c.NewToken, c.Token, c.Scope = &sess, tok, tok.Reveal(), "session:"+strconv.FormatInt(sess.ID, 10)
	return c, nil
}

// AuthenticateRead is Authenticate for calls that only read (catalog,
// countries, languages, markets, pricelists): it writes nothing. A caller
// without a session gets a token to send back, as every call answers one,
// but the session is stored only by its first write (Authenticate adopts
// the token then), so that a storefront browsing without a token does not
// grow the database.
func (s *Service) AuthenticateRead(ctx context.Context, token, bearer string) (Caller, error) {
	c, err := s.Authenticate(ctx, token, bearer, false)
	if err != nil || c.Session != nil || token == "none" {
		return c, err
	}
	if c.Server && token == "" {
		return c, nil
	}
	if Adoptable(token) {
		c.Token = token
	} else {
		c.Token = secret.New(SessionPrefix).Reveal()
	}
	c.Scope = "pending:" + secret.Hash(c.Token)
	return c, nil
}

// Adoptable reports whether token has the form of a session token Seam
// makes (its prefix and 256 random bits), so that its first write may
// store it.
func Adoptable(token string) bool {
	rest, ok := strings.CutPrefix(token, SessionPrefix)
	if !ok {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil && len(b) == 32
}

// CreateSecret makes a shared secret for server-side callers and returns
// it; only its hash is kept.
func CreateSecret(ctx context.Context, d *db.DB, name string) (secret.Secret, error) {
	if name == "" {
		return "", seam.Invalid(seam.P("name"), "A shared secret needs a name: the server that uses it.")
	}
	sec := secret.New(SecretPrefix)
	row := store.CheckoutSecret{Name: name, SecretHash: sec.Hash(), Hint: sec.Reveal()[len(sec.Reveal())-4:], CreatedAt: db.Now()}
	if err := d.Tx(ctx, func(tx *db.Tx) error { return store.InsertCheckoutSecret(ctx, tx, &row) }); err != nil {
		return "", fmt.Errorf("create shared secret: %w", err)
	}
	return sec, nil
}

// SelectionFor returns the id of the selection a request works on: the
// one a server names, or the caller's session's, made on first use.
func (s *Service) SelectionFor(ctx context.Context, c Caller, named string) (string, error) {
	if named != "" {
		if !c.Server {
			return "", fmt.Errorf("only a server with the shared secret may name a selection in the path; browsers use their API-Token: %w", seam.ErrForbidden)
		}
		sel, err := store.GetSelection(ctx, s.DB.Read(), named, false)
		if err != nil {
			if isNotFound(err) {
				return "", notFound("no selection %q", named)
			}
			return "", err
		}
		return named, shopperMay(sel)
	}
	if c.Session == nil {
		return "", fmt.Errorf("this call needs a session: send the API-Token header (or leave it out to start one): %w", seam.ErrForbidden)
	}
	if c.Session.SelectionID != nil {
		return *c.Session.SelectionID, nil
	}
	var id string
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		sel, err := s.newSelection(ctx, tx)
		if err != nil {
			return err
		}
		id = sel.ID
		return store.SetSessionSelection(ctx, tx, c.Session.ID, id)
	})
	if err != nil {
		return "", seam.Wrap(err, "start selection")
	}
	c.Session.SelectionID = &id
	return id, nil
}

// Attach makes the session work on an existing selection (PUT
// /selections/{selection}); selection ids are 128-bit random, so knowing
// one is the right to it.
func (s *Service) Attach(ctx context.Context, c Caller, selectionID string) error {
	if c.Session == nil {
		return fmt.Errorf("attaching a selection needs a session: %w", seam.ErrForbidden)
	}
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		sel, err := store.GetSelection(ctx, tx, selectionID, false)
		if isNotFound(err) {
			return notFound("no selection %q", selectionID)
		} else if err != nil {
			return err
		}
		if err := shopperMay(sel); err != nil {
			return err
		}
		switch sel.Status {
		case store.SelectionPaid:
			return conflict("selection %s is already paid (order %d)", sel.ID, *sel.OrderID)
		case store.SelectionPaying:
			// Its shopper is paying: nobody else takes it over now.
			return conflict("selection %s is being paid for", sel.ID)
		}
		return store.SetSessionSelection(ctx, tx, c.Session.ID, selectionID)
	})
	if err == nil {
		c.Session.SelectionID = &selectionID
	}
	return seam.Wrap(err, "attach selection")
}

// ReceiptSelection is the selection whose order GET /receipt shows to a
// session: its current selection when that is paid, else the one it paid
// last. A session that never paid is seam.ErrNotFound.
func (s *Service) ReceiptSelection(ctx context.Context, c Caller) (string, error) {
	if c.Session == nil {
		return "", notFound("this session has no order yet")
	}
	if c.Session.SelectionID != nil {
		sel, err := store.GetSelection(ctx, s.DB.Read(), *c.Session.SelectionID, false)
		if err != nil && !isNotFound(err) {
			return "", err
		}
		if err == nil && sel.OrderID != nil {
			return sel.ID, nil
		}
	}
	if c.Session.ReceiptSelectionID != nil {
		return *c.Session.ReceiptSelectionID, nil
	}
	return "", notFound("the selection has no order yet")
}

// ResultSelection is the selection a session's POST /payment-result
// finishes: its current one while that has a payment in progress (or has
// none to speak of), else the one it paid last, so that a return page
// loaded twice gets the same order again instead of an error.
func (s *Service) ResultSelection(ctx context.Context, c Caller) (string, error) {
	if c.Session == nil {
		return "", fmt.Errorf("this call needs a session: send the API-Token header: %w", seam.ErrForbidden)
	}
	if c.Session.ReceiptSelectionID != nil {
		if c.Session.SelectionID == nil {
			return *c.Session.ReceiptSelectionID, nil
		}
		sel, err := store.GetSelection(ctx, s.DB.Read(), *c.Session.SelectionID, false)
		if err != nil && !isNotFound(err) {
			return "", err
		}
		if err != nil || (sel.Status == store.SelectionOpen && sel.PaymentRef == nil) {
			return *c.Session.ReceiptSelectionID, nil
		}
	}
	return s.SelectionFor(ctx, c, "")
}
