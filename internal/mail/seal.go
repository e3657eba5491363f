package mail

import (
	"context"
	"fmt"

	"seam/internal/db"
	"seam/internal/secret"
	"seam/internal/store"
)

// Bodies in the outbox are sealed (db.MailBodySealer): a message waiting
// to be sent may carry a secret, a gift certificate's code or a payment
// link, and a copy of the database without the code key must not give it
// away. The worker opens them just before sending; a SENT message keeps
// no body at all.

// seal replaces row's bodies with their sealed form, under the code key
// read through q (the enqueuing transaction).
func seal(ctx context.Context, q db.Q, row *store.Mail) error {
	key, err := db.CodeKey(ctx, q)
	if err != nil {
		return err
	}
	s, err := db.MailBodySealer(key)
	if err != nil {
		return err
	}
	row.Text = s.Seal(row.Text, db.MailBodyContext(row.MessageID, "text"))
	row.HTML = s.Seal(row.HTML, db.MailBodyContext(row.MessageID, "html"))
	row.Seal = db.MailBodySealed
	return nil
}

// message is the Message a claimed outbox row sends, its bodies opened.
// A row stored in plain text (body_seal 0) is sent as it is.
func (w *Worker) message(ctx context.Context, m store.Mail) (Message, error) {
	msg := Message{Kind: m.Kind, StoreID: m.StoreID, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML}
	if m.Seal == db.MailBodyPlain {
		return msg, nil
	}
	s, err := w.sealer(ctx)
	if err != nil {
		return Message{}, err
	}
	return opened(s, m, msg)
}

// Open returns the message an outbox row sends, its bodies opened with
// the code key read through q: for tools and tests that read a queued
// message. The worker opens its own (with the key read once).
func Open(ctx context.Context, q db.Q, m store.Mail) (Message, error) {
	msg := Message{Kind: m.Kind, StoreID: m.StoreID, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML}
	if m.Seal == db.MailBodyPlain {
		return msg, nil
	}
	key, err := db.CodeKey(ctx, q)
	if err != nil {
		return Message{}, err
	}
	s, err := db.MailBodySealer(key)
	if err != nil {
		return Message{}, err
	}
	return opened(s, m, msg)
}

// opened is msg with m's sealed bodies opened by s.
func opened(s secret.Sealer, m store.Mail, msg Message) (Message, error) {
	if m.Seal != db.MailBodySealed {
		return Message{}, fmt.Errorf("mail %d: its body is stored in an unknown way (body_seal %d)", m.ID, m.Seal)
	}
	var err error
	if msg.Text, err = s.Open(m.Text, db.MailBodyContext(m.MessageID, "text")); err == nil {
		msg.HTML, err = s.Open(m.HTML, db.MailBodyContext(m.MessageID, "html"))
	}
	if err != nil {
		return Message{}, fmt.Errorf("mail %d: its sealed body does not open with this database's code key (was code_key replaced?)", m.ID)
	}
	return msg, nil
}

// sealer returns the outbox's Sealer, reading the code key once.
func (w *Worker) sealer(ctx context.Context) (secret.Sealer, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seal != nil {
		return *w.seal, nil
	}
	key, err := db.CodeKey(ctx, w.DB.Read())
	if err != nil {
		return secret.Sealer{}, err
	}
	s, err := db.MailBodySealer(key)
	if err != nil {
		return secret.Sealer{}, err
	}
	w.seal = &s
	return s, nil
}
