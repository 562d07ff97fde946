-- Incremental evaluation: the tables of migrations/sqlite/0006_graph.sql
-- with native types.

CREATE TABLE edges (
    child  TEXT COLLATE "C" NOT NULL,
    parent TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (child, parent)
);
CREATE INDEX edges_by_parent ON edges (parent, child);

CREATE TABLE changes (
    seq  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ref  TEXT COLLATE "C" NOT NULL,
    item BOOLEAN NOT NULL
);

CREATE TABLE beneath (
    ref  TEXT COLLATE "C" PRIMARY KEY,
    mask INTEGER NOT NULL
);

CREATE TABLE evaluation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE unsettled (
    ref TEXT COLLATE "C" PRIMARY KEY
);

CREATE TABLE tallies (
    source TEXT COLLATE "C" NOT NULL,
    layer  TEXT NOT NULL,
    kind   TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (source, layer, kind)
);
INSERT INTO tallies (source, layer, kind, n)
    SELECT split_part(ref, ':', 1), layer, kind, count(*) FROM verdicts GROUP BY 1, 2, 3;

CREATE INDEX items_by_created ON items (created_at);
CREATE INDEX ledger_by_updated ON ledger (updated_at);

-- The items a webhook delivery is about, as derived when it was accepted
-- (JSON: {source: [keys]}), so its payload is parsed once; NULL for
-- deliveries stored before this, whose targets are derived again.
ALTER TABLE inbox ADD COLUMN targets TEXT;
