package org.certdir.registry;

import java.time.Instant;

/** One entry a CRL may list: a revoked or held certificate (RFC 5280 §5.3). */
public record RevokedCertificate(Serial serial, Instant revokedAt, RevocationReason reason, Instant invalidityDate, Instant notAfter) {
}
