-- How far a reader of the registry got, by name; 'directory.expiry': the notAfter (epoch ms) up to which the owners of
-- expired certificates were queued for directory publication, so that a restart catches up on what expired while down.
CREATE TABLE registry_position (
    name     TEXT   PRIMARY KEY,
    position BIGINT NOT NULL
);

-- The certificates that expired in a time range, for that queueing.
CREATE INDEX certificate_by_not_after ON certificate (not_after)
