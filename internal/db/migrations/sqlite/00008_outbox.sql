-- +goose Up
-- The transactional outbox: every state change writes its event row, and
-- any webhook messages for it, in the transaction that makes the change.
-- The events feed reads event in id order; the webhook worker claims due
-- webhook_delivery rows, POSTs them after commit and records every attempt
-- in webhook_attempt. The PostgreSQL twin differs only in column types.

-- id is the feed's cursor. AUTOINCREMENT never reuses an id, and SQLite's
-- one writer makes id order commit order (on PostgreSQL event.Record takes
-- the 'event' counter row's lock for the same).
CREATE TABLE event (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id    BIGINT,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX event_object ON event (object_type, object_id);
INSERT INTO counter (name, value) VALUES ('event', 0);

-- One message to one URL. secret is kept in plain text: signing needs it.
-- claims counts the workers' claims; a worker records its outcome only
-- while the row still carries its claim.
CREATE TABLE webhook_delivery (
    id              INTEGER PRIMARY KEY,
    event_id        BIGINT REFERENCES event (id) ON DELETE SET NULL,
    kind            TEXT NOT NULL,
    store_id        BIGINT,
    url             TEXT NOT NULL,
    secret          TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    claims          BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP,
    give_up_at      TIMESTAMP NOT NULL,
    last_error      TEXT
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at, id) WHERE status = 'PENDING';
CREATE INDEX webhook_delivery_url ON webhook_delivery (url, next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_delivery_event ON webhook_delivery (event_id);

CREATE TABLE webhook_attempt (
    id           INTEGER PRIMARY KEY,
    delivery_id  BIGINT NOT NULL REFERENCES webhook_delivery (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    duration_ms  BIGINT NOT NULL
);
CREATE INDEX webhook_attempt_delivery ON webhook_attempt (delivery_id);

-- +goose Down
DROP TABLE webhook_attempt;
DROP TABLE webhook_delivery;
DELETE FROM counter WHERE name = 'event';
DROP TABLE event;
