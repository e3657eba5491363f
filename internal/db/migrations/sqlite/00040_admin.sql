-- +goose Up
-- The back office: operators who sign in with a password, their sessions
-- (rows, so that every serve process shares them) and failed sign-ins
-- (rows, so that throttling holds across processes).

CREATE TABLE admin_user (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    disabled_at   TIMESTAMP
);

CREATE TABLE admin_session (
    id_hash      TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES admin_user (id) ON DELETE CASCADE,
    form_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX admin_session_user ON admin_session (user_id);
CREATE INDEX admin_session_expires ON admin_session (expires_at);

CREATE TABLE admin_login_failure (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL,
    ip         TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX admin_login_failure_email ON admin_login_failure (email, created_at);
CREATE INDEX admin_login_failure_ip ON admin_login_failure (ip, created_at);

-- The audit log page lists newest first; an order's page shows the link
-- it used.
CREATE INDEX audit_log_created ON audit_log (created_at);
CREATE INDEX payment_link_order ON payment_link (order_id);

-- +goose Down
-- Seam runs no down migrations; this removes only the new tables.
DROP INDEX payment_link_order;
DROP INDEX audit_log_created;
DROP TABLE admin_login_failure;
DROP TABLE admin_session;
DROP TABLE admin_user;
