package org.certdir.ops.issuance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.x509.Extension;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateDetails;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.Test;

/** {@link CertificateIssuer#renewal}: what the successor of a certificate takes from it, and what it gets anew. */
class RenewalCertificateTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    private final CertificateIssuer issuer = new CertificateIssuer(
            new PublicationUrls("http://127.0.0.1:8080", "127.0.0.1", 10389, Dit.of("dc=example,dc=com")), Clock.fixed(NOW, ZoneOffset.UTC));
    private final SigningCa ca = signingCa();

    private SigningCa signingCa() {
        Issued root = issuer.rootCa("Renewal CA", "test", KeyAlgorithm.EC_P256, Duration.ofDays(3650));
        return new SigningCa(new CaName("renewal-ca"), root.certificate(), root.keyPair().getPrivate());
    }

    private X509Certificate smime(SmimePurpose purpose) {
        return issuer.smime(ca, "erin@example.com", "Erin Test", "test", purpose, KeyAlgorithm.EC_P256, Duration.ofDays(30)).certificate();
    }

    @Test
    void renewal_keepsTheSubjectAndTheHoldersExtensions_withANewSerialAndValidity() throws Exception {
        X509Certificate old = smime(SmimePurpose.ENCRYPTION);
        X509Certificate renewed = issuer.renewal(ca, old, old.getPublicKey(), Duration.ofDays(365));
        assertArrayEquals(old.getSubjectX500Principal().getEncoded(), renewed.getSubjectX500Principal().getEncoded());
        assertEquals(old.getPublicKey(), renewed.getPublicKey());
        assertNotEquals(old.getSerialNumber(), renewed.getSerialNumber());
        assertEquals(NOW.plus(Duration.ofDays(365)), renewed.getNotAfter().toInstant());
        // The same key and the same CA: the key identifiers and the links to the issuer come out the same too.
        for (var oid : List.of(Extension.subjectAlternativeName, Extension.keyUsage, Extension.extendedKeyUsage, Extension.basicConstraints,
                Extension.subjectKeyIdentifier, Extension.authorityKeyIdentifier, Extension.cRLDistributionPoints, Extension.authorityInfoAccess)) {
            assertArrayEquals(old.getExtensionValue(oid.getId()), renewed.getExtensionValue(oid.getId()), oid.getId());
        }
        assertEquals(old.getCriticalExtensionOIDs(), renewed.getCriticalExtensionOIDs());
        assertEquals(old.getNonCriticalExtensionOIDs(), renewed.getNonCriticalExtensionOIDs());
        renewed.verify(ca.certificate().getPublicKey());
    }

    @Test
    void renewal_forAnRsaKey_ofAnEcEncryptionCertificate_takesKeyEnciphermentForKeyAgreement() {
        X509Certificate old = smime(SmimePurpose.ENCRYPTION);
        X509Certificate renewed = issuer.renewal(ca, old, KeyAlgorithm.RSA_3072.generate().getPublic(), Duration.ofDays(30));
        // The first five key usage bits: digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement.
        assertEquals(List.of(false, false, false, false, true), bits(old.getKeyUsage()));
        assertEquals(List.of(false, false, true, false, false), bits(renewed.getKeyUsage()));
        assertEquals(CertificateDetails.Usage.ENCRYPTION, details(renewed).usage());
        X509Certificate back = issuer.renewal(ca, renewed, KeyAlgorithm.EC_P384.generate().getPublic(), Duration.ofDays(30));
        assertEquals(List.of(false, false, false, false, true), bits(back.getKeyUsage()), "and back to keyAgreement for an EC key");
    }

    @Test
    void renewal_ofASigningCertificate_keepsItsKeyUsage_forEitherKindOfKey() {
        X509Certificate old = smime(SmimePurpose.SIGNING);
        X509Certificate renewed = issuer.renewal(ca, old, KeyAlgorithm.RSA_3072.generate().getPublic(), Duration.ofDays(30));
        assertArrayEquals(old.getExtensionValue(Extension.keyUsage.getId()), renewed.getExtensionValue(Extension.keyUsage.getId()));
    }

    private static List<Boolean> bits(boolean[] keyUsage) {
        return List.of(keyUsage[0], keyUsage[1], keyUsage[2], keyUsage[3], keyUsage[4]);
    }

    private static CertificateDetails details(X509Certificate certificate) {
        try {
            return CertificateDetails.parse(certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
