-- +goose Up
-- An Idempotency-Key claim holds a lease, renewed while its request runs:
-- when the process running it dies, the lease lapses and the same key runs
-- again instead of answering 409 for 24 hours. claim_id names the claim,
-- so that a request whose lease was taken over cannot finish the key.
-- Claims made before this migration have no lease and count as lapsed.
ALTER TABLE idempotency_key ADD COLUMN lease_until TIMESTAMP;
ALTER TABLE idempotency_key ADD COLUMN claim_id TEXT;

-- +goose Down
ALTER TABLE idempotency_key DROP COLUMN claim_id;
ALTER TABLE idempotency_key DROP COLUMN lease_until;
