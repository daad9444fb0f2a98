-- CAs whose key certdir made and whose certificate is still to come: 'certdir ca create --csr' wrote a PKCS#10 request
-- for a root kept elsewhere, and 'certdir ca install' moves the CA into the ca table once that root has signed it.
-- A pending CA signs nothing (no CRLs, no OCSP, no issuance) and is not in the directory. Its name is taken: no CA of
-- the ca table may have it (checked by the registry in the transaction that adds either).
CREATE TABLE IF NOT EXISTS pending_ca (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    subject    TEXT    NOT NULL,
    csr        BLOB    NOT NULL,
    key_file   TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
)
;
