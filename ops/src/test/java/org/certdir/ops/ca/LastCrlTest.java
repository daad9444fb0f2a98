package org.certdir.ops.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.Serial;
import org.junit.jupiter.api.Test;

/** What {@code certdir ca import} reads from the CA's last CRL, and each CRL it refuses with the reason. */
class LastCrlTest {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final KeyPair keys = keys();
    private final X509Certificate ca = ca("CN=Last CRL CA", keys);

    @Test
    void read_takesNumberAndEntriesWithDateReasonAndInvalidityDate() throws Exception {
        X509v2CRLBuilder builder = builder(ca, 77);
        ExtensionsGenerator compromised = new ExtensionsGenerator();
        compromised.addExtension(Extension.reasonCode, false, CRLReason.lookup(CRLReason.keyCompromise));
        compromised.addExtension(Extension.invalidityDate, false, new ASN1GeneralizedTime(Date.from(NOW.minus(Duration.ofDays(3)))));
        builder.addCRLEntry(BigInteger.valueOf(0x1001), Date.from(NOW.minus(Duration.ofDays(1))), compromised.generate());
        builder.addCRLEntry(BigInteger.valueOf(0x1002), Date.from(NOW.minus(Duration.ofDays(2))), CRLReason.certificateHold);
        LastCrl crl = LastCrl.read(sign(builder, keys), ca);
        assertEquals(77, crl.number());
        assertEquals(List.of(new LastCrl.Entry(new Serial(BigInteger.valueOf(0x1001)), NOW.minus(Duration.ofDays(1)), RevocationReason.KEY_COMPROMISE,
                        NOW.minus(Duration.ofDays(3))),
                new LastCrl.Entry(new Serial(BigInteger.valueOf(0x1002)), NOW.minus(Duration.ofDays(2)), RevocationReason.CERTIFICATE_HOLD, null)),
                crl.entries());
    }

    @Test
    void read_entryWithoutReason_hasNoReason() throws Exception {
        X509v2CRLBuilder builder = builder(ca, 1);
        builder.addCRLEntry(BigInteger.TEN, Date.from(NOW), null);
        assertNull(LastCrl.read(sign(builder, keys), ca).entries().get(0).reason());
    }

    @Test
    void read_deltaCrl_isRefused() throws Exception {
        X509v2CRLBuilder builder = builder(ca, 9);
        builder.addExtension(Extension.deltaCRLIndicator, true, new ASN1Integer(8));
        InvalidCaRequest refused = assertThrows(InvalidCaRequest.class, () -> LastCrl.read(sign(builder, keys), ca));
        assertEquals("lastCrl", refused.field());
        assertEquals("the last CRL is a delta CRL: give the CA's last full CRL (its entries are every revocation)", refused.getMessage());
    }

    @Test
    void read_crlWithoutNumber_isRefused() throws Exception {
        X509v2CRLBuilder builder = new X509v2CRLBuilder(new X500Name("CN=Last CRL CA"), Date.from(NOW));
        builder.setNextUpdate(Date.from(NOW.plus(Duration.ofDays(1))));
        InvalidCaRequest refused = assertThrows(InvalidCaRequest.class, () -> LastCrl.read(sign(builder, keys), ca));
        assertEquals("the last CRL has no CRL number (a v1 CRL?): give the number certdir's first CRL of the CA is to have with --next-crl-number"
                + " instead", refused.getMessage());
    }

    @Test
    void read_notACrl_isRefused() {
        InvalidCaRequest refused = assertThrows(InvalidCaRequest.class, () -> LastCrl.read(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}, ca));
        assertEquals("lastCrl", refused.field());
        assertEquals(true, refused.getMessage().startsWith("the last CRL cannot be read as a CRL (PEM or DER): "), refused.getMessage());
    }

    private static X509v2CRLBuilder builder(X509Certificate issuer, long number) throws Exception {
        X509v2CRLBuilder builder = new X509v2CRLBuilder(new X500Name(issuer.getSubjectX500Principal().getName()), Date.from(NOW));
        builder.setNextUpdate(Date.from(NOW.plus(Duration.ofDays(1))));
        builder.addExtension(Extension.cRLNumber, false, new ASN1Integer(number));
        return builder;
    }

    private static byte[] sign(X509v2CRLBuilder builder, KeyPair keys) throws Exception {
        return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate ca(String subject, KeyPair keys) {
        try {
            return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(new X500Name(subject), BigInteger.ONE,
                    Date.from(NOW.minus(Duration.ofDays(1))), Date.from(NOW.plus(Duration.ofDays(365))), new X500Name(subject), keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
