package org.certdir.ocsp;

import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.ResponderID;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/**
 * Who signs the responses for one CA: a delegated OCSP signer the CA certified (RFC 6960 §4.2.2.2), or the CA
 * itself. The responder ID is the SHA-1 hash of the signer's public key (RFC 6960 §4.2.1, byKey), and a
 * delegated signer's certificate travels in every response so clients can check it against the CA.
 */
public final class ResponseSigner {

    private static final java.security.Provider BOUNCY_CASTLE = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private final X509Certificate caCertificate;
    private final X509Certificate certificate;
    private final PrivateKey key;
    private final String algorithm;
    private final RespID responderId;
    private final X509CertificateHolder[] included;
    private final AlgorithmIdentifier algorithmIdentifier;
    private final ThreadLocal<Signature> signatures = ThreadLocal.withInitial(this::newSignature);

    /** {@code certificate} is the CA certificate itself when the CA key signs. */
    public ResponseSigner(X509Certificate caCertificate, X509Certificate certificate, PrivateKey key) {
        this.caCertificate = caCertificate;
        this.certificate = certificate;
        this.key = key;
        this.algorithm = signatureAlgorithm(key);
        this.algorithmIdentifier = new DefaultSignatureAlgorithmIdentifierFinder().find(algorithm);
        try {
            X509CertificateHolder holder = new X509CertificateHolder(certificate.getEncoded());
            byte[] keyHash = MessageDigest.getInstance("SHA-1").digest(
                    SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded()).getPublicKeyData().getBytes());
            this.responderId = new RespID(new ResponderID(new DEROctetString(keyHash)));
            this.included = delegated() ? new X509CertificateHolder[] {holder} : new X509CertificateHolder[0];
        } catch (CertificateEncodingException | java.io.IOException | NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("OCSP signer certificate " + certificate.getSubjectX500Principal() + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The signature algorithm that fits the key: ECDSA P-256 → SHA256withECDSA, P-384 → SHA384withECDSA, RSA → SHA256withRSA. */
    static String signatureAlgorithm(PrivateKey key) {
        if (key instanceof java.security.interfaces.ECPrivateKey ec) {
            int bits = ec.getParams().getOrder().bitLength();
            return bits > 384 ? "SHA512withECDSA" : bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        if (key.getAlgorithm().equals("RSA")) {
            return "SHA256withRSA";
        }
        if (key.getAlgorithm().equals("Ed25519") || key.getAlgorithm().equals("EdDSA")) {
            return "Ed25519";
        }
        throw new IllegalArgumentException("OCSP signer key type " + key.getAlgorithm() + " is not supported: use EC or RSA");
    }

    public boolean delegated() {
        return !certificate.equals(caCertificate);
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Responses must not outlive the certificate that vouches for their signature. */
    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    RespID responderId() {
        return responderId;
    }

    X509CertificateHolder[] included() {
        return included;
    }

    /**
     * A signer for one response, on the calling thread's own {@link Signature} (one is not safe to share, and making
     * one per response costs more than the signature). ECDSA signs with Bouncy Castle: on Java 17 it signs P-256 about
     * six times as fast as the JDK's SunEC (BENCHMARKS.md, OcspBenchmark), and signing is what bounds the nonce path.
     */
    ContentSigner contentSigner() {
        Signature signature = signatures.get();
        return new ContentSigner() {
            private final OutputStream out = new OutputStream() {
                @Override
                public void write(int b) throws java.io.IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws java.io.IOException {
                    try {
                        signature.update(bytes, offset, length);
                    } catch (SignatureException e) {
                        throw new java.io.IOException("cannot sign: " + e.getMessage(), e);
                    }
                }
            };

            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return algorithmIdentifier;
            }

            @Override
            public OutputStream getOutputStream() {
                return out;
            }

            @Override
            public byte[] getSignature() {
                try {
                    return signature.sign();
                } catch (SignatureException e) {
                    throw new IllegalStateException("cannot sign an OCSP response with the key of " + certificate.getSubjectX500Principal()
                            + ": " + e.getMessage(), e);
                }
            }
        };
    }

    private Signature newSignature() {
        try {
            Signature signature = algorithm.endsWith("withECDSA") ? Signature.getInstance(algorithm, BOUNCY_CASTLE) : Signature.getInstance(algorithm);
            signature.initSign(key);
            return signature;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign OCSP responses with the key of " + certificate.getSubjectX500Principal() + ": "
                    + e.getMessage(), e);
        }
    }
}
