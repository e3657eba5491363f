// Package productlink holds product payment links (seed 002): a seller's
// tool makes, through the mel-store API, a link that sells one product at
// special prices in several currencies, once (use_once) or any number of
// times, until it is deleted or expires. Links never change once made.
// Buyers pay on the product page /p/{product}?uuid=… through the normal
// checkout; each sale is recorded, audited, written to the events feed and
// reported to the store's after-sale webhook in the order's transaction.
//
// A link's uuid is 128 random bits (32 hex digits) shown once; only its
// SHA-256 is stored. EUR prices are never given: they are derived from the
// USD price with the USD→EUR exchange rate (SetRates), rounded half to even
// to the cent at the moment the link is made.
package productlink

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"seam/internal/db"
	"seam/internal/seam"
	"seam/internal/secret"
	"seam/internal/store"
)

// ObjectType names product payment links in audit rows and events.
const ObjectType = "ProductPaymentLink"

// ActorCheckout is who uses a link: the checkout that sold through it.
const ActorCheckout = "checkout"

// Link states.
const (
	StateActive  = "ACTIVE"
	StateUsed    = "USED"
	StateDeleted = "DELETED"
	StateExpired = "EXPIRED"
)

// State is a link's state at now.
func State(l store.ProductLink, now time.Time) string {
	switch {
	case l.DeletedAt != nil:
		return StateDeleted
	case l.UsedAt != nil:
		return StateUsed
	case l.ExpiresAt != nil && !now.Before(*l.ExpiresAt):
		return StateExpired
	}
	return StateActive
}

// Problem says to a buyer why a link cannot sell at now, or "".
func Problem(l store.ProductLink, now time.Time) string {
	switch State(l, now) {
	case StateDeleted:
		return "This payment link no longer exists: the seller deleted it."
	case StateUsed:
		return "This payment link was already used: it sells only once."
	case StateExpired:
		return "This payment link has expired."
	}
	return ""
}

// URL is a link's page: <base>/p/<product>?uuid=<uuid>; without uuid, the
// product's page at its default price.
func URL(base string, productID int64, uuid string) string {
	u := strings.TrimRight(base, "/") + "/p/" + strconv.FormatInt(productID, 10)
	if uuid != "" {
		u += "?" + url.Values{"uuid": {uuid}}.Encode()
	}
	return u
}

// QRURL is the QR code of a link's page as an image: ext is "png" or
// "svg".
func QRURL(base string, productID int64, uuid, ext string) string {
	u := strings.TrimRight(base, "/") + "/p/" + strconv.FormatInt(productID, 10) + "/qr." + ext
	if uuid != "" {
		u += "?" + url.Values{"uuid": {uuid}}.Encode()
	}
	return u
}

// newUUID returns a link's uuid: 128 random bits as 32 lower-case hex
// digits.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("productlink: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// newSaleUUID returns a sale's transaction id: a random (version 4) UUID.
func newSaleUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("productlink: crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ParseUUID checks that s is a link uuid (32 hex digits, any case) and
// returns it in lower case.
func ParseUUID(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	ok := len(s) == 32
	for i := 0; ok && i < len(s); i++ {
		ok = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')
	}
	if !ok {
		return "", seam.Invalid(seam.P("uuid"), "A payment link uuid is 32 hexadecimal digits, as the link's payment_link URL shows it.")
	}
	return s, nil
}

// Find loads a product's link by its uuid, deleted or not. A malformed
// uuid is an input error on uuid; an unknown one seam.ErrNotFound.
func Find(ctx context.Context, q db.Q, productID int64, uuid string) (store.ProductLink, error) {
	u, err := ParseUUID(uuid)
	if err != nil {
		return store.ProductLink{}, err
	}
	l, err := store.ProductLinkByHash(ctx, q, productID, secret.Hash(u))
	if errors.Is(err, seam.ErrNotFound) {
		return l, fmt.Errorf("product %d has no payment link with this uuid: %w", productID, seam.ErrNotFound)
	}
	return l, err
}

// Usable refuses a link that cannot sell at now (deleted, used, expired)
// with an error wrapping seam.ErrGone. It is checkout.Service's
// ProductLinkUsable (see Wire).
func Usable(ctx context.Context, q db.Q, linkID int64, now time.Time) error {
	l, err := store.GetProductLink(ctx, q, linkID)
	if err != nil {
		return fmt.Errorf("product payment link %d: %w", linkID, err)
	}
	if why := Problem(l, now); why != "" {
		return gone(why)
	}
	return nil
}

// gone is a buyer's message as seam.ErrGone.
func gone(msg string) error {
	return fmt.Errorf("%s: %w", strings.TrimSuffix(msg, "."), seam.ErrGone)
}

// wrap adds the operation to an unexpected error, for logs; errors of a
// known kind pass unchanged, so that adapters show their message as it is.
func wrap(err error, op string) error {
	for _, kind := range []error{seam.ErrInvalid, seam.ErrNotFound, seam.ErrConflict, seam.ErrGone, seam.ErrForbidden, seam.ErrSoldOut} {
		if errors.Is(err, kind) {
			return err
		}
	}
	return seam.Wrap(err, op)
}

// unknownProduct is seam.ErrNotFound about a product id.
type unknownProduct struct{ id int64 }

func (e unknownProduct) Error() string {
	return fmt.Sprintf("there is no product %d: %v", e.id, seam.ErrNotFound)
}

// Is makes errors.Is(err, seam.ErrNotFound) true.
func (e unknownProduct) Is(target error) bool { return target == seam.ErrNotFound }

// UnknownProduct reports whether err says the product does not exist (not
// its link).
func UnknownProduct(err error) bool {
	var u unknownProduct
	return errors.As(err, &u)
}

// notFound says what was not found, as seam.ErrNotFound.
func notFound(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), seam.ErrNotFound)
}

// conflict says why the request clashes with the shop's state, as
// seam.ErrConflict.
func conflict(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), seam.ErrConflict)
}

// storeFor is the store an actor's links sell in: the token's store, or
// the first direct-to-consumer store.
func storeFor(ctx context.Context, q db.Q, actor seam.Actor) (store.Store, error) {
	if actor.StoreID != nil {
		return store.GetStore(ctx, q, *actor.StoreID)
	}
	stores, err := store.ListStores(ctx, q, store.StoreFilter{Types: []string{store.StoreDirectToConsumer}}, nil, store.Page{Limit: 1})
	if err != nil {
		return store.Store{}, err
	}
	if len(stores) == 0 {
		return store.Store{}, conflict("there is no direct-to-consumer store to sell in; create one (createStore) first")
	}
	return stores[0], nil
}
