package org.certdir.ops.ca;

import java.time.Duration;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.certdir.ops.admin.DirectoryValues;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.registry.CaName;

/**
 * What an admin asks of a new CA, every default resolved: a root (no {@code parent}), an issuing CA under a CA certdir
 * holds ({@code parent}), or, with {@code csr}, a CA whose certificate a root kept elsewhere signs.
 *
 * @param name       the short name used in URLs and commands, derived from the subject's CN unless given
 * @param subject    the full distinguished name, with exactly one CN (it names the CA's directory entry)
 * @param pathLength basicConstraints pathLenConstraint; null only for a root, meaning unbounded
 */
public record CaRequest(CaName name, X500Name subject, KeyAlgorithm algorithm, Duration validity, Integer pathLength, CaName parent, boolean csr) {

    static final KeyAlgorithm DEFAULT_ALGORITHM = KeyAlgorithm.EC_P256;
    /** A root outlives the CAs under it: 20 years, as the demo's. */
    static final int DEFAULT_ROOT_DAYS = 20 * 365;
    /** 10 years, as the demo's issuing CA. */
    static final int DEFAULT_CA_DAYS = 10 * 365;
    static final int MAX_DAYS = 50 * 365;
    static final String EXAMPLE_SUBJECT = "CN=Example Issuing CA,O=Example,C=DE";

    public CaRequest {
        if (csr && parent != null) {
            throw new IllegalArgumentException("a CA made with a CSR is signed by a root kept elsewhere, not by parent " + parent);
        }
        if (pathLength == null && (parent != null || csr)) {
            throw new IllegalArgumentException("a CA under another needs a path length");
        }
    }

    /** A root when {@code parent} is null and {@code csr} false. */
    public boolean root() {
        return parent == null && !csr;
    }

    /** The subject's CN, which names the CA's directory entry and, unless a name is given, its short name. */
    public String commonName() {
        return commonName(subject);
    }

    static String commonName(X500Name subject) {
        RDN[] cn = subject.getRDNs(BCStyle.CN);
        return cn.length == 0 ? null : IETFUtils.valueToString(cn[0].getFirst().getValue());
    }

    /**
     * Reads a request as the admin API and the CLI take it; null fields take the defaults (key ec-p256; 20 years for a
     * root, 10 otherwise; path length unbounded for a root, 0 for a CA under another). Each problem is an
     * {@link InvalidCaRequest} naming its field.
     */
    public static CaRequest parse(String name, String subject, String keyAlgorithm, Integer validityDays, Integer pathLength, String parent, boolean csr) {
        X500Name dn = subject(subject);
        CaName parentName = null;
        if (parent != null) {
            if (csr) {
                throw new InvalidCaRequest("parent", "give either parent (a CA certdir holds signs the new CA) or csr (a root kept elsewhere signs it), not both");
            }
            parentName = caName("parent", parent);
        }
        CaName caName;
        if (name != null) {
            caName = caName("name", name);
        } else {
            try {
                caName = CaName.fromCommonName(commonName(dn));
            } catch (IllegalArgumentException e) {
                throw new InvalidCaRequest("name", e.getMessage());
            }
        }
        KeyAlgorithm algorithm;
        try {
            algorithm = keyAlgorithm == null ? DEFAULT_ALGORITHM : KeyAlgorithm.parse(keyAlgorithm);
        } catch (IllegalArgumentException e) {
            throw new InvalidCaRequest("keyAlgorithm", e.getMessage());
        }
        boolean root = parent == null && !csr;
        int days = validityDays != null ? validityDays : root ? DEFAULT_ROOT_DAYS : DEFAULT_CA_DAYS;
        if (days < 1 || days > MAX_DAYS) {
            throw new InvalidCaRequest("validityDays", "validityDays must be between 1 and " + MAX_DAYS + ", was " + days);
        }
        if (pathLength != null && pathLength < 0) {
            throw new InvalidCaRequest("pathLength", "pathLength must be 0 or more (0: the CA signs end-entity certificates only), was " + pathLength);
        }
        Integer path = pathLength != null ? pathLength : root ? null : 0;
        return new CaRequest(caName, dn, algorithm, Duration.ofDays(days), path, parentName, csr);
    }

    /** An RFC 4514 distinguished name ("CN=...,O=...,C=..."), as openssl and Java print them, with exactly one CN. */
    private static X500Name subject(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidCaRequest("subject", "subject is missing: give the CA's distinguished name, e.g. '" + EXAMPLE_SUBJECT + "'");
        }
        X500Principal principal;
        try {
            principal = new X500Principal(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidCaRequest("subject", "subject " + DirectoryValues.quote(text) + " is not a distinguished name like '" + EXAMPLE_SUBJECT
                    + "': " + e.getMessage());
        }
        X500Name dn = X500Name.getInstance(principal.getEncoded());
        int commonNames = dn.getRDNs(BCStyle.CN).length;
        if (commonNames != 1) {
            throw new InvalidCaRequest("subject", "subject " + DirectoryValues.quote(text) + " has " + commonNames + " CNs: give exactly one,"
                    + " it names the CA's directory entry (cn=<CN>,ou=CAs), e.g. '" + EXAMPLE_SUBJECT + "'");
        }
        for (RDN country : dn.getRDNs(BCStyle.C)) {
            String code = IETFUtils.valueToString(country.getFirst().getValue());
            if (!code.matches("[A-Z]{2}")) {
                // RFC 5280 Appendix A: a PrintableString of two characters, the ISO 3166 code.
                throw new InvalidCaRequest("subject", "subject " + DirectoryValues.quote(text) + " has C=" + DirectoryValues.quote(code)
                        + ": C is a two-letter country code (ISO 3166), e.g. C=DE");
            }
        }
        String problem = DirectoryValues.nameProblem("the subject's CN", commonName(dn), DirectoryValues.MAX_ISSUED_NAME);
        if (problem != null) {
            throw new InvalidCaRequest("subject", problem);
        }
        return dn;
    }

    private static CaName caName(String field, String value) {
        try {
            return new CaName(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidCaRequest(field, e.getMessage());
        }
    }
}
