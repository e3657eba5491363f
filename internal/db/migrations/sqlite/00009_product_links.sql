-- +goose Up
-- Product payment links (seed 002): a seller's tool makes, through the
-- mel-store API, a link that sells one product at special prices, once or
-- any number of times, until it is deleted or expires. Buyers pay on
-- /p/{product}?uuid=…; every sale is recorded and reported to the store's
-- after-sale webhook. The PostgreSQL twin differs only in column types.

-- Currencies as the mel-store API numbers them (prices.*.currency_id).
CREATE TABLE currency (
    id   BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE
);
INSERT INTO currency (id, code) VALUES (1, 'SEK'), (2, 'USD'), (3, 'EUR'), (4, 'JPY');

-- 1 base = rate quote, as exact decimal text. A link's EUR price is derived
-- from its USD price with the USD→EUR rate.
CREATE TABLE exchange_rate (
    base       TEXT NOT NULL,
    quote      TEXT NOT NULL,
    rate       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (base, quote)
);

-- Where a store's after-sale webhook goes, and the secret that signs it
-- (plain text: signing needs it).
ALTER TABLE store ADD COLUMN after_sale_url TEXT;
ALTER TABLE store ADD COLUMN after_sale_secret TEXT;

-- A link is known by the SHA-256 of its uuid; uuid_hint is its last four
-- characters. metadata is the seller's JSON object as sent. sales counts
-- orders; a use_once link is used (used_at, order_id) by its one order.
CREATE TABLE product_link (
    id         INTEGER PRIMARY KEY,
    uuid_hash  TEXT NOT NULL UNIQUE,
    uuid_hint  TEXT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES product (id),
    store_id   BIGINT NOT NULL REFERENCES store (id),
    use_once   BOOLEAN NOT NULL,
    metadata   TEXT,
    expires_at TIMESTAMP,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sales      BIGINT NOT NULL DEFAULT 0,
    used_at    TIMESTAMP,
    order_id   BIGINT REFERENCES orders (id),
    deleted_at TIMESTAMP,
    deleted_by TEXT
);
CREATE INDEX product_link_product ON product_link (product_id);

-- One price per currency, in minor units. A derived price (EUR) names the
-- currency and rate it came from.
CREATE TABLE product_link_price (
    product_link_id BIGINT NOT NULL REFERENCES product_link (id),
    position        INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    price_minor     BIGINT NOT NULL CHECK (price_minor > 0),
    discount_minor  BIGINT CHECK (discount_minor > 0),
    derived_from    TEXT,
    exchange_rate   TEXT,
    PRIMARY KEY (product_link_id, currency),
    CHECK (discount_minor IS NULL OR discount_minor < price_minor)
);

-- What a buyer gave on a product page that the order does not keep (the
-- name as written, the phone number, additional fields): one row per
-- selection made there.
CREATE TABLE product_link_checkout (
    selection_id      TEXT PRIMARY KEY REFERENCES selection (id),
    product_id        BIGINT NOT NULL REFERENCES product (id),
    product_link_id   BIGINT REFERENCES product_link (id),
    customer_name     TEXT NOT NULL,
    customer_phone    TEXT NOT NULL,
    additional_fields TEXT,
    created_at        TIMESTAMP NOT NULL
);

-- A completed sale through a link; uuid is the sale's transaction id in
-- the after-sale webhook.
CREATE TABLE product_link_sale (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    product_link_id BIGINT NOT NULL REFERENCES product_link (id),
    order_id        BIGINT NOT NULL UNIQUE REFERENCES orders (id),
    selection_id    TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount_minor    BIGINT NOT NULL,
    total_minor     BIGINT NOT NULL,
    vat_minor       BIGINT NOT NULL,
    exchange_rate   TEXT,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX product_link_sale_link ON product_link_sale (product_link_id);

-- +goose Down
-- Seam runs no down migrations; this removes only the new tables.
DROP TABLE product_link_sale;
DROP TABLE product_link_checkout;
DROP TABLE product_link_price;
DROP TABLE product_link;
DROP TABLE exchange_rate;
DROP TABLE currency;
