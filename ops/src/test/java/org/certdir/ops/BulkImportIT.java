package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code certdir cert import DIR} with 10,000 generated certificates, and a few bad files among them. */
class BulkImportIT {

    private static final int COUNT = 10_000;

    @TempDir
    static Path data;

    @TempDir
    static Path files;

    static Service service;

    @BeforeAll
    static void start() {
        service = Service.start(TestServices.config(data, 100), true, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    /**
     * Signing certificates of the demo issuing CA, all for one key (generating 10,000 key pairs would only
     * slow the test): the registry records them, the directory has nothing to publish for them.
     */
    private static void generate(int count, Path dir) throws Exception {
        char[] passphrase = Files.readString(data.resolve("keys/passphrase")).strip().toCharArray();
        KeyFiles.KeyEntry ca = KeyFiles.readPkcs12(data.resolve("keys/demo-issuing-ca.p12"), passphrase);
        X500Name issuer = X500Name.getInstance(ca.chain().get(0).getSubjectX500Principal().getEncoded());
        ContentSigner signer = new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithm(ca.key())).build(ca.key());
        KeyPair subjectKey = KeyAlgorithm.EC_P256.generate();
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (int i = 0; i < count; i++) {
            String mail = "bulk" + i + "@example.com";
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(120, random).setBit(119),
                    Date.from(now), Date.from(now.plus(365, ChronoUnit.DAYS)), new X500Name("CN=Bulk " + i), subjectKey.getPublic());
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_emailProtection));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.rfc822Name, mail)));
            Path sub = dir.resolve(String.format("%02d", i % 50));
            Files.createDirectories(sub);
            Files.writeString(sub.resolve(mail + ".pem"), KeyFiles.pem(List.of(new JcaX509CertificateConverter().getCertificate(builder.build(signer)))));
        }
    }

    @Test
    void tenThousandCertificates_importThroughTheCli_andBadFilesAreReportedNotFatal() throws Exception {
        generate(COUNT, files);
        Files.writeString(files.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Files.write(files.resolve("empty.der"), new byte[0]);
        Files.writeString(files.resolve("notes.txt"), "not picked up: not a certificate file name");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long started = System.nanoTime();
        int code = Main.run(new String[] {"cert", "import", "--url", service.adminUrl(), "--token-file", service.data().adminToken().toString(),
                files.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        double seconds = (System.nanoTime() - started) / 1e9;

        assertEquals(1, code, "rejected files make the exit code 1:\n" + out + err);
        List<String> lines = out.toString().lines().toList();
        assertEquals("imported " + COUNT + " certificate(s), 0 CA(s); 0 already known; 2 rejected:", lines.get(0), out.toString());
        assertTrue(lines.get(1).startsWith("  " + files.resolve("broken.pem") + ": PEM cannot be read: "), lines.get(1));
        assertEquals("  " + files.resolve("empty.der") + ": the file is empty", lines.get(2));
        assertTrue(err.toString().contains("[##############################] " + String.format("%,d/%,d", COUNT + 2, COUNT + 2) + " 100%"),
                "progress bar: " + err.toString().lines().reduce((a, b) -> b).orElse(""));
        assertEquals(COUNT, service.registry().search(new org.certdir.registry.CertificateQuery(null, null, null, 1, 0)).total() - 10,
                "the demo's 10 certificates plus the imported ones");
        System.out.printf("imported %d certificates through the CLI in %.1f s: %.0f certificates/s%n", COUNT, seconds, COUNT / seconds);

        StringWriter again = new StringWriter();
        assertEquals(1, Main.run(new String[] {"cert", "import", "--url", service.adminUrl(), "--token-file", service.data().adminToken().toString(),
                files.toString()}, new PrintWriter(again, true), new PrintWriter(new StringWriter(), true)));
        assertEquals("imported 0 certificate(s), 0 CA(s); " + COUNT + " already known; 2 rejected:", again.toString().lines().findFirst().orElseThrow());
    }
}
