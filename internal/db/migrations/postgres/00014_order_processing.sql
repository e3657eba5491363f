-- +goose Up
-- Order processing (seed 003): order lines keep the comment and delivery
-- window that addLines merges on, and what was cancelled and shipped of
-- them; orders keep why they were cancelled and whether they are internal;
-- a store may put new orders straight into a shipment.
ALTER TABLE order_line ADD COLUMN comment TEXT NOT NULL DEFAULT '';
ALTER TABLE order_line ADD COLUMN delivery_window_id BIGINT;
ALTER TABLE order_line ADD COLUMN cancelled_quantity BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN cancellation_comment TEXT;
ALTER TABLE orders ADD COLUMN is_internal BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE store ADD COLUMN direct_to_shipment BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE store DROP COLUMN direct_to_shipment;
ALTER TABLE orders DROP COLUMN is_internal;
ALTER TABLE orders DROP COLUMN cancellation_comment;
ALTER TABLE order_line DROP COLUMN cancelled_quantity;
ALTER TABLE order_line DROP COLUMN delivery_window_id;
ALTER TABLE order_line DROP COLUMN comment;
