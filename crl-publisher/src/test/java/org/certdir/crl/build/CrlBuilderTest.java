package org.certdir.crl.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.registry.RevocationReason;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The streaming encoder against Bouncy Castle's {@code X509v2CRLBuilder} as the oracle: the same TBSCertList,
 * byte for byte, and a signature the JDK verifies.
 */
class CrlBuilderTest {

    private static KeyPair keys;
    private static X509Certificate ca;

    private static final Instant THIS_UPDATE = Instant.parse("2026-11-23T10:00:00Z");
    private static final Instant NEXT_UPDATE = Instant.parse("2026-11-30T10:00:00Z");
    private static final List<CrlBuilder.Entry> ENTRIES = List.of(
            new CrlBuilder.Entry(new BigInteger("0123456789abcdef0123456789abcdef", 16), Instant.parse("2026-11-01T08:00:01Z"), RevocationReason.KEY_COMPROMISE,
                    Instant.parse("2026-10-30T00:00:00Z")),
            new CrlBuilder.Entry(BigInteger.valueOf(127), Instant.parse("2026-11-02T08:00:00Z"), RevocationReason.UNSPECIFIED, null),
            new CrlBuilder.Entry(BigInteger.valueOf(128), Instant.parse("2051-01-02T08:00:00Z"), RevocationReason.CERTIFICATE_HOLD, null),
            new CrlBuilder.Entry(new BigInteger("ff".repeat(19), 16), Instant.parse("2026-11-03T08:00:00Z"), null, null));

    @BeforeAll
    static void ca() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=Builder Test CA,O=test");
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(THIS_UPDATE.minusSeconds(86400)),
                Date.from(NEXT_UPDATE.plusSeconds(86400 * 365)), name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca = new JcaX509CertificateConverter().getCertificate(builder.build(signer()));
    }

    private static ContentSigner signer() throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
    }

    private static X509v2CRLBuilder oracle(long number) throws Exception {
        X509v2CRLBuilder builder = new X509v2CRLBuilder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), Date.from(THIS_UPDATE));
        builder.setNextUpdate(Date.from(NEXT_UPDATE));
        builder.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.getPublicKey()));
        builder.addExtension(Extension.cRLNumber, false, new ASN1Integer(number));
        for (CrlBuilder.Entry entry : ENTRIES) {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            if (entry.reason() != null && entry.reason() != RevocationReason.UNSPECIFIED) {
                extensions.addExtension(Extension.reasonCode, false, new ASN1Enumerated(entry.reason().code()));
            }
            if (entry.invalidityDate() != null) {
                extensions.addExtension(Extension.invalidityDate, false, new ASN1GeneralizedTime(Date.from(entry.invalidityDate())));
            }
            builder.addCRLEntry(entry.serial(), Date.from(entry.revokedAt()), extensions.isEmpty() ? null : extensions.generate());
        }
        return builder;
    }

    private static byte[] tbs(byte[] crl) throws Exception {
        return new X509CRLHolder(crl).toASN1Structure().getTBSCertList().getEncoded(ASN1Encoding.DER);
    }

    private static X509CRL jdk(byte[] der) throws Exception {
        return (X509CRL) java.security.cert.CertificateFactory.getInstance("X.509").generateCRL(new java.io.ByteArrayInputStream(der));
    }

    @Test
    void full_matchesBouncyCastle_byteForByte_andVerifies() throws Exception {
        String delta = "http://127.0.0.1:8080/crl/test-delta.crl";
        String ldapDelta = "ldap://127.0.0.1:10389/cn=Test,ou=CAs,ou=pki,dc=example,dc=com?deltaRevocationList;binary?base?objectClass=deltaCRL";
        byte[] ours = CrlBuilder.full(ca, signer(), 42, THIS_UPDATE, NEXT_UPDATE, ENTRIES, List.of(delta, ldapDelta));
        X509v2CRLBuilder oracle = oracle(42);
        oracle.addExtension(Extension.freshestCRL, false, new CRLDistPoint(new DistributionPoint[] {new DistributionPoint(
                new DistributionPointName(new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.uniformResourceIdentifier, delta),
                        new GeneralName(GeneralName.uniformResourceIdentifier, ldapDelta)})), null, null)}));
        assertArrayEquals(tbs(oracle.build(signer()).getEncoded()), tbs(ours));
        X509CRL crl = jdk(ours);
        crl.verify(ca.getPublicKey());
        assertEquals(4, crl.getRevokedCertificates().size());
        assertEquals(java.security.cert.CRLReason.CERTIFICATE_HOLD, crl.getRevokedCertificate(BigInteger.valueOf(128)).getRevocationReason());
        assertEquals(Instant.parse("2051-01-02T08:00:00Z"), crl.getRevokedCertificate(BigInteger.valueOf(128)).getRevocationDate().toInstant(),
                "GeneralizedTime from 2050 on");
    }

    @Test
    void delta_matchesBouncyCastle_andMarksItsBaseCritically() throws Exception {
        byte[] ours = CrlBuilder.delta(ca, signer(), 43, 42, THIS_UPDATE, NEXT_UPDATE, ENTRIES);
        X509v2CRLBuilder oracle = oracle(43);
        oracle.addExtension(Extension.deltaCRLIndicator, true, new ASN1Integer(42));
        assertArrayEquals(tbs(oracle.build(signer()).getEncoded()), tbs(ours));
        X509CRL crl = jdk(ours);
        crl.verify(ca.getPublicKey());
        assertTrue(crl.getCriticalExtensionOIDs().contains(Extension.deltaCRLIndicator.getId()));
    }

    @Test
    void emptyCrl_hasNoRevokedCertificates_andVerifies() throws Exception {
        byte[] ours = CrlBuilder.full(ca, signer(), 1, THIS_UPDATE, NEXT_UPDATE, List.of(), List.of());
        X509CRL crl = jdk(ours);
        crl.verify(ca.getPublicKey());
        assertEquals(null, crl.getRevokedCertificates());
    }

    @Test
    void badArguments_sayWhatIsWrong() {
        assertEquals("nextUpdate must be after thisUpdate: " + THIS_UPDATE + " !> " + THIS_UPDATE,
                assertThrows(IllegalArgumentException.class, () -> CrlBuilder.full(ca, signer(), 1, THIS_UPDATE, THIS_UPDATE, List.of(), List.of())).getMessage());
        assertEquals("a delta CRL's number must be greater than its base's: 5 !> 5",
                assertThrows(IllegalArgumentException.class, () -> CrlBuilder.delta(ca, signer(), 5, 5, THIS_UPDATE, NEXT_UPDATE, List.of())).getMessage());
        assertEquals("CRL number must be positive, was 0",
                assertThrows(IllegalArgumentException.class, () -> CrlBuilder.full(ca, signer(), 0, THIS_UPDATE, NEXT_UPDATE, List.of(), List.of())).getMessage());
    }
}
