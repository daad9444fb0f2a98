-- RFC 4387 search keys (certHash, iHash, sHash, sKIDHash, iAndSHash, sKID) of every certificate, for the HTTP
-- certificate store. Rows of certificates recorded before this version are filled in by the registry at start.
CREATE TABLE certificate_search_key (
    certificate_id BIGINT NOT NULL REFERENCES certificate (id),
    kind           TEXT   NOT NULL,
    value          TEXT   NOT NULL,
    PRIMARY KEY (certificate_id, kind)
);

CREATE INDEX certificate_search_key_by_value ON certificate_search_key (kind, value)
;

-- Cross-certificates: certificates other CAs issued for the key of one of ours (RFC 4523 crossCertificatePair,
-- forward), published on our CA's entry and served with it.
CREATE TABLE cross_certificate (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ca_id       BIGINT  NOT NULL REFERENCES ca (id),
    sha256      TEXT    NOT NULL UNIQUE,
    certificate BLOB    NOT NULL,
    added_at    BIGINT  NOT NULL
)
