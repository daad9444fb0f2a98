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
 * the trailing '=' removed (27 characters). {@code sKIDHash} is the hash of the subjectKeyIdentifier (RFC 4387 §2.2:
 * a hash of the identifier, which may be of any length, not the identifier itself), taken over the key identifier's
 * octets; a certificate without the extension is given the identifier RFC 5280 §4.2.1.2 method 1 would have given
 * it (the SHA-1 of its subjectPublicKey bits). {@code sKID} is that identifier itself, base64: the form EJBCA answers
 * to {@code sKIDHash}, and what certdir stored as {@code sKIDHash} before schema 7, so either still finds it.
 */
public final class SearchKeys {

    /** The attributes of RFC 4387 §2.2 that are hashes, by their query names. */
    public static final java.util.List<String> HASHED = java.util.List.of("certHash", "iHash", "sHash", "sKIDHash", "iAndSHash");

    private SearchKeys() {
    }

    /** Attribute name → search key. */
    public static Map<String, String> of(X509Certificate certificate) {
        Map<String, String> keys = new LinkedHashMap<>();
        try {
            keys.put("certHash", key(certificate.getEncoded()));
            keys.put("iHash", key(certificate.getIssuerX500Principal().getEncoded()));
            keys.put("sHash", key(certificate.getSubjectX500Principal().getEncoded()));
            byte[] ski = certificate.getExtensionValue("2.5.29.14");
            byte[] identifier = ski != null ? ASN1OctetString.getInstance(ASN1OctetString.getInstance(ski).getOctets()).getOctets()
                    : sha1(SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded()).getPublicKeyData().getBytes());
            keys.put("sKIDHash", key(identifier));
            keys.put("iAndSHash", key(new IssuerAndSerialNumber(X500Name.getInstance(certificate.getIssuerX500Principal().getEncoded()),
                    certificate.getSerialNumber()).getEncoded("DER")));
            keys.put("sKID", Base64.getEncoder().withoutPadding().encodeToString(identifier));
        } catch (java.security.cert.CertificateEncodingException | IOException e) {
            throw new IllegalArgumentException("cannot compute the search keys of " + certificate.getSubjectX500Principal() + ": " + e.getMessage(), e);
        }
        return keys;
    }

    private static String key(byte[] value) {
        return Base64.getEncoder().withoutPadding().encodeToString(sha1(value));
    }

    private static byte[] sha1(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-1", e);
        }
    }
}
