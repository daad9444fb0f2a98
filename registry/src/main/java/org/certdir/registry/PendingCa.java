package org.certdir.registry;

import java.time.Instant;

/**
 * A CA whose key certdir holds and whose certificate a root kept elsewhere has still to sign: {@code csr} is the
 * PKCS#10 request (DER) handed to that root, {@code keyFile} the PKCS#12 holding the key, relative to the data directory.
 */
public record PendingCa(long id, CaName name, String subject, byte[] csr, String keyFile, Instant createdAt) {
}
