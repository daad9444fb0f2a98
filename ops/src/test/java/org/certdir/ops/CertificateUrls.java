package org.certdir.ops;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/** The URLs a certificate leads its readers to, as a client reads them: CRL distribution points and AIA. */
final class CertificateUrls {

    private CertificateUrls() {
    }

    /** The URIs of the CRL distribution points, in order (certdir writes HTTP, then LDAP); empty without the extension. */
    static List<String> crl(X509Certificate certificate) throws IOException {
        byte[] value = certificate.getExtensionValue(Extension.cRLDistributionPoints.getId());
        List<String> uris = new ArrayList<>();
        if (value == null) {
            return uris;
        }
        for (DistributionPoint point : CRLDistPoint.getInstance(JcaX509ExtensionUtils.parseExtensionValue(value)).getDistributionPoints()) {
            for (GeneralName name : GeneralNames.getInstance(point.getDistributionPoint().getName()).getNames()) {
                if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
                    uris.add(name.getName().toString());
                }
            }
        }
        return uris;
    }

    /** The OCSP responder's URL from the AIA extension; null without one. */
    static String ocsp(X509Certificate certificate) throws IOException {
        return access(certificate, AccessDescription.id_ad_ocsp.getId());
    }

    /** The issuer's certificate URL (AIA caIssuers); null without one. */
    static String caIssuers(X509Certificate certificate) throws IOException {
        return access(certificate, AccessDescription.id_ad_caIssuers.getId());
    }

    private static String access(X509Certificate certificate, String method) throws IOException {
        byte[] value = certificate.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (value == null) {
            return null;
        }
        for (AccessDescription description : AuthorityInformationAccess.getInstance(JcaX509ExtensionUtils.parseExtensionValue(value)).getAccessDescriptions()) {
            if (description.getAccessMethod().getId().equals(method)) {
                return description.getAccessLocation().getName().toString();
            }
        }
        return null;
    }
}
