-- goldthread store, first schema. Timestamps are fixed-width UTC text
-- (2026-01-02T03:04:05.000000Z) so they sort and compare as text; nested
-- values are JSON text.

CREATE TABLE items (
    ref             TEXT PRIMARY KEY,
    source          TEXT NOT NULL,
    key             TEXT NOT NULL,
    url             TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    type            TEXT,
    labels          TEXT NOT NULL,
    state           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    parents         TEXT NOT NULL,
    status          TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    is_pull_request INTEGER NOT NULL,
    comment_count   INTEGER
);
CREATE INDEX items_by_source ON items (source, ref);

CREATE TABLE verdicts (
    ref            TEXT PRIMARY KEY,
    layer          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    reason         TEXT NOT NULL,
    chain          TEXT NOT NULL,
    via            TEXT,
    detail         TEXT NOT NULL,
    classification TEXT,
    evaluated_at   TEXT NOT NULL
);

CREATE TABLE barren (
    position INTEGER PRIMARY KEY,
    ref      TEXT NOT NULL,
    layer    TEXT NOT NULL,
    missing  TEXT NOT NULL
);

CREATE TABLE cursors (
    source TEXT NOT NULL,
    scope  TEXT NOT NULL,
    cursor TEXT NOT NULL,
    PRIMARY KEY (source, scope)
);

CREATE TABLE ledger (
    ref                 TEXT PRIMARY KEY,
    label_applied       INTEGER NOT NULL,
    comment_id          TEXT,
    comment_fingerprint TEXT,
    updated_at          TEXT NOT NULL
);

CREATE TABLE inbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    source          TEXT NOT NULL,
    delivery_key    TEXT NOT NULL,
    event           TEXT NOT NULL,
    item_hint       TEXT,
    payload         BLOB NOT NULL,
    received_at     TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT,
    UNIQUE (source, delivery_key)
);
CREATE INDEX inbox_by_status ON inbox (status, id);

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    outcome     TEXT,
    stats_json  TEXT
);

CREATE TABLE coverage (
    run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    at      TEXT NOT NULL,
    source  TEXT NOT NULL,
    layer   TEXT NOT NULL,
    traced  INTEGER NOT NULL,
    orphan  INTEGER NOT NULL,
    broken  INTEGER NOT NULL,
    exempt  INTEGER NOT NULL,
    PRIMARY KEY (run_id, source, layer)
);
