-- A form posted after its sender's session ended: kept (for a short time)
-- until that same account signs in again on that browser, then saved.
CREATE TABLE pending_edits (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX pending_edits_created ON pending_edits(created_at);
