-- +goose Up
-- Product pictures (issue 12): each row is one uploaded image, resized once
-- into the named sizes listed in sizes ("mini,standard,full"); the files
-- live under the data directory as media/<key>/<size>.<ext>.
CREATE TABLE product_media (
    id          INTEGER PRIMARY KEY,
    product_id  BIGINT NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    file_key    TEXT NOT NULL UNIQUE,
    ext         TEXT NOT NULL,
    sizes       TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    source_url  TEXT,
    alt_text    TEXT,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX product_media_product ON product_media (product_id, position);

-- +goose Down
DROP TABLE product_media;
