package org.certdir.registry;

/**
 * A CA the registry knows.
 *
 * @param keyFile the PKCS#12 file holding the CA key, relative to the data directory; null for a CA whose
 *                certificates are published but which this service does not sign for
 */
public record CaRecord(long id, CaName name, CertificateDetails certificate, String keyFile) {

    public boolean managed() {
        return keyFile != null;
    }
}
