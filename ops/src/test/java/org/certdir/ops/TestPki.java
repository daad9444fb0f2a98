package org.certdir.ops;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.certdir.ops.demo.DemoPki;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.issuance.PublicationUrls;
import org.certdir.registry.CaName;
import org.certdir.schemas.Dit;

/** Certificates for tests, signed by the demo issuing CA's key from a demo data directory. */
final class TestPki {

    private final SigningCa ca;
    private final CertificateIssuer issuer = new CertificateIssuer(
            new PublicationUrls("http://127.0.0.1:8080", "127.0.0.1", 10389, Dit.of("dc=example,dc=com")), Clock.systemUTC());

    TestPki(Path data) throws IOException {
        char[] passphrase = java.nio.file.Files.readString(data.resolve("keys/passphrase")).strip().toCharArray();
        KeyFiles.KeyEntry key = KeyFiles.readPkcs12(data.resolve("keys/demo-issuing-ca.p12"), passphrase);
        ca = new SigningCa(CaName.fromCommonName(DemoPki.ISSUING_CA), key.chain().get(0), key.key());
    }

    Issued smime(String mail, SmimePurpose purpose) {
        return issuer.smime(ca, mail, "Test " + mail, "test", purpose, KeyAlgorithm.EC_P256, Duration.ofDays(30));
    }

    /** An S/MIME certificate valid from now for {@code validity}: a chosen notAfter. */
    Issued smime(String mail, SmimePurpose purpose, Duration validity) {
        return issuer.smime(ca, mail, "Test " + mail, "test", purpose, KeyAlgorithm.EC_P256, validity);
    }

    /** An S/MIME certificate whose subject CN is {@code name}. */
    Issued smime(String mail, String name, SmimePurpose purpose) {
        return issuer.smime(ca, mail, name, "test", purpose, KeyAlgorithm.EC_P256, Duration.ofDays(30));
    }

    /**
     * Writes {@code count} S/MIME certificates of the demo issuing CA as PEM files under {@code dir}, for
     * {@code bulk<i>@example.com}, all for one key: generating that many key pairs would only slow the caller.
     */
    void bulk(Path dir, int count, boolean encryption) throws Exception {
        org.bouncycastle.asn1.x500.X500Name issuerName = org.bouncycastle.asn1.x500.X500Name.getInstance(
                ca.certificate().getSubjectX500Principal().getEncoded());
        org.bouncycastle.operator.ContentSigner signer = new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder(
                KeyAlgorithm.signatureAlgorithm(ca.key())).build(ca.key());
        java.security.KeyPair subjectKey = KeyAlgorithm.EC_P256.generate();
        java.security.SecureRandom random = new java.security.SecureRandom();
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        int usage = encryption ? org.bouncycastle.asn1.x509.KeyUsage.keyAgreement : org.bouncycastle.asn1.x509.KeyUsage.digitalSignature;
        for (int i = 0; i < count; i++) {
            String mail = "bulk" + i + "@example.com";
            var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(issuerName,
                    new java.math.BigInteger(120, random).setBit(119), java.util.Date.from(now), java.util.Date.from(now.plus(Duration.ofDays(365))),
                    new org.bouncycastle.asn1.x500.X500Name("CN=Bulk " + i), subjectKey.getPublic());
            builder.addExtension(org.bouncycastle.asn1.x509.Extension.keyUsage, true, new org.bouncycastle.asn1.x509.KeyUsage(usage));
            builder.addExtension(org.bouncycastle.asn1.x509.Extension.extendedKeyUsage, false,
                    new org.bouncycastle.asn1.x509.ExtendedKeyUsage(org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_emailProtection));
            builder.addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false, new org.bouncycastle.asn1.x509.GeneralNames(
                    new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.rfc822Name, mail)));
            Path sub = dir.resolve(String.format("%02d", i % 50));
            java.nio.file.Files.createDirectories(sub);
            java.nio.file.Files.writeString(sub.resolve(mail + ".pem"), KeyFiles.pem(List.of(
                    new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(builder.build(signer)))));
        }
    }

    CertificateIssuer issuer() {
        return issuer;
    }

    static String pem(Issued issued) {
        return KeyFiles.pem(List.of(issued.certificate()));
    }
}
