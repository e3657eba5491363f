-- +goose Up
-- Token lists (seam token list, apiTokens) show when each Integration API
-- token and Checkout API shared secret was last used; Seam notes it at most
-- every few minutes per token, so that reads do not turn into writes.
ALTER TABLE api_token ADD COLUMN last_used_at TIMESTAMPTZ;
ALTER TABLE checkout_secret ADD COLUMN last_used_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE checkout_secret DROP COLUMN last_used_at;
ALTER TABLE api_token DROP COLUMN last_used_at;
