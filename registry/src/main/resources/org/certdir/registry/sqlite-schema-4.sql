-- The trust list: partner CAs an admin decided to trust, published to the directory and over HTTP.
CREATE TABLE trusted_ca (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE,
    common_name TEXT    NOT NULL UNIQUE,
    subject     TEXT    NOT NULL,
    sha256      TEXT    NOT NULL UNIQUE,
    certificate BLOB    NOT NULL,
    added_at    BIGINT  NOT NULL
);

-- Increases with every change of the trust list: the sequence number of the signed list.
CREATE TABLE trust_list_sequence (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    sequence BIGINT  NOT NULL
);

INSERT INTO trust_list_sequence (id, sequence) VALUES (1, 0)
