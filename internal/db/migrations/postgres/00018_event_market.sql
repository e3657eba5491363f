-- +goose Up
-- Centra's Event has a market (an order's, a selection's) and its events
-- filter takes marketId. Events recorded before this migration get the
-- market of their order, selection, shipment or return where it exists.
ALTER TABLE event ADD COLUMN market_id BIGINT;
UPDATE event SET market_id = (SELECT o.market_id FROM orders o WHERE o.hash = event.object_id)
    WHERE object_type = 'Order';
UPDATE event SET market_id = (SELECT s.market_id FROM selection s WHERE s.id = event.object_id)
    WHERE object_type = 'Selection';
UPDATE event SET market_id = (SELECT o.market_id FROM shipment sh JOIN orders o ON o.id = sh.order_id
    WHERE CAST(sh.id AS TEXT) = event.object_id) WHERE object_type = 'Shipment';
UPDATE event SET market_id = (SELECT o.market_id FROM shipment_return r JOIN orders o ON o.id = r.order_id
    WHERE CAST(r.id AS TEXT) = event.object_id) WHERE object_type = 'Return';

-- +goose Down
ALTER TABLE event DROP COLUMN market_id;
