-- +goose Up
-- Gift certificates (seed 004): what a store sells (gift_certificate), the
-- one in a selection, the credit voucher a purchase issues and its ledger,
-- and the shipment that completes a certificate's order at once.
CREATE TABLE gift_certificate (
    id                    INTEGER PRIMARY KEY,
    store_id              BIGINT NOT NULL REFERENCES store (id),
    code                  TEXT NOT NULL,
    name                  TEXT NOT NULL,
    type                  TEXT NOT NULL CHECK (type IN ('predeterminedAmount', 'anyAmount')),
    currency_of_sale_only BOOLEAN NOT NULL,
    show_gift_amount      BOOLEAN NOT NULL,
    validity_days         INTEGER NOT NULL CHECK (validity_days > 0),
    status                TEXT NOT NULL,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    UNIQUE (store_id, code)
);

-- A predetermined amount (amount_minor) or the bounds of any amount
-- (min_minor, max_minor) per currency.
CREATE TABLE gift_certificate_amount (
    gift_certificate_id BIGINT NOT NULL REFERENCES gift_certificate (id) ON DELETE CASCADE,
    currency            TEXT NOT NULL,
    amount_minor        BIGINT CHECK (amount_minor > 0),
    min_minor           BIGINT CHECK (min_minor > 0),
    max_minor           BIGINT,
    PRIMARY KEY (gift_certificate_id, currency),
    CHECK (max_minor IS NULL OR max_minor >= min_minor)
);

-- The certificate a selection buys: a selection holds one, and no items.
CREATE TABLE selection_gift_certificate (
    selection_id        TEXT PRIMARY KEY REFERENCES selection (id) ON DELETE CASCADE,
    gift_certificate_id BIGINT NOT NULL REFERENCES gift_certificate (id),
    amount_minor        BIGINT NOT NULL CHECK (amount_minor > 0),
    currency            TEXT NOT NULL
);

-- Credit vouchers (type CREDIT) carry their money: the amount issued, the
-- balance left, in one currency.
ALTER TABLE voucher ADD COLUMN credit_currency TEXT;
ALTER TABLE voucher ADD COLUMN credit_minor BIGINT;
ALTER TABLE voucher ADD COLUMN balance_minor BIGINT CHECK (balance_minor >= 0);
ALTER TABLE voucher ADD COLUMN currency_of_sale_only BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE voucher ADD COLUMN gift_certificate_id BIGINT REFERENCES gift_certificate (id);
ALTER TABLE voucher ADD COLUMN issued_by_order_id BIGINT REFERENCES orders (id);

-- Every change of a credit voucher's balance: ISSUE, DEBIT (an order paid
-- with it), CREDIT_BACK (that order cancelled).
CREATE TABLE credit_entry (
    id            INTEGER PRIMARY KEY,
    voucher_id    BIGINT NOT NULL REFERENCES voucher (id),
    order_id      BIGINT REFERENCES orders (id),
    kind          TEXT NOT NULL CHECK (kind IN ('ISSUE', 'DEBIT', 'CREDIT_BACK')),
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    currency      TEXT NOT NULL,
    balance_after BIGINT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX credit_entry_voucher ON credit_entry (voucher_id, id);
CREATE INDEX credit_entry_order ON credit_entry (order_id);

-- What a gift certificate order bought, and its message.
ALTER TABLE orders ADD COLUMN gift_message TEXT;
ALTER TABLE selection ADD COLUMN gift_message TEXT;
CREATE TABLE order_gift_certificate (
    order_id            BIGINT PRIMARY KEY REFERENCES orders (id),
    gift_certificate_id BIGINT NOT NULL REFERENCES gift_certificate (id),
    amount_minor        BIGINT NOT NULL,
    currency            TEXT NOT NULL,
    voucher_id          BIGINT REFERENCES voucher (id)
);

-- Shipments; a gift certificate's order gets one, completed at once. The
-- fulfilment issue adds lines, tracking and the rest.
CREATE TABLE shipment (
    id           INTEGER PRIMARY KEY,
    order_id     BIGINT NOT NULL REFERENCES orders (id),
    number       TEXT NOT NULL UNIQUE,
    is_good_to_go BOOLEAN NOT NULL,
    is_paid      BOOLEAN NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    shipped_at   TIMESTAMP,
    completed_at TIMESTAMP
);
CREATE INDEX shipment_order ON shipment (order_id);

-- How often a session did a limited thing (gift certificate balance
-- checks) in the current fixed window.
CREATE TABLE session_rate (
    session_id   BIGINT NOT NULL REFERENCES checkout_session (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (session_id, kind)
);

-- +goose Down
-- Seam runs no down migrations; this removes only the new tables.
DROP TABLE session_rate;
DROP TABLE shipment;
DROP TABLE order_gift_certificate;
DROP TABLE credit_entry;
DROP TABLE selection_gift_certificate;
DROP TABLE gift_certificate_amount;
