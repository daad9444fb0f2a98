package org.certdir.schemas;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RDN;

/**
 * The directory layout (DIT) certdir publishes under a suffix:
 * <pre>
 * suffix
 * ├── ou=people          uid=&lt;id&gt;  (inetOrgPerson: mail, cn, sn, encryption certificates)
 * └── ou=pki
 *     ├── ou=CAs         cn=&lt;CA name&gt; (cRLDistributionPoint + pkiCA + deltaCRL)
 *     └── ou=trust       cn=&lt;partner CA&gt; (pkiCA: the trust list)
 * </pre>
 * DNs are always built from RDN values, never by concatenating user input into a string.
 */
public record Dit(DN suffix) {

    public static final String DEFAULT_SUFFIX = "dc=example,dc=com";

    public Dit {
        if (suffix == null || suffix.isNullDN()) {
            throw new IllegalArgumentException("directory suffix must not be empty");
        }
    }

    /** Parses a suffix such as {@code dc=example,dc=com}; the message names the bad value. */
    public static Dit of(String suffix) {
        try {
            return new Dit(new DN(suffix));
        } catch (LDAPException e) {
            throw new IllegalArgumentException("directory suffix '" + suffix + "' is not a valid DN: " + e.getMessage(), e);
        }
    }

    public DN people() {
        return new DN(new RDN("ou", "people"), suffix);
    }

    public DN pki() {
        return new DN(new RDN("ou", "pki"), suffix);
    }

    public DN cas() {
        return new DN(new RDN("ou", "CAs"), pki());
    }

    public DN trust() {
        return new DN(new RDN("ou", "trust"), pki());
    }

    public DN person(String uid) {
        return new DN(new RDN("uid", uid), people());
    }

    public DN ca(String commonName) {
        return new DN(new RDN("cn", commonName), cas());
    }

    public DN trustedCa(String commonName) {
        return new DN(new RDN("cn", commonName), trust());
    }

    /** The containers every publication needs, parents first. */
    public java.util.List<DN> containers() {
        return java.util.List.of(people(), pki(), cas(), trust());
    }
}
