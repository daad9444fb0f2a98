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

    private final String name;
    private final DirectoryPublisher publisher;

    public LdapPoint(String name, DirectoryPublisher publisher) {
        this.name = name;
        this.publisher = publisher;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void publish(CaRecord ca, CrlRecord crl) {
        boolean root = ca.certificate().subject().equals(ca.certificate().issuer());
        publisher.publishCrl(ca, crl.der(), crl.delta(), root);
    }
}
