package org.certdir.schemas;

/**
 * Names of the standard attributes certdir writes (RFC 4523, RFC 2798).
 *
 * <p>Certificate and CRL attributes are always written with the {@code ;binary} transfer option (RFC 4522):
 * directories return an attribute under the name it was written with, and Thunderbird accepts a returned
 * certificate only when the attribute is named exactly {@code userCertificate;binary}. Never put the option
 * in a search filter: ApacheDS then matches nothing.
 */
public final class PkiAttributes {

    public static final String USER_CERTIFICATE = "userCertificate;binary";
    public static final String CA_CERTIFICATE = "cACertificate;binary";
    public static final String CERTIFICATE_REVOCATION_LIST = "certificateRevocationList;binary";
    public static final String AUTHORITY_REVOCATION_LIST = "authorityRevocationList;binary";
    public static final String DELTA_REVOCATION_LIST = "deltaRevocationList;binary";
    public static final String CROSS_CERTIFICATE_PAIR = "crossCertificatePair;binary";
    /** A certs-only PKCS#7 (RFC 2798); OpenLDAP rejects the {@code ;binary} option on this one. */
    public static final String USER_SMIME_CERTIFICATE = "userSMIMECertificate";

    /** Every attribute an anonymous client may read: the public part of people, CAs and the trust list. */
    public static final java.util.List<String> PUBLIC_ATTRIBUTE_TYPES = java.util.List.of(
            "objectClass", "cn", "sn", "givenName", "displayName", "mail", "uid", "ou", "dc", "o",
            "userCertificate", "userSMIMECertificate", "cACertificate", "certificateRevocationList",
            "authorityRevocationList", "deltaRevocationList", "crossCertificatePair");

    private PkiAttributes() {
    }
}
