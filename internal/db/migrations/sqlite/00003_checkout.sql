-- +goose Up
-- The Checkout API: sessions, selections, shipping, payment methods,
-- vouchers, stock reservations, orders and idempotency. The PostgreSQL twin
-- differs only in column types.

ALTER TABLE store ADD COLUMN autoconfirm_orders BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE store ADD COLUMN default_country_id BIGINT REFERENCES country (id);
ALTER TABLE store ADD COLUMN default_tax_group_id BIGINT REFERENCES tax_group (id);

CREATE TABLE language (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO language (code, name, is_default) VALUES ('en', 'English', TRUE);

CREATE TABLE shipping_price (
    id                 INTEGER PRIMARY KEY,
    shipping_option_id BIGINT NOT NULL REFERENCES shipping_option (id),
    pricelist_id       BIGINT NOT NULL REFERENCES pricelist (id) ON DELETE CASCADE,
    country_id         BIGINT REFERENCES country (id),
    price_minor        BIGINT NOT NULL CHECK (price_minor >= 0),
    free_above_minor   BIGINT CHECK (free_above_minor >= 0)
);
CREATE INDEX shipping_price_pricelist ON shipping_price (pricelist_id);

CREATE TABLE payment_method (
    id         INTEGER PRIMARY KEY,
    store_id   BIGINT NOT NULL REFERENCES store (id),
    name       TEXT NOT NULL,
    provider   TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    position   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE checkout_secret (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    hint        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);

CREATE TABLE checkout_session (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    selection_id TEXT,
    created_at   TIMESTAMP NOT NULL,
    seen_at      TIMESTAMP NOT NULL
);

CREATE TABLE selection (
    id                   TEXT PRIMARY KEY,
    store_id             BIGINT NOT NULL REFERENCES store (id),
    market_id            BIGINT NOT NULL REFERENCES market (id),
    pricelist_id         BIGINT NOT NULL REFERENCES pricelist (id),
    country_id           BIGINT REFERENCES country (id),
    state_id             BIGINT REFERENCES state (id),
    language             TEXT NOT NULL,
    shipping_option_id   BIGINT REFERENCES shipping_option (id),
    payment_method_id    BIGINT REFERENCES payment_method (id),
    address              TEXT,
    shipping_address     TEXT,
    comment              TEXT,
    status               TEXT NOT NULL,
    payment_ref          TEXT,
    payment_amount_minor BIGINT,
    reserved_until       TIMESTAMP,
    order_id             BIGINT,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX selection_reserved ON selection (status, reserved_until);

CREATE TABLE selection_line (
    id                 INTEGER PRIMARY KEY,
    line               TEXT NOT NULL UNIQUE,
    selection_id       TEXT NOT NULL REFERENCES selection (id) ON DELETE CASCADE,
    display_variant_id BIGINT NOT NULL REFERENCES display_variant (id),
    product_size_id    BIGINT NOT NULL REFERENCES product_size (id),
    quantity           BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_minor   BIGINT CHECK (unit_price_minor >= 0),
    position           INTEGER NOT NULL
);
CREATE INDEX selection_line_selection ON selection_line (selection_id);

CREATE TABLE voucher (
    id                   INTEGER PRIMARY KEY,
    store_id             BIGINT NOT NULL REFERENCES store (id),
    name                 TEXT NOT NULL,
    status               TEXT NOT NULL,
    start_at             TIMESTAMP NOT NULL,
    stop_at              TIMESTAMP NOT NULL,
    method               TEXT NOT NULL,
    code_hash            TEXT,
    code_hint            TEXT,
    url                  TEXT,
    priority             INTEGER NOT NULL,
    max_usages           BIGINT NOT NULL,
    usages               BIGINT NOT NULL DEFAULT 0,
    combine              BOOLEAN NOT NULL,
    reuse                BOOLEAN NOT NULL,
    type                 TEXT NOT NULL,
    entry_point_strategy TEXT NOT NULL,
    conversion_html      TEXT,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    CHECK (max_usages = 0 OR usages <= max_usages)
);
CREATE UNIQUE INDEX voucher_code ON voucher (store_id, code_hash);

CREATE TABLE voucher_market (
    voucher_id BIGINT NOT NULL REFERENCES voucher (id) ON DELETE CASCADE,
    market_id  BIGINT NOT NULL REFERENCES market (id),
    PRIMARY KEY (voucher_id, market_id)
);

CREATE TABLE voucher_action (
    id                  INTEGER PRIMARY KEY,
    voucher_id          BIGINT NOT NULL REFERENCES voucher (id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    is_entry_point      BOOLEAN NOT NULL,
    criteria            TEXT NOT NULL,
    result_type         TEXT NOT NULL,
    apply_on            TEXT,
    percent_off         TEXT,
    amount_off_minor    BIGINT,
    amount_off_currency TEXT,
    product_ids         TEXT,
    shipping_option_ids TEXT,
    continue_strategy   TEXT NOT NULL
);

CREATE TABLE selection_voucher (
    selection_id TEXT NOT NULL REFERENCES selection (id) ON DELETE CASCADE,
    voucher_id   BIGINT NOT NULL REFERENCES voucher (id),
    code_hint    TEXT NOT NULL,
    added_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (selection_id, voucher_id)
);

CREATE TABLE stock_reservation (
    id              INTEGER PRIMARY KEY,
    selection_id    TEXT NOT NULL REFERENCES selection (id) ON DELETE CASCADE,
    warehouse_id    BIGINT NOT NULL REFERENCES warehouse (id),
    product_size_id BIGINT NOT NULL REFERENCES product_size (id),
    quantity        BIGINT NOT NULL CHECK (quantity > 0)
);
CREATE INDEX stock_reservation_selection ON stock_reservation (selection_id);

CREATE TABLE counter (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counter (name, value) VALUES ('order_number', 0);

CREATE TABLE orders (
    id                  INTEGER PRIMARY KEY,
    hash                TEXT NOT NULL UNIQUE,
    number              BIGINT NOT NULL UNIQUE,
    store_id            BIGINT NOT NULL REFERENCES store (id),
    market_id           BIGINT NOT NULL REFERENCES market (id),
    pricelist_id        BIGINT NOT NULL REFERENCES pricelist (id),
    selection_id        TEXT UNIQUE,
    currency            TEXT NOT NULL,
    prices_include_tax  BOOLEAN NOT NULL,
    vat_exempt          BOOLEAN NOT NULL,
    status              TEXT NOT NULL,
    is_on_hold          BOOLEAN NOT NULL DEFAULT FALSE,
    is_locked           BOOLEAN NOT NULL DEFAULT FALSE,
    email               TEXT NOT NULL,
    language            TEXT NOT NULL,
    country_id          BIGINT REFERENCES country (id),
    state_id            BIGINT REFERENCES state (id),
    address             TEXT NOT NULL,
    shipping_address    TEXT NOT NULL,
    shipping_option_id  BIGINT REFERENCES shipping_option (id),
    shipping_name       TEXT,
    payment_method_id   BIGINT REFERENCES payment_method (id),
    payment_method_name TEXT,
    items_total_minor   BIGINT NOT NULL,
    discount_minor      BIGINT NOT NULL,
    shipping_minor      BIGINT NOT NULL,
    tax_minor           BIGINT NOT NULL,
    grand_total_minor   BIGINT NOT NULL,
    credit_minor        BIGINT NOT NULL DEFAULT 0,
    comment             TEXT,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX orders_created ON orders (created_at);

CREATE TABLE order_line (
    id                        INTEGER PRIMARY KEY,
    order_id                  BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position                  INTEGER NOT NULL,
    display_variant_id        BIGINT,
    product_id                BIGINT NOT NULL REFERENCES product (id),
    product_variant_id        BIGINT NOT NULL REFERENCES product_variant (id),
    product_size_id           BIGINT NOT NULL REFERENCES product_size (id),
    product_name              TEXT NOT NULL,
    variant_name              TEXT NOT NULL,
    size_name                 TEXT NOT NULL,
    sku                       TEXT NOT NULL,
    ean                       TEXT,
    quantity                  BIGINT NOT NULL,
    unit_price_minor          BIGINT NOT NULL,
    unit_original_price_minor BIGINT NOT NULL,
    discount_minor            BIGINT NOT NULL,
    line_value_minor          BIGINT NOT NULL,
    tax_percent               TEXT NOT NULL,
    tax_minor                 BIGINT NOT NULL
);
CREATE INDEX order_line_order ON order_line (order_id);

CREATE TABLE order_allocation (
    id              INTEGER PRIMARY KEY,
    order_line_id   BIGINT NOT NULL REFERENCES order_line (id) ON DELETE CASCADE,
    warehouse_id    BIGINT NOT NULL REFERENCES warehouse (id),
    product_size_id BIGINT NOT NULL REFERENCES product_size (id),
    quantity        BIGINT NOT NULL
);
CREATE INDEX order_allocation_line ON order_allocation (order_line_id);

CREATE TABLE order_voucher (
    order_id    BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    voucher_id  BIGINT NOT NULL REFERENCES voucher (id),
    value_minor BIGINT NOT NULL,
    PRIMARY KEY (order_id, voucher_id)
);

CREATE TABLE payment_history (
    id                 INTEGER PRIMARY KEY,
    order_id           BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    entry_type         TEXT NOT NULL,
    status             TEXT NOT NULL,
    value_minor        BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    external_reference TEXT,
    payment_method     TEXT,
    params             TEXT,
    created_at         TIMESTAMP NOT NULL
);
CREATE INDEX payment_history_order ON payment_history (order_id);

CREATE TABLE idempotency_key (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TABLE newsletter_subscription (
    id         INTEGER PRIMARY KEY,
    store_id   BIGINT NOT NULL REFERENCES store (id),
    email      TEXT NOT NULL,
    country_id BIGINT REFERENCES country (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (store_id, email)
);
