package org.certdir.directory.publication;

import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataGenerator;

/**
 * A "certs-only" PKCS#7 SignedData (RFC 5652 §5.1 with no signers, RFC 2797 degenerate form): the value of
 * {@code userSMIMECertificate}, which Outlook reads before {@code userCertificate}, and the {@code .p7c} format.
 */
public final class CertsOnlyPkcs7 {

    private CertsOnlyPkcs7() {
    }

    public static byte[] encode(List<X509Certificate> certificates) {
        try {
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addCertificates(new JcaCertStore(certificates));
            return generator.generate(new CMSAbsentContent()).getEncoded("DER");
        } catch (CertificateEncodingException | CMSException | IOException e) {
            throw new IllegalStateException("cannot encode a certs-only PKCS#7 of " + certificates.size() + " certificates", e);
        }
    }
}
