package org.certdir.registry;

import java.time.Instant;

/** A certificate in the registry with its current status; the revocation fields are null while it is valid. */
public record CertificateRecord(
        long id,
        CaName ca,
        CertificateDetails details,
        CertificateStatus status,
        Instant revokedAt,
        RevocationReason reason,
        Instant invalidityDate) {

    /** Whether senders may encrypt to it: a valid certificate whose key usage allows S/MIME encryption. */
    public boolean publishable() {
        return status == CertificateStatus.VALID && details.usage().encrypts();
    }
}
