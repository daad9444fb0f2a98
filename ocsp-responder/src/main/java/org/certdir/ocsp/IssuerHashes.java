package org.certdir.ocsp;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The CertID hashes of one CA under every hash algorithm we accept (SHA-1, still what OpenSSL and GnuTLS send;
 * SHA-256, which RFC 9919 recommends; SHA-384 and SHA-512). RFC 6960 §4.1.1: the issuer name hash is over the
 * DER of the issuer's distinguished name, the key hash over the value of the subjectPublicKey BIT STRING; a
 * request matches only if both do, so two CAs with the same name and different keys are told apart.
 */
record IssuerHashes(ASN1ObjectIdentifier algorithm, ByteBuffer nameHash, ByteBuffer keyHash) {

    static final Map<ASN1ObjectIdentifier, String> ALGORITHMS = Map.of(
            OIWObjectIdentifiers.idSHA1, "SHA-1",
            NISTObjectIdentifiers.id_sha256, "SHA-256",
            NISTObjectIdentifiers.id_sha384, "SHA-384",
            NISTObjectIdentifiers.id_sha512, "SHA-512");

    static IssuerHashes of(ASN1ObjectIdentifier algorithm, byte[] nameHash, byte[] keyHash) {
        return new IssuerHashes(algorithm, ByteBuffer.wrap(nameHash), ByteBuffer.wrap(keyHash));
    }

    /** The hashes of {@code ca} under each accepted algorithm. */
    static List<IssuerHashes> of(X509Certificate ca) {
        byte[] name = ca.getSubjectX500Principal().getEncoded();
        byte[] key = SubjectPublicKeyInfo.getInstance(ca.getPublicKey().getEncoded()).getPublicKeyData().getBytes();
        return ALGORITHMS.entrySet().stream().map(algorithm -> {
            try {
                return of(algorithm.getKey(), MessageDigest.getInstance(algorithm.getValue()).digest(name),
                        MessageDigest.getInstance(algorithm.getValue()).digest(key));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK lacks " + algorithm.getValue(), e);
            }
        }).toList();
    }
}
