-- Items by their tracker id within a source: the same issue seen under a new
-- ref (a transfer, a Jira move, a renamed repository) is found by it, at the
-- cost of what was read rather than of the whole store.

CREATE INDEX IF NOT EXISTS items_by_external_id ON items (source, external_id);
