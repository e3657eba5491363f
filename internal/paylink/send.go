package paylink

import (
	"context"
	"fmt"
	"strings"
	"time"

	"seam/internal/checkout"
	"seam/internal/db"
	"seam/internal/mail"
	"seam/internal/seam"
	"seam/internal/store"
)

// Send e-mails a link's URL to a buyer through the mail outbox. The
// caller proves it holds the link by its plain secret (shown once, when
// the link was made); only an active link is sent. The audit log records
// who sent which link to whom, never the URL.
func Send(ctx context.Context, d *db.DB, actor seam.Actor, selectionID, plain, to string, now time.Time) error {
	to = strings.TrimSpace(to)
	if !checkout.ValidEmail(to) {
		return seam.Invalid(seam.P("to"), "Enter the customer's e-mail address, such as anna@example.com.")
	}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		l, err := Find(ctx, tx, selectionID, plain)
		if err != nil {
			return seam.Invalid(seam.P("link"), "This is not a payment link of selection %s.", selectionID)
		}
		if !actor.MayUseStore(l.StoreID) {
			return actor.StoreError(seam.P("link"), fmt.Sprintf("payment link %d", l.ID), l.StoreID)
		}
		if st := l.Status(now); st != store.LinkActive {
			return seam.Invalid(seam.P("link"), "Payment link %d is %s; only an active link can be sent.", l.ID, strings.ToLower(st))
		}
		st, err := store.GetStore(ctx, tx, l.StoreID)
		if err != nil {
			return err
		}
		if st.PaymentLinkTemplate == nil {
			return seam.Invalid(seam.P("link"), "Store %d has no payment link template.", st.ID)
		}
		u := LinkURL(*st.PaymentLinkTemplate, l.SelectionID, plain)
		text := fmt.Sprintf("Hello,\n\n%s has put together a selection for you. Open this link to check out:\n\n%s\n\nThe link works until the selection is bought.", st.Name, u)
		if l.ExpiresAt != nil {
			text += fmt.Sprintf(" It expires on %s UTC.", l.ExpiresAt.UTC().Format("2006-01-02 15:04"))
		}
		text += "\n"
		if _, err := mail.Enqueue(ctx, tx, mail.Message{Kind: "payment_link", StoreID: &l.StoreID, To: to, Subject: "Your selection from " + st.Name, Text: text}); err != nil {
			return err
		}
		return store.InsertAudit(ctx, tx, store.Audit{Actor: actor.Name, Action: "SEND", ObjectType: "PaymentLink", ObjectID: fmt.Sprint(l.ID),
			Detail: ptr(fmt.Sprintf(`{"to":%q}`, to)), CreatedAt: db.Now()})
	})
	return seam.Wrap(err, "send payment link")
}

func ptr[T any](v T) *T { return &v }
