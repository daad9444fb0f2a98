package org.certdir.ops.issuance;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.SearchScope;
import org.certdir.registry.CaName;
import org.certdir.schemas.Dit;
import org.certdir.schemas.PkiAttributes;

/**
 * The URLs this service answers at, as written into the certificates it issues (CRL distribution points,
 * AIA caIssuers and OCSP), so that a client holding only an end-entity certificate finds everything else.
 *
 * @param baseUrl  the public HTTP base URL, without a trailing slash
 * @param ldapHost the host name written into LDAP distribution point URLs
 * @param ldapPort the LDAP port written into those URLs
 */
public record PublicationUrls(String baseUrl, String ldapHost, int ldapPort, Dit dit) {

    public PublicationUrls {
        if (baseUrl.endsWith("/")) {
            baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
        }
    }

    public String crl(CaName ca) {
        return baseUrl + "/crl/" + ca + ".crl";
    }

    /** Where the CA's delta CRL is served over HTTP, as its full CRLs name it in Freshest CRL. */
    public String deltaCrl(CaName ca) {
        return baseUrl + "/crl/" + ca + "-delta.crl";
    }

    public String caIssuers(CaName ca) {
        return baseUrl + "/aia/" + ca + ".crt";
    }

    public String ocsp() {
        return baseUrl + "/ocsp";
    }

    /**
     * An RFC 4516 URL of the CA entry's CRL attribute, in the form gpgsm and Windows fetch anonymously:
     * {@code ldap://host:port/cn=...?certificateRevocationList;binary?base?objectClass=cRLDistributionPoint}.
     */
    public String ldapCrl(String caCommonName) {
        return ldapUrl(caCommonName, PkiAttributes.CERTIFICATE_REVOCATION_LIST, "cRLDistributionPoint");
    }

    /** The same for the CA entry's delta CRL, as its full CRLs name it in Freshest CRL. */
    public String ldapDeltaCrl(String caCommonName) {
        return ldapUrl(caCommonName, PkiAttributes.DELTA_REVOCATION_LIST, "deltaCRL");
    }

    private String ldapUrl(String caCommonName, String attribute, String objectClass) {
        DN entry = dit.ca(caCommonName);
        try {
            return new LDAPURL("ldap", ldapHost, ldapPort, entry, new String[] {attribute},
                    SearchScope.BASE, Filter.createEqualityFilter("objectClass", objectClass)).toString();
        } catch (LDAPException e) {
            throw new IllegalArgumentException("cannot build an LDAP URL for " + entry + ": " + e.getMessage(), e);
        }
    }
}
