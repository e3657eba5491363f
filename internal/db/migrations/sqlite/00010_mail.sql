-- +goose Up
-- E-mail through a transactional outbox, like webhooks (00008): a change
-- writes its mail_outbox rows in the transaction that makes the change; the
-- mail worker claims due rows, sends them over SMTP after commit and records
-- every attempt in mail_attempt. dev_mail is what the in-process dev
-- mailbox received when no SMTP server is configured. The PostgreSQL twin
-- differs only in column types.

-- One message to one recipient. message_id is the random left part of the
-- Message-ID header, kept so that every attempt sends the same one and a
-- receiver can tell a retry from a new message. claims counts the workers'
-- claims; a worker records its outcome only while the row still carries
-- its claim.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    store_id        BIGINT,
    message_id      TEXT NOT NULL UNIQUE,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    claims          BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    give_up_at      TIMESTAMP NOT NULL,
    last_error      TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, id) WHERE status = 'PENDING';

-- Every SMTP attempt; error is NULL when the server accepted the message.
CREATE TABLE mail_attempt (
    id           INTEGER PRIMARY KEY,
    mail_id      BIGINT NOT NULL REFERENCES mail_outbox (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    error        TEXT,
    duration_ms  BIGINT NOT NULL
);
CREATE INDEX mail_attempt_mail ON mail_attempt (mail_id);

-- What the dev mailbox received: the SMTP envelope, the parsed subject,
-- text and HTML parts (empty when the message has none) and the raw bytes.
-- rcpt_to lists the envelope recipients separated by ", ".
CREATE TABLE dev_mail (
    id          INTEGER PRIMARY KEY,
    mail_from   TEXT NOT NULL,
    rcpt_to     TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    raw         BLOB NOT NULL,
    received_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE dev_mail;
DROP TABLE mail_attempt;
DROP TABLE mail_outbox;
