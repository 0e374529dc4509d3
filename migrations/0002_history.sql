-- The history index: a rebuildable cache of the branch's commits and the
-- files (and front matter fields) each changed. git stays the truth.
CREATE TABLE history_commits (
    -- Order of indexing: every commit after its ancestors.
    seq          INTEGER PRIMARY KEY,
    sha          TEXT    NOT NULL UNIQUE,
    author_name  TEXT    NOT NULL,
    author_email TEXT    NOT NULL,
    -- Author time, seconds since the Unix epoch.
    time         INTEGER NOT NULL,
    summary      TEXT    NOT NULL,
    -- The Cairn-User trailer, for commits Cairn made.
    user_id      INTEGER
);
CREATE INDEX history_commits_by_author ON history_commits (author_email, seq);
CREATE INDEX history_commits_by_time ON history_commits (time);

CREATE TABLE history_files (
    seq      INTEGER NOT NULL REFERENCES history_commits (seq) ON DELETE CASCADE,
    path     TEXT    NOT NULL,
    old_path TEXT,
    change   TEXT    NOT NULL CHECK (change IN ('added', 'modified', 'deleted', 'renamed')),
    -- Changed front matter keys, comma-separated, `body` for the body.
    fields   TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (seq, path)
);
CREATE INDEX history_files_by_path ON history_files (path, seq);

-- The branch tip the index has reached.
CREATE TABLE history_state (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    tip  TEXT NOT NULL
);
