-- +goose Up
-- Webhook subscriptions on the events feed. A subscription's cursor is the
-- id of the last feed event it has dealt with (delivered, or skipped by its
-- filter); a worker claims the subscription (claims fences its outcome,
-- next_attempt_at is its lease), POSTs up to 100 matching events after the
-- cursor in one signed call and moves the cursor on a 2xx answer. One
-- cursor per subscription keeps its events in feed order, and one claim at
-- a time keeps two workers from sending the same events. Every call is
-- logged in webhook_call. The PostgreSQL twin differs only in column types.
CREATE TABLE webhook_subscription (
    id              INTEGER PRIMARY KEY,
    -- config_name is set for subscriptions from seam serve's
    -- --webhooks-config file, which owns them; NULL for API ones.
    config_name     TEXT UNIQUE,
    url             TEXT NOT NULL,
    secret          TEXT NOT NULL,
    flavour         TEXT NOT NULL CHECK (flavour IN ('INTEGRATION_API', 'JSON')),
    -- JSON string lists; [] means every object type or action.
    object_types    TEXT NOT NULL,
    actions         TEXT NOT NULL,
    store_id        BIGINT,
    status          TEXT NOT NULL CHECK (status IN ('ACTIVE', 'FAILING')),
    cursor_event_id BIGINT NOT NULL,
    -- attempts counts the failed calls in a row; retrying_since is the
    -- first of them.
    attempts        INTEGER NOT NULL DEFAULT 0,
    retrying_since  TIMESTAMP,
    claims          BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error      TEXT,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX webhook_subscription_due ON webhook_subscription (next_attempt_at, id) WHERE status = 'ACTIVE';

-- One signed POST of a batch of events and how it went.
CREATE TABLE webhook_call (
    id              INTEGER PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscription (id) ON DELETE CASCADE,
    first_event_id  BIGINT NOT NULL,
    last_event_id   BIGINT NOT NULL,
    event_count     INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('DELIVERED', 'FAILED')),
    status_code     INTEGER,
    error           TEXT,
    duration_ms     BIGINT NOT NULL,
    attempt         INTEGER NOT NULL,
    attempted_at    TIMESTAMP NOT NULL
);
CREATE INDEX webhook_call_subscription ON webhook_call (subscription_id, id);

-- +goose Down
DROP TABLE webhook_call;
DROP TABLE webhook_subscription;
