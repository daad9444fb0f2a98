-- sKIDHash before this version (7) was the SHA-1 of the subjectPublicKey bits (the subjectKeyIdentifier itself, for
-- most certificates), not RFC 4387's hash of the subjectKeyIdentifier: the registry computes the keys again at start
-- for every certificate without a sKIDHash row.
DELETE FROM certificate_search_key WHERE kind = 'sKIDHash'
