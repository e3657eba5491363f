-- +goose Up
-- code_key holds the server key that short, human-chosen codes (voucher and
-- gift certificate codes) are hashed with: HMAC-SHA256(key, SHA-256(code)).
-- Go migration 32 generates it and rehashes the codes stored before.
CREATE TABLE code_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    key_hex    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- code_attempt counts code attempts (voucher and gift certificate codes)
-- per subject ("ip:…", "session:…", "selection:…") in one-minute windows,
-- shared by every serve process.
CREATE TABLE code_attempt (
    subject      TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL
);

-- +goose Down
DROP TABLE code_attempt;
DROP TABLE code_key;
