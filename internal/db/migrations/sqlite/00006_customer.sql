-- +goose Up
-- Shoppers, one per store and e-mail address (lower case); every order
-- names its customer. Issue 7 adds the customer API around it.
CREATE TABLE customer (
    id         INTEGER PRIMARY KEY,
    store_id   BIGINT NOT NULL REFERENCES store (id),
    email      TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name  TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (store_id, email)
);
ALTER TABLE orders ADD COLUMN customer_id BIGINT REFERENCES customer (id);
CREATE INDEX orders_customer ON orders (customer_id);

-- +goose Down
-- SQLite cannot drop a column that a foreign key uses: the column and the
-- table stay, unused.
DROP INDEX orders_customer;
