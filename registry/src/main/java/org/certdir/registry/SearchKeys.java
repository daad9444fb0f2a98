package org.certdir.registry;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The search keys of RFC 4387 §2.1–2.2 for one certificate: the SHA-1 hash of a binary value, base64-encoded with
 * the trailing '=' removed (27 characters). {@code sKIDHash} is the hash of the subjectPublicKey BIT STRING value
 * (RFC 5280 §4.2.1.2 method 1, what the RFC asks); {@code sKID} is the subjectKeyIdentifier the certificate
 * carries, the form EJBCA answers, kept so either finds it.
 */
public final class SearchKeys {

    /** The attributes of RFC 4387 §2.2 that are hashes, by their query names. */
    public static final java.util.List<String> HASHED = java.util.List.of("certHash", "iHash", "sHash", "sKIDHash", "iAndSHash");

    private SearchKeys() {
    }

    /** Attribute name → search key; {@code sKID} only when the certificate has a subjectKeyIdentifier. */
    public static Map<String, String> of(X509Certificate certificate) {
        Map<String, String> keys = new LinkedHashMap<>();
        try {
            keys.put("certHash", key(certificate.getEncoded()));
            keys.put("iHash", key(certificate.getIssuerX500Principal().getEncoded()));
            keys.put("sHash", key(certificate.getSubjectX500Principal().getEncoded()));
            keys.put("sKIDHash", key(SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded()).getPublicKeyData().getBytes()));
            keys.put("iAndSHash", key(new IssuerAndSerialNumber(X500Name.getInstance(certificate.getIssuerX500Principal().getEncoded()),
                    certificate.getSerialNumber()).getEncoded("DER")));
            byte[] ski = certificate.getExtensionValue("2.5.29.14");
            if (ski != null) {
                byte[] identifier = ASN1OctetString.getInstance(ASN1OctetString.getInstance(ski).getOctets()).getOctets();
                keys.put("sKID", Base64.getEncoder().withoutPadding().encodeToString(identifier));
            }
        } catch (java.security.cert.CertificateEncodingException | IOException e) {
            throw new IllegalArgumentException("cannot compute the search keys of " + certificate.getSubjectX500Principal() + ": " + e.getMessage(), e);
        }
        return keys;
    }

    private static String key(byte[] value) {
        try {
            return Base64.getEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-1").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-1", e);
        }
    }
}
