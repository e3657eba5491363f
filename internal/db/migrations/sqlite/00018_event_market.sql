-- +goose Up
-- Centra's Event has a market (an order's, a selection's) and its events
-- filter takes marketId.
ALTER TABLE event ADD COLUMN market_id BIGINT;

-- +goose Down
ALTER TABLE event DROP COLUMN market_id;
