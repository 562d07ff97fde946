-- Replay protection: a delivery's body digest (SHA-256, hex). A body the
-- inbox already holds is not queued again, whatever delivery id comes with
-- it (the id is not signed; the body is). Entries stored before this
-- migration have none; an index allows any number of NULLs.

ALTER TABLE inbox ADD COLUMN body_sha256 TEXT;
CREATE UNIQUE INDEX inbox_by_body ON inbox (source, body_sha256);
CREATE INDEX inbox_by_arrival ON inbox (status, received_at);
