package org.certdir.ops.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.PublicationUrls;
import org.certdir.ops.profile.CertificateProfile.CommonName;
import org.certdir.ops.profile.CertificateProfile.Usage;
import org.certdir.registry.CaName;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.Test;

/** What a profile puts into a certificate, and what it refuses, with the messages the admin API answers. */
class CertificateProfileTest {

    private static final CertificateIssuer ISSUER = new CertificateIssuer(
            new PublicationUrls("http://127.0.0.1:8080", "127.0.0.1", 10389, Dit.of("dc=example,dc=com")), Clock.systemUTC());
    private static final SigningCa CA = ca();
    private static final CertificateProfiles PROFILES = CertificateProfiles.builtIn();

    private static SigningCa ca() {
        Issued root = ISSUER.rootCa("Profile Test CA", "test", KeyAlgorithm.EC_P256, Duration.ofDays(30));
        return new SigningCa(new CaName("profile-test-ca"), root.certificate(), root.keyPair().getPrivate());
    }

    @Test
    void builtInPairProfiles_issueWhatThePairsAlwaysHad_forEcAndRsaKeys() throws Exception {
        for (KeyAlgorithm algorithm : List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.RSA_3072)) {
            for (SmimePurpose purpose : SmimePurpose.values()) {
                Issued before = ISSUER.smime(CA, "erin@example.com", "Erin Example", null, purpose, algorithm, Duration.ofDays(730));
                CertificateProfile profile = PROFILES.get(purpose == SmimePurpose.ENCRYPTION ? CertificateProfiles.ENCRYPTION : CertificateProfiles.SIGNING);
                X509Certificate now = profile.issue(ISSUER, CA, before.keyPair().getPublic(), "Erin Example", List.of(), List.of("erin@example.com"),
                        profile.validity(null));
                String what = algorithm + " " + purpose;
                assertArrayEquals(before.certificate().getSubjectX500Principal().getEncoded(), now.getSubjectX500Principal().getEncoded(), what);
                assertEquals(before.certificate().getCriticalExtensionOIDs(), now.getCriticalExtensionOIDs(), what);
                assertEquals(new TreeSet<>(before.certificate().getNonCriticalExtensionOIDs()), new TreeSet<>(now.getNonCriticalExtensionOIDs()), what);
                for (String oid : new TreeSet<>(Set.of(Extension.basicConstraints.getId(), Extension.keyUsage.getId(), Extension.extendedKeyUsage.getId(),
                        Extension.subjectAlternativeName.getId(), Extension.subjectKeyIdentifier.getId(), Extension.authorityKeyIdentifier.getId(),
                        Extension.cRLDistributionPoints.getId(), Extension.authorityInfoAccess.getId()))) {
                    assertArrayEquals(before.certificate().getExtensionValue(oid), now.getExtensionValue(oid), what + " " + oid);
                }
                assertEquals(Duration.ofDays(730).plusMinutes(5), Duration.between(now.getNotBefore().toInstant(), now.getNotAfter().toInstant()), what);
            }
        }
    }

    @Test
    void dualUse_signsAndEncrypts_withTheBitTheKeyCanDo() {
        CertificateProfile dual = PROFILES.get(CertificateProfiles.DUAL_USE);
        X509Certificate ec = dual.issue(ISSUER, CA, KeyAlgorithm.EC_P384.generate().getPublic(), "Erin", List.of(), List.of("erin@example.com"),
                Duration.ofDays(1));
        // digitalSignature(0), nonRepudiation(1), keyEncipherment(2), dataEncipherment(3), keyAgreement(4)
        assertEquals(List.of(true, false, false, false, true), usage(ec));
        X509Certificate rsa = dual.issue(ISSUER, CA, KeyAlgorithm.RSA_3072.generate().getPublic(), "Erin", List.of(), List.of("erin@example.com"),
                Duration.ofDays(1));
        assertEquals(List.of(true, false, true, false, false), usage(rsa));
    }

    @Test
    void adminsProfile_fixesO_takesAnAllowedOu_andEveryAddress() throws Exception {
        CertificateProfile partners = new CertificateProfile("partners", false, List.of(KeyType.EC_P256), Duration.ofDays(365), Duration.ofDays(730),
                List.of(Usage.KEY_AGREEMENT), List.of(KeyPurposeId.id_kp_emailProtection.toOID(), KeyPurposeId.id_kp_clientAuth.toOID()), "Example GmbH",
                List.of("Sales"), CommonName.NONE, 2, List.of("example.org"));
        X509Certificate issued = partners.issue(ISSUER, CA, KeyAlgorithm.EC_P256.generate().getPublic(), "Ignored Name", List.of("Sales"),
                List.of("a@example.org", "b@example.org"), Duration.ofDays(365));
        assertEquals("1.2.840.113549.1.9.1=#160d61406578616d706c652e6f7267,OU=Sales,O=Example GmbH", issued.getSubjectX500Principal().getName());
        assertEquals(List.of("1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.2"), issued.getExtendedKeyUsage());
        assertEquals("[[1, a@example.org], [1, b@example.org]]", issued.getSubjectAlternativeNames().toString());
    }

    @Test
    void refusals_nameWhatIsWrong() {
        CertificateProfile encryption = PROFILES.get(CertificateProfiles.ENCRYPTION);
        assertEquals("key type rsa-2048 is not allowed by profile 'smime-encryption': it allows ec-p256, ec-p384, rsa-3072, rsa-4096",
                assertThrows(IllegalArgumentException.class, () -> encryption.keyType(rsa2048())).getMessage());
        assertEquals("validityDays must be between 1 and 1095 (the maximum of profile 'smime-encryption'), was 1096",
                assertThrows(IllegalArgumentException.class, () -> encryption.validity(1096)).getMessage());
        assertEquals("OU 'Sales' is not allowed by profile 'smime-encryption': it allows no OU; make the CSR without one",
                assertThrows(IllegalArgumentException.class, () -> encryption.checkUnits(List.of("Sales"))).getMessage());
        assertEquals("2 mail addresses (a@example.com, b@example.com): profile 'smime-encryption' allows at most 1 in one certificate",
                assertThrows(IllegalArgumentException.class, () -> encryption.checkMailAddresses(List.of("a@example.com", "b@example.com"))).getMessage());
        assertEquals("no name: profile 'smime-encryption' takes the subject's CN from the request: give the person's name (a CN in the CSR's subject,"
                + " or --name)", assertThrows(IllegalArgumentException.class, () -> encryption.checkCommonName(null)).getMessage());
        assertEquals("profile 'nope' is not known: the profiles are smime-encryption, smime-signing, smime-dual-use ('certdir profile list')",
                assertThrows(IllegalArgumentException.class, () -> PROFILES.get("nope")).getMessage());
    }

    private static java.security.PublicKey rsa2048() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair().getPublic();
    }

    private static List<Boolean> usage(X509Certificate certificate) {
        boolean[] bits = certificate.getKeyUsage();
        return List.of(bits[0], bits[1], bits[2], bits[3], bits[4]);
    }
}
