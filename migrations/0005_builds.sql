-- Static builds Cairn runs after publishing: one row per run.
CREATE TABLE builds (
    id          INTEGER PRIMARY KEY,
    commit_id   TEXT    NOT NULL,
    -- what started it: 'push' (after a successful push), 'fetch' (after
    -- taking in the remote's commits), 'commit' (no remote: after a
    -- commit), 'restart' (built again: a crash cut the run before short)
    trigger     TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    status      TEXT    NOT NULL
        CHECK (status IN ('running', 'succeeded', 'failed', 'timed_out', 'interrupted')),
    exit_code   INTEGER,
    -- the build command's process group while it runs (to stop what a
    -- crashed Cairn left running)
    pid         INTEGER,
    -- the last part of the combined output (and the build hook's answer)
    log_tail    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX builds_by_status ON builds (status, id);
