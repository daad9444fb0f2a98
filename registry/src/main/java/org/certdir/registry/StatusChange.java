package org.certdir.registry;

import java.time.Instant;

/**
 * One entry of the registry's change feed: a certificate took a status (issued as valid, revoked, held,
 * released). {@code revision} increases with every committed change, so a reader that has seen revision N
 * asks for what came after it. A release is {@link CertificateStatus#VALID} with reason
 * {@link RevocationReason#REMOVE_FROM_CRL}; a newly recorded certificate is valid with no reason.
 */
public record StatusChange(
        long revision,
        CaName ca,
        Serial serial,
        CertificateStatus status,
        RevocationReason reason,
        Instant revokedAt,
        Instant invalidityDate,
        Instant changedAt) {
}
