-- +goose Up
-- A gift certificate order has a line for the certificate (seed 004: the
-- ERP reads what was sold), which is no product: the product columns of
-- order_line become nullable.
ALTER TABLE order_line ALTER COLUMN product_id DROP NOT NULL;
ALTER TABLE order_line ALTER COLUMN product_variant_id DROP NOT NULL;
ALTER TABLE order_line ALTER COLUMN product_size_id DROP NOT NULL;

-- +goose Down
ALTER TABLE order_line ALTER COLUMN product_size_id SET NOT NULL;
ALTER TABLE order_line ALTER COLUMN product_variant_id SET NOT NULL;
ALTER TABLE order_line ALTER COLUMN product_id SET NOT NULL;
