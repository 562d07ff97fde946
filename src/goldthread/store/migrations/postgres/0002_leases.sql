-- Leases: one replica at a time polls a source or runs a full resync.
-- ``token`` only ever grows: it is the fencing token handed to each new
-- holder. A released lease keeps its row (holder NULL, expired) so the next
-- token is still higher.

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT,
    token      BIGINT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
