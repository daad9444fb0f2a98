package org.certdir.ops.admin;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.openssl.PEMParser;

/**
 * Reads the certificate files admins have: PEM with one or many certificates (and PKCS#7 blocks), a DER
 * certificate, or a PKCS#7 {@code .p7b}/{@code .p7c} bundle in DER. Returns each certificate's DER, in order;
 * it is not parsed as a certificate yet.
 */
public final class CertificateFiles {

    private CertificateFiles() {
    }

    public static List<byte[]> read(byte[] content) {
        if (content.length == 0) {
            throw new IllegalArgumentException("the file is empty");
        }
        String head = new String(content, 0, Math.min(content.length, 4096), StandardCharsets.US_ASCII);
        if (head.contains("-----BEGIN ")) {
            return readPem(new String(content, StandardCharsets.US_ASCII));
        }
        if ((content[0] & 0xff) != 0x30) {
            throw new IllegalArgumentException("not a certificate file: expected PEM, DER or PKCS#7 (it starts with neither '-----BEGIN' nor a DER SEQUENCE)");
        }
        List<byte[]> pkcs7 = tryPkcs7(content);
        return pkcs7 != null ? pkcs7 : List.of(content);
    }

    private static List<byte[]> readPem(String text) {
        List<byte[]> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add(holder.getEncoded());
                } else if (object instanceof ContentInfo info) {
                    certificates.addAll(certificatesOf(new CMSSignedData(info)));
                } else {
                    throw new IllegalArgumentException("PEM block of type " + object.getClass().getSimpleName()
                            + " is not a certificate (a private key? certdir never takes keys in an import)");
                }
            }
        } catch (IOException | CMSException | RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw (IllegalArgumentException) e;
            }
            throw new IllegalArgumentException("PEM cannot be read: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("PEM holds no certificate");
        }
        return certificates;
    }

    private static List<byte[]> tryPkcs7(byte[] der) {
        try {
            return certificatesOf(new CMSSignedData(der));
        } catch (CMSException | IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<byte[]> certificatesOf(CMSSignedData data) throws IOException {
        List<byte[]> certificates = new ArrayList<>();
        for (X509CertificateHolder holder : data.getCertificates().getMatches(null)) {
            certificates.add(holder.getEncoded());
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("PKCS#7 holds no certificate");
        }
        return certificates;
    }
}
