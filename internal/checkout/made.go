package checkout

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"seam/internal/db"
	"seam/internal/event"
	"seam/internal/store"
)

// LineSpec is a line of a selection made for a shopper: an item and a
// quantity, optionally at a special unit price in minor units of the
// pricelist's currency.
type LineSpec struct {
	DisplayVariantID int64
	ProductSizeID    int64
	Quantity         int64
	UnitPriceMinor   *int64
}

// Spec is a selection made for a shopper rather than by one: by an
// operator (sold through payment links), as a copy claimed from a link, or
// for a product payment link's buyer. Its lines are checked by the caller.
type Spec struct {
	StoreID, MarketID, PricelistID int64
	CountryID, StateID             *int64
	// Language defaults to the shop's default language.
	Language                                          string
	Origin                                            string
	Locked, LockQuantities, IgnoreShipping, IgnoreTax bool
	PaymentLinkID, ProductLinkID, CustomerID          *int64
	// Address is filled in for the shopper (an e-mail address, a name).
	Address   *Address
	Comment   *string
	CreatedBy string
	Lines     []LineSpec
}

// CreateSelection stores a selection from a spec in the caller's
// transaction.
func CreateSelection(ctx context.Context, tx *db.Tx, spec Spec) (store.Selection, error) {
	lang := spec.Language
	if lang == "" {
		var err error
		if lang, err = defaultLanguage(ctx, tx); err != nil {
			return store.Selection{}, err
		}
	}
	now := db.Now()
	sel := store.Selection{ID: newID(16), StoreID: spec.StoreID, MarketID: spec.MarketID, PricelistID: spec.PricelistID, CountryID: spec.CountryID,
		StateID: spec.StateID, Language: lang, Comment: spec.Comment, Status: store.SelectionOpen, CreatedAt: now, UpdatedAt: now,
		Origin: spec.Origin, Locked: spec.Locked, LockQuantities: spec.LockQuantities, IgnoreShipping: spec.IgnoreShipping, IgnoreTax: spec.IgnoreTax,
		PaymentLinkID: spec.PaymentLinkID, ProductLinkID: spec.ProductLinkID, CustomerID: spec.CustomerID}
	if spec.CreatedBy != "" {
		sel.CreatedBy = &spec.CreatedBy
	}
	if spec.Address != nil {
		raw, err := json.Marshal(spec.Address)
		if err != nil {
			return sel, err
		}
		sel.Address = string(raw)
	}
	if err := store.InsertSelection(ctx, tx, &sel); err != nil {
		return sel, fmt.Errorf("insert selection: %w", err)
	}
	return sel, insertLines(ctx, tx, sel.ID, spec.Lines)
}

// ReplaceLines sets all the lines of a selection made for a shopper.
func ReplaceLines(ctx context.Context, tx *db.Tx, selectionID string, lines []LineSpec) error {
	if err := store.DeleteLines(ctx, tx, selectionID); err != nil {
		return err
	}
	return insertLines(ctx, tx, selectionID, lines)
}

func insertLines(ctx context.Context, tx *db.Tx, selectionID string, lines []LineSpec) error {
	for i, l := range lines {
		if err := store.InsertLine(ctx, tx, &store.SelectionLine{Line: newID(16), SelectionID: selectionID, DisplayVariantID: l.DisplayVariantID,
			ProductSizeID: l.ProductSizeID, Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, Position: i}); err != nil {
			return fmt.Errorf("insert line: %w", err)
		}
	}
	return nil
}

// IDHint is the start of a buyer's selection id, for audit rows and
// events: the whole id is the right to the selection.
func IDHint(id string) string {
	if len(id) <= 8 {
		return id
	}
	return id[:8] + "…"
}

// LinkProblem says why a payment link can no longer sell, or "".
func LinkProblem(l store.PaymentLink, now time.Time) string {
	switch l.Status(now) {
	case store.LinkUsed:
		return "This payment link was already used: its selection is sold."
	case store.LinkRevoked:
		return "This payment link was revoked by the shop."
	case store.LinkExpired:
		return "This payment link has expired."
	}
	return ""
}

// linkUsable refuses to pay a copy whose payment link was used, revoked or
// expired since it was claimed, and a product link's selection whose link
// cannot sell any more.
func (s *Service) linkUsable(ctx context.Context, q db.Q, sel store.Selection) error {
	if sel.PaymentLinkID != nil {
		l, err := store.GetPaymentLink(ctx, q, *sel.PaymentLinkID)
		if err != nil {
			return fmt.Errorf("payment link of selection %s: %w", sel.ID, err)
		}
		if why := LinkProblem(l, s.Now()); why != "" {
			return gone("%s", why)
		}
		orig, err := store.GetSelection(ctx, q, l.SelectionID, false)
		if err != nil {
			return fmt.Errorf("selection of payment link %d: %w", l.ID, err)
		}
		if orig.DeletedAt != nil {
			return gone("This payment link's selection was sold through another link.")
		}
	}
	if sel.ProductLinkID != nil && s.ProductLinkUsable != nil {
		return s.ProductLinkUsable(ctx, q, *sel.ProductLinkID)
	}
	return nil
}

// useLinks claims, in the order's transaction, the one-time links the
// selection came from: one conditional statement each, so only one
// buyer's order can use a link. The operator's original selection of a
// payment link is removed once it sells.
func (s *Service) useLinks(ctx context.Context, tx *db.Tx, sel store.Selection, o store.Order) error {
	if sel.PaymentLinkID != nil {
		now := s.Now()
		ok, err := store.UsePaymentLink(ctx, tx, *sel.PaymentLinkID, o.ID, now)
		if err != nil {
			return err
		}
		l, err := store.GetPaymentLink(ctx, tx, *sel.PaymentLinkID)
		if err != nil {
			return err
		}
		if !ok {
			return gone("%s", LinkProblem(l, now))
		}
		// The original sells once, whichever of its links sold it.
		sold, err := store.DeleteSelection(ctx, tx, l.SelectionID, now)
		if err != nil {
			return err
		}
		if !sold {
			return gone("This payment link's selection was sold through another link.")
		}
		if err := store.RevokeOtherLinks(ctx, tx, l.SelectionID, l.ID, fmt.Sprintf("checkout: sold through link %d", l.ID), now); err != nil {
			return err
		}
		detail := fmt.Sprintf(`{"order":%d,"selection":%q}`, o.Number, IDHint(sel.ID))
		if err := store.InsertAudit(ctx, tx, store.Audit{Actor: event.ActorCheckout, Action: "USE", ObjectType: "PaymentLink",
			ObjectID: fmt.Sprint(l.ID), Detail: &detail, CreatedAt: now}); err != nil {
			return err
		}
		if _, err := event.Record(ctx, tx, event.Event{StoreID: &l.StoreID, ObjectType: "PaymentLink", ObjectID: fmt.Sprint(l.ID),
			Action: event.Used, Actor: event.ActorCheckout, Payload: json.RawMessage(detail)}); err != nil {
			return err
		}
	}
	if sel.ProductLinkID != nil && s.ProductLinkSold != nil {
		return s.ProductLinkSold(ctx, tx, sel, o)
	}
	return nil
}
