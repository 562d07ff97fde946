-- Incremental evaluation: a change costs what it touches, not the organisation.
-- edges: every stored item's parent links (child -> the parent's ref, whether
-- or not that parent is stored), kept by upsert_items and delete_items, with
-- the reverse index that finds an item's children.
-- changes: the log of what changed since the last evaluation; item = 1 for an
-- item stored or forgotten (it and everything beneath it is judged again),
-- item = 0 for a parent it left (what lies beneath that parent changed).
-- beneath: each item's layer bits of everything transitively below it, so
-- barren items are found from a change's ancestors alone.
-- evaluation: what the stored verdicts were judged under, and when; a store
-- without it (new, migrated or copied) is judged whole once.
-- unsettled: items whose last plan still had writes to make.

CREATE TABLE edges (
    child  TEXT NOT NULL,
    parent TEXT NOT NULL,
    PRIMARY KEY (child, parent)
);
CREATE INDEX edges_by_parent ON edges (parent, child);

CREATE TABLE changes (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    ref  TEXT NOT NULL,
    item INTEGER NOT NULL
);

CREATE TABLE beneath (
    ref  TEXT PRIMARY KEY,
    mask INTEGER NOT NULL
);

CREATE TABLE evaluation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    at          TEXT NOT NULL
);

CREATE TABLE unsettled (
    ref TEXT PRIMARY KEY
);

-- tallies: the stored verdicts counted by source, layer and kind, kept by
-- save_verdicts and delete_items, so coverage needs no pass over verdicts.
CREATE TABLE tallies (
    source TEXT NOT NULL,
    layer  TEXT NOT NULL,
    kind   TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (source, layer, kind)
);
INSERT INTO tallies (source, layer, kind, n)
    SELECT substr(ref, 1, instr(ref, ':') - 1), layer, kind, count(*) FROM verdicts GROUP BY 1, 2, 3;

CREATE INDEX items_by_created ON items (created_at);
CREATE INDEX ledger_by_updated ON ledger (updated_at);

-- The items a webhook delivery is about, as derived when it was accepted
-- (JSON: {source: [keys]}), so its payload is parsed once; NULL for
-- deliveries stored before this, whose targets are derived again.
ALTER TABLE inbox ADD COLUMN targets TEXT;
