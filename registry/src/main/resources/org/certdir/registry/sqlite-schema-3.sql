-- Registry schema, version 3 (SQLite): CRLs as the CRL publisher issues them, and each distribution point's state.

-- Version 1's crl table was never written to; it is replaced by one whose numbers compare as numbers.
DROP TABLE crl;

-- Every CRL issued, full and delta (a delta has its base's number), in one number series per CA (RFC 5280 §5.2.3).
-- revision: the registry change feed's revision the CRL reflects; a delta lists what changed after its base's.
CREATE TABLE crl (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ca_id       BIGINT  NOT NULL REFERENCES ca (id),
    number      BIGINT  NOT NULL,
    base_number BIGINT,
    revision    BIGINT  NOT NULL,
    this_update BIGINT  NOT NULL,
    next_update BIGINT  NOT NULL,
    entries     INTEGER NOT NULL,
    der         BLOB    NOT NULL,
    created_at  BIGINT  NOT NULL,
    UNIQUE (ca_id, number)
);

-- What each distribution point holds of each CA: the last CRL numbers it took, when, and its last error.
CREATE TABLE crl_point (
    ca_id        BIGINT NOT NULL REFERENCES ca (id),
    point        TEXT   NOT NULL,
    full_number  BIGINT,
    delta_number BIGINT,
    published_at BIGINT,
    attempted_at BIGINT,
    last_error   TEXT,
    PRIMARY KEY (ca_id, point)
)
