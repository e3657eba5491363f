-- +goose Up
-- Once a session's selection becomes an order, the session moves on to a
-- new empty selection; receipt_selection_id keeps the paid one so that
-- GET /receipt still shows the order just made (issue 12 A3). Sessions
-- written only on their first write and swept when idle are looked up by
-- seen_at; selections by status and updated_at.
ALTER TABLE checkout_session ADD COLUMN receipt_selection_id TEXT;
CREATE INDEX checkout_session_seen ON checkout_session (seen_at);
CREATE INDEX checkout_session_selection ON checkout_session (selection_id);
CREATE INDEX selection_idle ON selection (status, updated_at);
-- The code a shopper typed, sealed with a key derived from their session
-- token (which Seam keeps only as a hash): the session that applied a
-- voucher sees its code and removes it with it; nobody else can read it.
ALTER TABLE selection_voucher ADD COLUMN code_sealed TEXT;

-- +goose Down
ALTER TABLE selection_voucher DROP COLUMN code_sealed;
DROP INDEX selection_idle;
DROP INDEX checkout_session_selection;
DROP INDEX checkout_session_seen;
ALTER TABLE checkout_session DROP COLUMN receipt_selection_id;
