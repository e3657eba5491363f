-- +goose Up
-- UNIQUE (store_id, parent_id, uri) lets top categories (parent NULL) share
-- a URI, since NULLs are distinct; this index treats them as siblings.
CREATE UNIQUE INDEX category_sibling_uri ON category (store_id, COALESCE(parent_id, 0), uri);

-- +goose Down
DROP INDEX category_sibling_uri;
