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

    CertificateIssuer issuer() {
        return issuer;
    }

    static String pem(Issued issued) {
        return KeyFiles.pem(List.of(issued.certificate()));
    }
}
