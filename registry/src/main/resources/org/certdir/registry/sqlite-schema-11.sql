-- The certificates a CA had before its current one (ca.certificate). 'certdir ca renew' gives a CA a new certificate
-- for the same key and subject and keeps the one it replaces here: the directory's CA entry holds it beside the new
-- one (cACertificate;binary) until its not_after, as a client building a path from a chain it was given earlier may
-- look for either. What the CA issued stays under ca_id: same key, same name, so its CRLs and OCSP go on unchanged.
CREATE TABLE IF NOT EXISTS ca_previous_certificate (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ca_id       BIGINT  NOT NULL REFERENCES ca (id),
    sha256      TEXT    NOT NULL UNIQUE,
    certificate BLOB    NOT NULL,
    not_after   BIGINT  NOT NULL,
    replaced_at BIGINT  NOT NULL
)
;
CREATE INDEX IF NOT EXISTS ca_previous_certificate_by_not_after ON ca_previous_certificate (not_after)
;
