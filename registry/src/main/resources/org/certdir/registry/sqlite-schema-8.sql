-- How far a reader of the registry got, by name: 'directory.expiry' is the notAfter up to which the owners of expired
-- certificates were queued for publication (see Registry.queueExpiredOwners), so a restart catches up.
CREATE TABLE IF NOT EXISTS registry_position (
    name     TEXT   PRIMARY KEY,
    position BIGINT NOT NULL
);

-- Finds the certificates whose notAfter passed since that position.
CREATE INDEX IF NOT EXISTS certificate_by_not_after ON certificate (not_after)
;
