-- +goose Up
-- Selection payment links (seed 000): an operator builds a selection, a
-- link sells copies of it until one is paid. Product payment links (seed
-- 002, migration 00009) mark their selections with product_link_id.
ALTER TABLE store ADD COLUMN payment_link_template TEXT;

CREATE TABLE payment_link (
    id              INTEGER PRIMARY KEY,
    selection_id    TEXT NOT NULL REFERENCES selection (id),
    store_id        BIGINT NOT NULL REFERENCES store (id),
    hash            TEXT NOT NULL UNIQUE,
    lock_quantities BOOLEAN NOT NULL,
    ignore_shipping BOOLEAN NOT NULL,
    ignore_tax      BOOLEAN NOT NULL,
    expires_at      TIMESTAMP,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    used_at         TIMESTAMP,
    order_id        BIGINT REFERENCES orders (id),
    revoked_at      TIMESTAMP,
    revoked_by      TEXT
);
CREATE INDEX payment_link_selection ON payment_link (selection_id);

-- origin: SESSION (a shopper's), OPERATOR (built through the Integration
-- API, sold only through links), LINK (a copy claimed from a payment
-- link), PRODUCT_LINK (bought on a product payment link's page).
ALTER TABLE selection ADD COLUMN origin TEXT NOT NULL DEFAULT 'SESSION';
ALTER TABLE selection ADD COLUMN locked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE selection ADD COLUMN lock_quantities BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE selection ADD COLUMN ignore_shipping BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE selection ADD COLUMN ignore_tax BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE selection ADD COLUMN payment_link_id BIGINT REFERENCES payment_link (id);
ALTER TABLE selection ADD COLUMN product_link_id BIGINT;
ALTER TABLE selection ADD COLUMN customer_id BIGINT REFERENCES customer (id);
ALTER TABLE selection ADD COLUMN created_by TEXT;
ALTER TABLE selection ADD COLUMN deleted_at TIMESTAMP;
CREATE INDEX selection_payment_link ON selection (payment_link_id);

-- Who did what to links and other one-time things, and when.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    detail      TEXT,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- +goose Down
-- Seam runs no down migrations; this removes only the new table.
DROP TABLE audit_log;
