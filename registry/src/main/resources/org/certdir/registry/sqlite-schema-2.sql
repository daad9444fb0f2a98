-- Registry schema, version 2 (SQLite): the change feed and the publication queue.

-- Every status a certificate takes (issued, revoked, held, released), in commit order. The revision is the
-- feed's position: another process asks "what changed since revision N" to keep its status index current.
CREATE TABLE status_change (
    revision        INTEGER PRIMARY KEY AUTOINCREMENT,
    certificate_id  BIGINT  NOT NULL REFERENCES certificate (id),
    status          TEXT    NOT NULL,
    reason          INTEGER,
    revoked_at      BIGINT,
    invalidity_date BIGINT,
    changed_at      BIGINT  NOT NULL
);

-- The transactional outbox: work for the directory (and later publishers), written in the same transaction
-- as the change it publishes, removed once done, retried with backoff until then.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    topic           TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (topic, next_attempt_at);
CREATE INDEX outbox_subject ON outbox (topic, subject);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX certificate_status ON certificate (status);

-- Certificates recorded before the feed existed enter it as they stand.
INSERT INTO status_change (certificate_id, status, reason, revoked_at, invalidity_date, changed_at)
    SELECT id, status, reason, revoked_at, invalidity_date, created_at FROM certificate ORDER BY id
