-- The changes a CRL lists (revocations, holds and releases; a newly recorded valid certificate is on no CRL), by
-- revision: the CRL publisher asks, for every CA once a second, whether any happened after its newest CRL. Without
-- this partial index that question would scan every certificate recorded since, a million after a large import.
CREATE INDEX status_change_on_crl ON status_change (revision) WHERE status <> 'valid' OR reason = 8
;
