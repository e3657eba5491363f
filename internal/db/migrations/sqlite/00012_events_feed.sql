-- +goose Up
-- The Integration API's events queue (setEventListeners, events,
-- confirmEvents). An integration (a token name) listens for object types;
-- event.Record copies each new event into event_queue once for every
-- integration listening for its type and change type, in the transaction
-- that records the event. The events query reads one integration's queue
-- in event id (commit) order through the primary key; confirmEvents deletes
-- from it, leaving other integrations' queues alone.

-- change_types is ',CREATED,UPDATED,' style, or '' for every change type.
CREATE TABLE event_listener (
    integration  TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    change_types TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (integration, object_type)
);
CREATE INDEX event_listener_type ON event_listener (object_type);

CREATE TABLE event_queue (
    integration TEXT NOT NULL,
    event_id    BIGINT NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    object_type TEXT NOT NULL,
    change_type TEXT NOT NULL,
    PRIMARY KEY (integration, event_id)
);
CREATE INDEX event_queue_type ON event_queue (integration, object_type, event_id);

-- +goose Down
DROP TABLE event_queue;
DROP TABLE event_listener;
