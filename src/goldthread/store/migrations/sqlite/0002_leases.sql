-- Leases: one holder at a time for work that must not run twice at once
-- (polling a source, a full resync). ``token`` only ever grows: it is the
-- fencing token handed to each new holder. A released lease keeps its row
-- (holder NULL, expired) so the next token is still higher.

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT,
    token      INTEGER NOT NULL,
    expires_at TEXT NOT NULL
);
