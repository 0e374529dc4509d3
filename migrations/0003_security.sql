-- Bumped when a user's password, role or status changes: sessions signed in
-- under an older epoch are refused everywhere.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- One-time links to set a password (new accounts, resets). Only a SHA-256
-- of the token is stored; the link itself is shown once.
CREATE TABLE password_links (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX password_links_user ON password_links (user_id);

-- Logins, logouts, account changes, token creation: who, when, from where.
CREATE TABLE security_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    event    TEXT    NOT NULL,
    -- the account concerned (for a failed login, the name as typed)
    username TEXT    NOT NULL,
    -- who did it: a username, or `cli` for the command line
    actor    TEXT    NOT NULL,
    address  TEXT    NOT NULL,
    detail   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX security_log_at ON security_log (at);
