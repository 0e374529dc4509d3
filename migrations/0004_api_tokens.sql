-- API tokens. Only a SHA-256 of the token is stored; it is shown once.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    role         TEXT    NOT NULL CHECK (role IN ('editor', 'reviewer')),
    -- whose name and email the token's commits are authored with (NULL: the
    -- token's own name, for tokens made from the command line)
    owner_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
