-- +goose Up
-- The provider and its reference (a Stripe PaymentIntent) of the payment
-- attempt in progress, so that releasing the attempt can void it.
ALTER TABLE selection ADD COLUMN payment_provider TEXT;
ALTER TABLE selection ADD COLUMN payment_external TEXT;

-- +goose Down
ALTER TABLE selection DROP COLUMN payment_external;
ALTER TABLE selection DROP COLUMN payment_provider;
