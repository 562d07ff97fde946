-- Owners, ageing and digests (SPEC §8).
-- Jira components on items, which owner rules match. The flag history: one
-- row per stretch an item was untraced, from when goldthread first judged it
-- so (since) to when it no longer was (cleared_at; NULL while it lasts).
-- Digests: each period prepared once (a baseline when digests start), each
-- team's last snapshot (what the next digest compares with), and each
-- message to a target with its attempts, so a failing target is retried
-- and nothing is sent twice across restarts and replicas.

ALTER TABLE items ADD COLUMN components TEXT NOT NULL DEFAULT '[]';
-- Jira items stored before this have no components yet: forget the Jira
-- cursors (their scopes are project keys; GitHub's are owner/name), so the
-- next poll or sync reads each Jira project whole once and owner rules by
-- component see every item.
DELETE FROM cursors WHERE scope NOT LIKE '%/%';

CREATE TABLE flags (
    ref        TEXT NOT NULL,
    since      TEXT NOT NULL,
    cleared_at TEXT,
    PRIMARY KEY (ref, since)
);
CREATE UNIQUE INDEX flags_open ON flags (ref) WHERE cleared_at IS NULL;

CREATE TABLE digest_periods (
    period      TEXT PRIMARY KEY,
    prepared_at TEXT NOT NULL,
    baseline    INTEGER NOT NULL
);

CREATE TABLE digest_snapshots (
    team     TEXT PRIMARY KEY,
    at       TEXT NOT NULL,
    traced   INTEGER NOT NULL,
    untraced INTEGER NOT NULL,
    refs     TEXT NOT NULL
);

CREATE TABLE digest_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    period          TEXT NOT NULL,
    team            TEXT NOT NULL,
    target          TEXT NOT NULL,
    document        TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT,
    UNIQUE (period, team, target)
);
CREATE INDEX digest_deliveries_due ON digest_deliveries (status, next_attempt_at);
