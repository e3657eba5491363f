-- +goose Up
-- Seam's foundation: access, ID conversion, reference data, catalog, stock,
-- prices and displays. The PostgreSQL twin of this file differs only in
-- column types (identity ids, TIMESTAMPTZ) and in keeping the rate-limit
-- buckets, which SQLite keeps in a scratch file (db.Open).

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE api_token (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    hint        TEXT NOT NULL,
    permissions TEXT NOT NULL,
    limits      TEXT,
    store_id    BIGINT,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP,
    revoked_at  TIMESTAMP
);

-- Rate-limit buckets live in the scratch file seam-scratch.db (see db.Open).

CREATE TABLE id_conversion (
    id          INTEGER PRIMARY KEY,
    integration TEXT NOT NULL,
    object_type TEXT NOT NULL,
    external_id TEXT NOT NULL,
    internal_id BIGINT NOT NULL,
    UNIQUE (integration, object_type, external_id),
    UNIQUE (integration, object_type, internal_id)
);

CREATE TABLE country (
    id    INTEGER PRIMARY KEY,
    code  TEXT NOT NULL UNIQUE,
    name  TEXT NOT NULL,
    is_eu BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE state (
    id         INTEGER PRIMARY KEY,
    country_id BIGINT NOT NULL REFERENCES country (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    UNIQUE (country_id, code)
);

CREATE TABLE store (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL
);

CREATE TABLE market (
    id       INTEGER PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES store (id),
    name     TEXT NOT NULL
);

CREATE TABLE market_country (
    market_id  BIGINT NOT NULL REFERENCES market (id) ON DELETE CASCADE,
    country_id BIGINT NOT NULL REFERENCES country (id),
    PRIMARY KEY (market_id, country_id)
);

CREATE TABLE shipping_option (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE brand (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    uri  TEXT NOT NULL
);

CREATE TABLE collection (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    status TEXT NOT NULL
);

CREATE TABLE folder (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    parent_id BIGINT REFERENCES folder (id)
);

CREATE TABLE tax_group (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE tax_rule (
    id           INTEGER PRIMARY KEY,
    tax_group_id BIGINT NOT NULL REFERENCES tax_group (id),
    country_id   BIGINT NOT NULL REFERENCES country (id),
    state_id     BIGINT REFERENCES state (id),
    rate         TEXT NOT NULL
);
CREATE INDEX tax_rule_country ON tax_rule (country_id);

CREATE TABLE category (
    id         INTEGER PRIMARY KEY,
    store_id   BIGINT NOT NULL REFERENCES store (id),
    parent_id  BIGINT REFERENCES category (id),
    name       TEXT NOT NULL,
    uri        TEXT NOT NULL,
    status     TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    UNIQUE (store_id, parent_id, uri)
);

CREATE TABLE size_chart (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    horizontal_labels TEXT NOT NULL,
    vertical_labels   TEXT,
    divider_symbol    TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL
);

CREATE TABLE size (
    id               INTEGER PRIMARY KEY,
    size_chart_id    BIGINT NOT NULL REFERENCES size_chart (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    position         INTEGER NOT NULL,
    horizontal_label TEXT NOT NULL,
    vertical_label   TEXT,
    UNIQUE (size_chart_id, name)
);

CREATE TABLE product (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT NOT NULL,
    status                 TEXT NOT NULL,
    product_number         TEXT NOT NULL,
    brand_id               BIGINT REFERENCES brand (id),
    collection_id          BIGINT REFERENCES collection (id),
    folder_id              BIGINT REFERENCES folder (id),
    country_of_origin_id   BIGINT REFERENCES country (id),
    hs_code                TEXT,
    hs_code_description    TEXT,
    internal_comment       TEXT,
    is_bundle              BOOLEAN NOT NULL DEFAULT FALSE,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX product_number ON product (product_number);

CREATE TABLE product_variant (
    id                 INTEGER PRIMARY KEY,
    product_id         BIGINT NOT NULL REFERENCES product (id),
    name               TEXT NOT NULL,
    status             TEXT NOT NULL,
    variant_number     TEXT,
    internal_name      TEXT,
    unit_cost_minor    BIGINT,
    unit_cost_currency TEXT,
    size_chart_id      BIGINT REFERENCES size_chart (id),
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX product_variant_product ON product_variant (product_id);

CREATE TABLE product_size (
    id                 INTEGER PRIMARY KEY,
    product_variant_id BIGINT NOT NULL REFERENCES product_variant (id),
    size_id            BIGINT NOT NULL REFERENCES size (id),
    ean                TEXT,
    upc                TEXT,
    size_number        TEXT,
    comment            TEXT,
    preorder           BOOLEAN NOT NULL DEFAULT FALSE,
    is_active          BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (product_variant_id, size_id)
);

CREATE TABLE bundle (
    id                 INTEGER PRIMARY KEY,
    product_id         BIGINT NOT NULL UNIQUE REFERENCES product (id),
    product_variant_id BIGINT NOT NULL REFERENCES product_variant (id),
    type               TEXT NOT NULL,
    price_type         TEXT NOT NULL
);

CREATE TABLE bundle_section (
    id        INTEGER PRIMARY KEY,
    bundle_id BIGINT NOT NULL REFERENCES bundle (id),
    quantity  INTEGER NOT NULL,
    position  INTEGER NOT NULL
);

CREATE TABLE bundle_section_variant (
    bundle_section_id  BIGINT NOT NULL REFERENCES bundle_section (id),
    product_variant_id BIGINT NOT NULL REFERENCES product_variant (id),
    PRIMARY KEY (bundle_section_id, product_variant_id)
);

CREATE TABLE warehouse (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL,
    priority             INTEGER NOT NULL,
    hide_from_stock_view BOOLEAN NOT NULL,
    threshold            INTEGER NOT NULL,
    stock_master         TEXT NOT NULL,
    stock_ownership      TEXT NOT NULL,
    allocation_policy    TEXT NOT NULL,
    is_consignation      BOOLEAN NOT NULL,
    country_id           BIGINT REFERENCES country (id),
    state_id             BIGINT REFERENCES state (id),
    zip_code             TEXT
);

CREATE TABLE stock (
    warehouse_id    BIGINT NOT NULL REFERENCES warehouse (id),
    product_size_id BIGINT NOT NULL REFERENCES product_size (id),
    physical        BIGINT NOT NULL,
    allocated       BIGINT NOT NULL DEFAULT 0 CHECK (allocated >= 0),
    PRIMARY KEY (warehouse_id, product_size_id)
);
CREATE INDEX stock_product_size ON stock (product_size_id);

CREATE TABLE stock_change (
    id                INTEGER PRIMARY KEY,
    kind              TEXT NOT NULL,
    description       TEXT NOT NULL,
    into_warehouse_id BIGINT REFERENCES warehouse (id),
    out_warehouse_id  BIGINT REFERENCES warehouse (id),
    created_by        TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL
);

CREATE TABLE stock_change_line (
    id                 INTEGER PRIMARY KEY,
    stock_change_id    BIGINT NOT NULL REFERENCES stock_change (id),
    warehouse_id       BIGINT NOT NULL REFERENCES warehouse (id),
    product_size_id    BIGINT NOT NULL REFERENCES product_size (id),
    quantity           BIGINT NOT NULL,
    unit_cost_minor    BIGINT,
    unit_cost_currency TEXT
);
CREATE INDEX stock_change_line_change ON stock_change_line (stock_change_id);

CREATE TABLE pricelist (
    id                         INTEGER PRIMARY KEY,
    store_id                   BIGINT NOT NULL REFERENCES store (id),
    name                       TEXT NOT NULL,
    status                     TEXT NOT NULL,
    currency                   TEXT NOT NULL,
    comment                    TEXT,
    default_shipping_option_id BIGINT REFERENCES shipping_option (id),
    prices_include_tax         BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE pricelist_country (
    pricelist_id BIGINT NOT NULL REFERENCES pricelist (id) ON DELETE CASCADE,
    country_id   BIGINT NOT NULL REFERENCES country (id),
    PRIMARY KEY (pricelist_id, country_id)
);

-- product_variant_id 0 is the product's price; another value overrides it
-- for one variant.
CREATE TABLE price (
    pricelist_id       BIGINT NOT NULL REFERENCES pricelist (id) ON DELETE CASCADE,
    product_id         BIGINT NOT NULL REFERENCES product (id),
    product_variant_id BIGINT NOT NULL DEFAULT 0,
    price_minor        BIGINT NOT NULL CHECK (price_minor >= 0),
    discount_minor     BIGINT CHECK (discount_minor >= 0),
    rrp_minor          BIGINT CHECK (rrp_minor >= 0),
    PRIMARY KEY (pricelist_id, product_id, product_variant_id)
);
CREATE INDEX price_product ON price (product_id);

CREATE TABLE price_alteration (
    id         INTEGER PRIMARY KEY,
    store_id   BIGINT NOT NULL REFERENCES store (id),
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date   DATE
);
-- A store has at most one active price alteration.
CREATE UNIQUE INDEX price_alteration_one_active ON price_alteration (store_id) WHERE status = 'ACTIVE';

CREATE TABLE altered_price (
    price_alteration_id BIGINT NOT NULL REFERENCES price_alteration (id) ON DELETE CASCADE,
    pricelist_id        BIGINT NOT NULL REFERENCES pricelist (id) ON DELETE CASCADE,
    product_id          BIGINT NOT NULL REFERENCES product (id),
    product_variant_id  BIGINT NOT NULL DEFAULT 0,
    price_minor         BIGINT NOT NULL CHECK (price_minor >= 0),
    rrp_minor           BIGINT CHECK (rrp_minor >= 0),
    PRIMARY KEY (price_alteration_id, pricelist_id, product_id, product_variant_id)
);

CREATE TABLE display (
    id                         INTEGER PRIMARY KEY,
    store_id                   BIGINT NOT NULL REFERENCES store (id),
    product_id                 BIGINT NOT NULL REFERENCES product (id),
    name                       TEXT NOT NULL,
    status                     TEXT NOT NULL,
    uri                        TEXT NOT NULL,
    minimum_order_quantity     INTEGER,
    order_quantity_denominator INTEGER,
    description                TEXT,
    short_description          TEXT,
    meta_title                 TEXT,
    meta_description           TEXT,
    meta_keywords              TEXT,
    comment                    TEXT,
    tags                       TEXT NOT NULL,
    canonical_category_id      BIGINT REFERENCES category (id),
    tax_group_id               BIGINT REFERENCES tax_group (id),
    created_at                 TIMESTAMP NOT NULL,
    updated_at                 TIMESTAMP NOT NULL,
    UNIQUE (store_id, uri)
);
CREATE INDEX display_product ON display (product_id);

-- A display variant is a display item: what a storefront sells as one
-- product (its id is the Checkout API's product id).
CREATE TABLE display_variant (
    id                 INTEGER PRIMARY KEY,
    display_id         BIGINT NOT NULL REFERENCES display (id) ON DELETE CASCADE,
    product_variant_id BIGINT NOT NULL REFERENCES product_variant (id),
    UNIQUE (display_id, product_variant_id)
);

CREATE TABLE display_market (
    display_id BIGINT NOT NULL REFERENCES display (id) ON DELETE CASCADE,
    market_id  BIGINT NOT NULL REFERENCES market (id),
    PRIMARY KEY (display_id, market_id)
);

CREATE TABLE display_category (
    display_id  BIGINT NOT NULL REFERENCES display (id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES category (id),
    PRIMARY KEY (display_id, category_id)
);
