-- +goose NO TRANSACTION
-- +goose Up
-- A gift certificate order has a line for the certificate (seed 004: the
-- ERP reads what was sold), which is no product: the product columns of
-- order_line become nullable. SQLite cannot drop NOT NULL, so the table is
-- rebuilt as SQLite's documentation describes, with foreign keys off (a
-- setting that only works outside a transaction; the write pool has one
-- connection, so every statement below runs on it).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE order_line_new (
    id                        INTEGER PRIMARY KEY,
    order_id                  BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position                  INTEGER NOT NULL,
    display_variant_id        BIGINT,
    product_id                BIGINT REFERENCES product (id),
    product_variant_id        BIGINT REFERENCES product_variant (id),
    product_size_id           BIGINT REFERENCES product_size (id),
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
    tax_minor                 BIGINT NOT NULL,
    comment                   TEXT NOT NULL DEFAULT '',
    delivery_window_id        BIGINT,
    cancelled_quantity        BIGINT NOT NULL DEFAULT 0,
    shipment_quantity         BIGINT NOT NULL DEFAULT 0
);
INSERT INTO order_line_new SELECT id, order_id, position, display_variant_id, product_id, product_variant_id, product_size_id,
    product_name, variant_name, size_name, sku, ean, quantity, unit_price_minor, unit_original_price_minor, discount_minor,
    line_value_minor, tax_percent, tax_minor, comment, delivery_window_id, cancelled_quantity, shipment_quantity FROM order_line;
DROP TABLE order_line;
ALTER TABLE order_line_new RENAME TO order_line;
CREATE INDEX order_line_order ON order_line (order_id);
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE order_line_new (
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
    tax_minor                 BIGINT NOT NULL,
    comment                   TEXT NOT NULL DEFAULT '',
    delivery_window_id        BIGINT,
    cancelled_quantity        BIGINT NOT NULL DEFAULT 0,
    shipment_quantity         BIGINT NOT NULL DEFAULT 0
);
INSERT INTO order_line_new SELECT id, order_id, position, display_variant_id, product_id, product_variant_id, product_size_id,
    product_name, variant_name, size_name, sku, ean, quantity, unit_price_minor, unit_original_price_minor, discount_minor,
    line_value_minor, tax_percent, tax_minor, comment, delivery_window_id, cancelled_quantity, shipment_quantity FROM order_line;
DROP TABLE order_line;
ALTER TABLE order_line_new RENAME TO order_line;
CREATE INDEX order_line_order ON order_line (order_id);
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
