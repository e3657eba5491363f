-- +goose Up
-- The feed worker prunes the delivery log by age.
CREATE INDEX webhook_call_attempted ON webhook_call (attempted_at);

-- +goose Down
DROP INDEX webhook_call_attempted;
