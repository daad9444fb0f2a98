-- Registry schema, version 1 (SQLite). Times are milliseconds since the epoch (UTC), so the same
-- statements run unchanged on PostgreSQL; only identity columns differ between the two dialects.

CREATE TABLE ca (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE,
    subject     TEXT    NOT NULL,
    sha256      TEXT    NOT NULL UNIQUE,
    certificate BLOB    NOT NULL,
    key_file    TEXT,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE certificate (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ca_id           BIGINT  NOT NULL REFERENCES ca (id),
    serial          TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    issuer          TEXT    NOT NULL,
    not_before      BIGINT  NOT NULL,
    not_after       BIGINT  NOT NULL,
    usage           TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('valid', 'revoked', 'on-hold')),
    revoked_at      BIGINT,
    reason          INTEGER,
    invalidity_date BIGINT,
    sha256          TEXT    NOT NULL UNIQUE,
    der             BLOB    NOT NULL,
    created_at      BIGINT  NOT NULL,
    UNIQUE (ca_id, serial)
);

CREATE TABLE certificate_mail (
    certificate_id BIGINT NOT NULL REFERENCES certificate (id),
    mail           TEXT   NOT NULL,
    PRIMARY KEY (certificate_id, mail)
);
CREATE INDEX certificate_mail_by_mail ON certificate_mail (mail);

CREATE TABLE crl (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ca_id       BIGINT  NOT NULL REFERENCES ca (id),
    number      TEXT    NOT NULL,
    base_number TEXT,
    this_update BIGINT  NOT NULL,
    next_update BIGINT  NOT NULL,
    der         BLOB    NOT NULL,
    created_at  BIGINT  NOT NULL,
    UNIQUE (ca_id, number)
);

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      BIGINT NOT NULL,
    actor   TEXT   NOT NULL,
    action  TEXT   NOT NULL,
    target  TEXT   NOT NULL,
    detail  TEXT   NOT NULL,
    address TEXT   NOT NULL
);
