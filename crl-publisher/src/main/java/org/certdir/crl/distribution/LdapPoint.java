package org.certdir.crl.distribution;

import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CrlRecord;

/**
 * The CA's entry in the directory ({@code cn=<CA>,ou=CAs,ou=pki}): the full CRL in
 * {@code certificateRevocationList;binary} (and {@code authorityRevocationList;binary} for a root, whose CRL
 * covers CA certificates), the delta in {@code deltaRevocationList;binary}, where the LDAP URL of the
 * certificates' CRL distribution point leads clients such as gpgsm and Windows.
 */
public final class LdapPoint implements DistributionPoint {

    /** Room for the rest of the modify request around the two CRL values. */
    private static final int REQUEST_OVERHEAD = 4096;

    private final String name;
    private final DirectoryPublisher publisher;
    private final int maxRequestSize;

    /** {@code maxRequestSize}: the largest LDAP request the directory accepts (its max PDU size). */
    public LdapPoint(String name, DirectoryPublisher publisher, int maxRequestSize) {
        this.name = name;
        this.publisher = publisher;
        this.maxRequestSize = maxRequestSize;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void publish(CaRecord ca, CrlRecord crl) throws java.io.IOException {
        // Replacing a value while keeping its ;binary name sends the old value along with the new one.
        long needed = 2L * crl.der().length + REQUEST_OVERHEAD;
        if (needed > maxRequestSize) {
            throw new java.io.IOException("CRL " + crl.number() + " of CA '" + crl.ca() + "' (" + crl.der().length + " bytes) needs an LDAP request of about "
                    + needed + " bytes, more than the directory accepts (" + maxRequestSize + "): raise certdir.ldap.max-pdu-size above " + needed);
        }
        boolean root = ca.certificate().subject().equals(ca.certificate().issuer());
        publisher.publishCrl(ca, crl.der(), crl.delta(), root);
    }
}
