package db

import (
	"context"
	"database/sql"
	"fmt"

	"seam/internal/secret"
)

// mailSealVersion is the Go migration that seals the bodies of the
// messages queued before bodies were sealed (after migration 33 added
// mail_outbox.body_seal).
const mailSealVersion = 34

// Ways a mail_outbox row's bodies are stored (mail_outbox.body_seal).
const (
	// MailBodyPlain is a body stored as it is: rows from before sealing,
	// and SENT rows, whose bodies are emptied.
	MailBodyPlain = 0
	// MailBodySealed is a body sealed by MailBodySealer.
	MailBodySealed = 1
)

// MailBodySealer returns the Sealer of queued e-mail bodies: AES-256-GCM
// under a key derived from the code key (CodeKey) for "mail-outbox".
// Seal and open a body with MailBodyContext.
func MailBodySealer(codeKey []byte) (secret.Sealer, error) {
	return secret.NewSealer(codeKey, "mail-outbox")
}

// MailBodyContext binds a sealed body to its message and part ("text" or
// "html"), so that it opens in no other row or column.
func MailBodyContext(messageID, part string) string {
	return "mail_outbox " + messageID + " " + part
}

// sealMailOutbox seals the bodies of every message that earlier versions
// queued in plain text and that is still to be sent (PENDING, or FAILED
// and so retryable), and empties those of SENT ones, in the migration's
// transaction.
func sealMailOutbox(ctx context.Context, tx *sql.Tx) error {
	key, err := readCodeKey(ctx, tx)
	if err != nil {
		return err
	}
	s, err := MailBodySealer(key)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET text_body = '', html_body = '' WHERE status = 'SENT'`); err != nil {
		return fmt.Errorf("empty the bodies of sent mail: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, message_id, text_body, html_body FROM mail_outbox WHERE status <> 'SENT' AND body_seal = 0`)
	if err != nil {
		return fmt.Errorf("read queued mail: %w", err)
	}
	type row struct {
		id               int64
		msgID, text, htm string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.msgID, &r.text, &r.htm); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		if _, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET text_body = $1, html_body = $2, body_seal = $3 WHERE id = $4`,
			s.Seal(r.text, MailBodyContext(r.msgID, "text")), s.Seal(r.htm, MailBodyContext(r.msgID, "html")), MailBodySealed, r.id); err != nil {
			return fmt.Errorf("seal mail %d: %w", r.id, err)
		}
	}
	return nil
}
