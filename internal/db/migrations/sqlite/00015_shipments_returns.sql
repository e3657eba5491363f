-- +goose Up
-- Fulfilment (seed 003 "Shipment creation and capture" and "Returns"):
-- shipments get their lines, money, payment and shipping details; returns
-- take shipment lines back.

-- How much of each order line is in shipments; claimed with one
-- conditional update, so a line is never shipped twice.
ALTER TABLE order_line ADD COLUMN shipment_quantity BIGINT NOT NULL DEFAULT 0;

-- How much of an AUTHORIZATION entry was captured; claimed with one
-- conditional update, so concurrent captures never take more than was
-- authorized.
ALTER TABLE payment_history ADD COLUMN captured_minor BIGINT NOT NULL DEFAULT 0;

-- A shipment's money (minor units of the order's currency): what its lines
-- are worth, the order's shipping when it carries it, tax, the discounts
-- and credit set against it, and what was given back by returns.
ALTER TABLE shipment ADD COLUMN updated_at TIMESTAMP;
ALTER TABLE shipment ADD COLUMN paid_at TIMESTAMP;
ALTER TABLE shipment ADD COLUMN captured_at TIMESTAMP;
ALTER TABLE shipment ADD COLUMN additional_message TEXT;
ALTER TABLE shipment ADD COLUMN carrier TEXT;
ALTER TABLE shipment ADD COLUMN service TEXT;
ALTER TABLE shipment ADD COLUMN packages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shipment ADD COLUMN tracking_number TEXT;
ALTER TABLE shipment ADD COLUMN return_tracking_number TEXT;
ALTER TABLE shipment ADD COLUMN internal_cost_minor BIGINT;
ALTER TABLE shipment ADD COLUMN internal_cost_currency TEXT;
ALTER TABLE shipment ADD COLUMN currency TEXT;
ALTER TABLE shipment ADD COLUMN items_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE shipment ADD COLUMN shipping_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE shipment ADD COLUMN handling_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE shipment ADD COLUMN tax_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE shipment ADD COLUMN discount_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE shipment ADD COLUMN grand_total_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE shipment ADD COLUMN credit_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE shipment ADD COLUMN returned_shipping_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE shipment ADD COLUMN returned_handling_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE shipment ADD COLUMN returned_discount_minor BIGINT NOT NULL DEFAULT 0;

-- Order line units in a shipment, from one warehouse.
CREATE TABLE shipment_line (
    id                INTEGER PRIMARY KEY,
    shipment_id       BIGINT NOT NULL REFERENCES shipment (id) ON DELETE CASCADE ON UPDATE CASCADE,
    order_line_id     BIGINT NOT NULL REFERENCES order_line (id),
    warehouse_id      BIGINT REFERENCES warehouse (id),
    product_size_id   BIGINT NOT NULL REFERENCES product_size (id),
    quantity          BIGINT NOT NULL CHECK (quantity > 0),
    returned_quantity BIGINT NOT NULL DEFAULT 0 CHECK (returned_quantity >= 0 AND returned_quantity <= quantity),
    value_minor       BIGINT NOT NULL,
    tax_minor         BIGINT NOT NULL,
    discount_minor    BIGINT NOT NULL
);
CREATE INDEX shipment_line_shipment ON shipment_line (shipment_id);

-- Returns of shipment lines; stock_policy says where the units went.
CREATE TABLE shipment_return (
    id              INTEGER PRIMARY KEY,
    shipment_id     BIGINT NOT NULL REFERENCES shipment (id) ON UPDATE CASCADE,
    order_id        BIGINT NOT NULL REFERENCES orders (id),
    store_id        BIGINT NOT NULL REFERENCES store (id),
    status          TEXT NOT NULL CHECK (status IN ('IN_PROGRESS', 'COMPLETED')),
    stock_policy    TEXT NOT NULL CHECK (stock_policy IN ('releaseItemsBackToWarehouse', 'sendItemsToDifferentWarehouse', 'removeItemsFromStock')),
    warehouse_id    BIGINT REFERENCES warehouse (id),
    currency        TEXT NOT NULL,
    shipping_minor  BIGINT NOT NULL CHECK (shipping_minor >= 0),
    handling_minor  BIGINT NOT NULL CHECK (handling_minor >= 0),
    voucher_minor   BIGINT NOT NULL CHECK (voucher_minor >= 0),
    comment         TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    completed_at    TIMESTAMP
);
CREATE INDEX shipment_return_shipment ON shipment_return (shipment_id);
CREATE INDEX shipment_return_order ON shipment_return (order_id);

CREATE TABLE return_line (
    id               INTEGER PRIMARY KEY,
    return_id        BIGINT NOT NULL REFERENCES shipment_return (id) ON DELETE CASCADE ON UPDATE CASCADE,
    shipment_line_id BIGINT NOT NULL REFERENCES shipment_line (id) ON UPDATE CASCADE,
    warehouse_id     BIGINT REFERENCES warehouse (id),
    product_size_id  BIGINT NOT NULL REFERENCES product_size (id),
    quantity         BIGINT NOT NULL CHECK (quantity > 0),
    value_minor      BIGINT NOT NULL
);
CREATE INDEX return_line_return ON return_line (return_id);

-- +goose Down
DROP TABLE return_line;
DROP TABLE shipment_return;
DROP TABLE shipment_line;
