-- +goose NO TRANSACTION
-- +goose Up
-- Customers: a store may have one registered and one unregistered (guest)
-- customer per e-mail address, as Centra does; orders of shoppers who were
-- not logged in go to the unregistered one. SQLite cannot drop the old
-- UNIQUE (store_id, email), so the table is rebuilt the way SQLite's
-- documentation prescribes: foreign keys off (outside a transaction; the
-- write pool has one connection), copy, swap, foreign keys on. The
-- attribute tables are made in the same transaction, so that the migration
-- happens entirely or not at all.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE customer_new (
    id            INTEGER PRIMARY KEY,
    store_id      BIGINT NOT NULL REFERENCES store (id),
    email         TEXT NOT NULL,
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    registered    BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT,
    UNIQUE (store_id, email, registered)
);
INSERT INTO customer_new (id, store_id, email, first_name, last_name, created_at, updated_at)
    SELECT id, store_id, email, first_name, last_name, created_at, updated_at FROM customer;
DROP TABLE customer;
ALTER TABLE customer_new RENAME TO customer;

-- Custom attributes. An attribute type (from the configuration file or
-- createAttributeType) names its object type and its elements. A mapped
-- type's values are defined once (mapped_attribute) and assigned by id; a
-- dynamic type's element values are set on each object.
CREATE TABLE attribute_type (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    object_type TEXT NOT NULL,
    is_mapped   BOOLEAN NOT NULL,
    is_multi    BOOLEAN NOT NULL,
    readonly    BOOLEAN NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('config', 'api')),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- options is a JSON list of {value, name} for SELECT elements.
CREATE TABLE attribute_type_element (
    type_id     BIGINT NOT NULL REFERENCES attribute_type (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    key         TEXT NOT NULL,
    description TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('INPUT', 'TEXTAREA', 'BOOLEAN', 'SELECT', 'FILE', 'IMAGE')),
    is_multi    BOOLEAN NOT NULL,
    options     TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (type_id, key)
);

CREATE TABLE mapped_attribute (
    id         INTEGER PRIMARY KEY,
    type_id    BIGINT NOT NULL REFERENCES attribute_type (id),
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (type_id, name)
);

CREATE TABLE mapped_attribute_value (
    attribute_id BIGINT NOT NULL REFERENCES mapped_attribute (id) ON DELETE CASCADE,
    element_key  TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (attribute_id, element_key)
);

-- Dynamic values set on objects (object_id is the object's Seam id; an
-- order's is orders.id, not its number).
CREATE TABLE attribute_value (
    object_type TEXT NOT NULL,
    object_id   BIGINT NOT NULL,
    type_id     BIGINT NOT NULL REFERENCES attribute_type (id),
    element_key TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (object_type, object_id, type_id, element_key)
);

-- Mapped attributes assigned to objects.
CREATE TABLE attribute_assignment (
    object_type  TEXT NOT NULL,
    object_id    BIGINT NOT NULL,
    attribute_id BIGINT NOT NULL REFERENCES mapped_attribute (id),
    PRIMARY KEY (object_type, object_id, attribute_id)
);

COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
DROP TABLE attribute_assignment;
DROP TABLE attribute_value;
DROP TABLE mapped_attribute_value;
DROP TABLE mapped_attribute;
DROP TABLE attribute_type_element;
DROP TABLE attribute_type;
-- The customer table keeps its new columns and constraint (see 00006).
