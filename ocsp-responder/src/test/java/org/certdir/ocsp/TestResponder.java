package org.certdir.ocsp;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.jce.spec.ECPrivateKeySpec;
import org.bouncycastle.jce.spec.ECPublicKeySpec;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.Serial;
import org.certdir.registry.StatusChange;

/**
 * A responder for one ECDSA test CA (the same key on every run, so that committed fuzz inputs made by
 * {@code openssl ocsp -reqout} name it) with serial 5 valid and 6 revoked, and the parts to build requests byte by byte, hostile
 * ones included, without Bouncy Castle's builders (which only build well-formed ones).
 */
public final class TestResponder {

    public static final CaName CA = new CaName("test-ca");
    public static final BigInteger VALID_SERIAL = BigInteger.valueOf(5);
    public static final BigInteger REVOKED_SERIAL = BigInteger.valueOf(6);
    /** Inside the test CA certificate's validity. */
    public static final Instant NOW = Instant.parse("2027-01-01T10:00:00Z");

    public final X509Certificate caCertificate;
    public final OcspResponder responder;
    private final byte[] subject;
    private final byte[] key;

    public TestResponder() {
        try {
            KeyPair caKeys = caKeyPair();
            PrivateKey caKey = caKeys.getPrivate();
            caCertificate = selfSigned(caKeys);
            subject = caCertificate.getSubjectX500Principal().getEncoded();
            key = SubjectPublicKeyInfo.getInstance(caCertificate.getPublicKey().getEncoded()).getPublicKeyData().getBytes();
            StatusIndex index = new StatusIndex();
            index.apply(new StatusChange(1, CA, new Serial(VALID_SERIAL), CertificateStatus.VALID, null, null, null, NOW));
            index.apply(new StatusChange(2, CA, new Serial(REVOKED_SERIAL), CertificateStatus.REVOKED,
                    org.certdir.registry.RevocationReason.KEY_COMPROMISE, NOW.minus(Duration.ofDays(1)), null, NOW));
            responder = new OcspResponder(index, new OcspSettings(Duration.ofHours(1), false, 1 << 20, 1, 1000), Clock.fixed(NOW, java.time.ZoneOffset.UTC));
            responder.useSigner(CA, new ResponseSigner(caCertificate, caCertificate, caKey));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the test CA", e);
        }
    }

    /**
     * The test CA's P-256 key, its scalar derived from a fixed phrase: the committed inputs hash its public key,
     * so it must not change between runs, and a key made from a phrase in the source is visibly no secret.
     */
    private static KeyPair caKeyPair() throws java.security.GeneralSecurityException {
        ECNamedCurveParameterSpec curve = ECNamedCurveTable.getParameterSpec("secp256r1");
        BigInteger scalar = new BigInteger(1, digest("SHA-256", "certdir OCSP fuzz test CA: not a secret".getBytes(StandardCharsets.US_ASCII)))
                .mod(curve.getN());
        KeyFactory keys = KeyFactory.getInstance("EC", new BouncyCastleProvider());
        return new KeyPair(keys.generatePublic(new ECPublicKeySpec(curve.getG().multiply(scalar).normalize(), curve)),
                keys.generatePrivate(new ECPrivateKeySpec(scalar, curve)));
    }

    /** A CA certificate for {@code keys} named as the committed inputs expect (their issuerNameHash), valid around {@link #NOW}. */
    private static X509Certificate selfSigned(KeyPair keys) throws Exception {
        X500Name name = new X500Name("CN=Fuzz CA,O=certdir tests");
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, java.util.Date.from(NOW.minus(Duration.ofDays(365))),
                java.util.Date.from(NOW.plus(Duration.ofDays(3650))), name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    /** AlgorithmIdentifier of SHA-1 with NULL parameters, as OpenSSL sends it. */
    public static AlgorithmIdentifier sha1() {
        return new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE);
    }

    /** AlgorithmIdentifier of SHA-256 without parameters (RFC 5754 §2). */
    public static AlgorithmIdentifier sha256() {
        return new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256);
    }

    /** CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber } for this CA. */
    public DERSequence certId(AlgorithmIdentifier algorithm, ASN1Encodable serial) {
        String digest = algorithm.getAlgorithm().equals(OIWObjectIdentifiers.idSHA1) ? "SHA-1" : "SHA-256";
        return new DERSequence(new ASN1Encodable[] {algorithm, new DEROctetString(digest(digest, subject)),
                new DEROctetString(digest(digest, key)), serial});
    }

    public DERSequence certId(BigInteger serial) {
        return certId(sha1(), new ASN1Integer(serial));
    }

    /** OCSPRequest of one Request per CertID, with optional singleRequestExtensions on the first and requestExtensions. */
    public static byte[] requestWith(DERSequence singleExtensions, DERSequence requestExtensions, DERSequence... certIds) {
        ASN1EncodableVector list = new ASN1EncodableVector();
        for (int i = 0; i < certIds.length; i++) {
            list.add(i == 0 && singleExtensions != null
                    ? new DERSequence(new ASN1Encodable[] {certIds[i], new DERTaggedObject(true, 0, singleExtensions)})
                    : new DERSequence(certIds[i]));
        }
        ASN1EncodableVector tbs = new ASN1EncodableVector();
        tbs.add(new DERSequence(list));
        if (requestExtensions != null) {
            tbs.add(new DERTaggedObject(true, 2, requestExtensions));
        }
        return der(new DERSequence(new DERSequence(tbs)));
    }

    public static byte[] request(DERSequence... certIds) {
        return requestWith(null, null, certIds);
    }

    public static DERSequence extensions(Extension... extensions) {
        return new DERSequence(extensions);
    }

    public static Extension nonce(byte[] value) {
        try {
            return new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(value).getEncoded());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] der(ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
