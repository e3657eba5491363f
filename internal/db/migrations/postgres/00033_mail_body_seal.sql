-- +goose Up
-- body_seal says how a queued message's text_body and html_body are
-- stored: 0 as they are, 1 sealed with AES-256-GCM under a key derived
-- from code_key (see db.MailBodySealer), so that a copy of the database
-- without code_key holds no gift certificate code or link secret from a
-- message waiting to be sent. Go migration 34 seals the rows queued
-- before; a SENT message keeps no body at all.
ALTER TABLE mail_outbox ADD COLUMN body_seal INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN body_seal;
