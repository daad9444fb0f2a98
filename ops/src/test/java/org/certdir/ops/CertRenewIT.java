package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CertificateQuery;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.Serial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code certdir cert renew} and {@code POST /admin/certificates/renew} against the running demo: the renewal of a demo
 * certificate for the same key, for a new key and with the old one revoked, each checked by openssl (keys, names, usages,
 * the chain, OCSP, the CRL) and by ldapsearch looking the address up as a mail client does; and every refusal, with the
 * line the admin sees. Each test renews certificates of its own, so they run in any order.
 */
class CertRenewIT {

    private static final String CA = "demo-issuing-ca";

    @RegisterExtension
    static final DemoService DEMO = new DemoService();

    @TempDir
    Path work;

    @Test
    void sameKey_certifiesTheOldKeyAgain_withItsNamesAndUsages_andBothAreInTheDirectoryUntilTheOldExpires() throws Exception {
        Interop.require("openssl", "openssl");
        Interop.require("ldapsearch", "ldap-utils");
        Path old = DEMO.demo("alice-encryption.pem");
        X509Certificate oldCertificate = read(old);
        String oldSerial = serial(old);
        Path out = work.resolve("alice-renewed.pem");

        EmptyService.Cli renew = renewed(oldSerial, out);
        X509Certificate renewed = KeyFiles.readPem(out).get(0);
        String newSerial = renewed.getSerialNumber().toString(16);
        assertEquals(List.of(
                "renewed certificate " + oldSerial + " of CA " + CA + ":",
                "  new serial  " + newSerial + " (published)",
                "  key         the same",
                "  subject     " + CertificateDetails.parse(oldCertificate.getEncoded()).subject(),
                "  valid       " + renewed.getNotBefore().toInstant() + " .. " + renewed.getNotAfter().toInstant() + " (730 days)",
                "  old         valid until " + oldCertificate.getNotAfter().toInstant(),
                "  certificate " + out), renew.lines());

        // As openssl reads them: the same key and names and usages, a new serial, a chain that verifies.
        assertEquals(openssl("x509", "-in", old.toString(), "-noout", "-pubkey"), openssl("x509", "-in", out.toString(), "-noout", "-pubkey"));
        assertNotEquals(openssl("x509", "-in", old.toString(), "-noout", "-serial"), openssl("x509", "-in", out.toString(), "-noout", "-serial"));
        assertEquals(namesAndUsages(old), namesAndUsages(out));
        assertTrue(namesAndUsages(out).contains("email:alice@example.com"), namesAndUsages(out));
        assertEquals(out + ": OK\n", openssl("verify", "-CAfile", DEMO.demo("chain.pem").toString(), out.toString()));
        assertEquals(Duration.ofDays(730), Duration.between(renewed.getNotBefore().toInstant(), renewed.getNotAfter().toInstant())
                .truncatedTo(ChronoUnit.DAYS), "the old one's length of validity");

        // The old certificate stays valid until it expires: a sender finds both, as the publisher publishes every valid one.
        assertEquals(Set.of(der(oldCertificate), der(renewed)), awaitDirectory("alice@example.com", Set.of(der(oldCertificate), der(renewed))));

        JsonObject audit = audit("certificate.renew", CA + "/" + oldSerial);
        assertEquals("renewed as " + CA + "/" + newSerial + " (same key), the old one valid until " + oldCertificate.getNotAfter().toInstant(),
                audit.getString("detail"));
    }

    @Test
    void newKey_writesAPkcs12WithAKeyOfTheSameKind_thatOpensslOpens() throws Exception {
        Interop.require("openssl", "openssl");
        Path old = DEMO.demo("bob-signing.pem");
        Path password = Files.writeString(work.resolve("p12.password"), "bob renewal password\n");
        Path out = work.resolve("bob-renewed.p12");

        EmptyService.Cli renew = renewed(serial(old), out, "--new-key", "--password-file", password.toString(), "--validity-days", "90");
        assertEquals("  key         new ec-p256", renew.lines().get(2), renew.out());
        assertTrue(renew.lines().get(4).endsWith(" (90 days)"), renew.out());
        assertEquals("  keys        " + out, renew.lines().get(6), renew.out());
        assertEquals(7, renew.lines().size(), "no password line when the admin gave one: " + renew.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));

        Path certificate = work.resolve("bob-renewed.pem");
        Path key = work.resolve("bob-renewed.key");
        openssl("pkcs12", "-in", out.toString(), "-passin", "file:" + password, "-clcerts", "-nokeys", "-out", certificate.toString());
        openssl("pkcs12", "-in", out.toString(), "-passin", "file:" + password, "-nocerts", "-nodes", "-out", key.toString());
        String newKey = openssl("pkey", "-in", key.toString(), "-pubout");
        assertEquals(newKey, openssl("x509", "-in", certificate.toString(), "-noout", "-pubkey"), "the key is the new certificate's");
        assertNotEquals(openssl("x509", "-in", old.toString(), "-noout", "-pubkey"), newKey, "a new key");
        assertTrue(openssl("pkey", "-in", key.toString(), "-noout", "-text").contains("NIST CURVE: P-256"), "of the old one's kind");
        assertEquals(namesAndUsages(old), namesAndUsages(certificate));
        assertEquals(certificate + ": OK\n", openssl("verify", "-CAfile", DEMO.demo("chain.pem").toString(), certificate.toString()));
        List<X509Certificate> chain = new ArrayList<>();
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(out)) {
            store.load(in, "bob renewal password".toCharArray());
        }
        for (var one : store.getCertificateChain("signing")) {
            chain.add((X509Certificate) one);
        }
        assertEquals(List.of(DEMO.demo("issuing-ca.pem"), DEMO.demo("root-ca.pem")).stream().map(CertRenewIT::read).toList(), chain.subList(1, 3),
                "the chain up to the root, as cert issue writes it");
    }

    @Test
    void revokeOld_revokesItAsSuperseded_onOcspAndTheCrl_andTheDirectoryKeepsOnlyTheNewOne() throws Exception {
        Interop.require("openssl", "openssl");
        Interop.require("ldapsearch", "ldap-utils");
        Path old = DEMO.demo("carol-encryption.pem");
        Path out = work.resolve("carol-renewed.pem");

        EmptyService.Cli renew = renewed(serial(old), out, "--revoke-old");
        assertEquals("  old         revoked (superseded)", renew.lines().get(5), renew.out());
        X509Certificate renewed = KeyFiles.readPem(out).get(0);

        Interop.Run ocsp = Interop.run("openssl", "ocsp", "-issuer", DEMO.demo("issuing-ca.pem").toString(), "-cert", old.toString(),
                "-cert", out.toString(), "-url", DEMO.service().publicUrl() + "/ocsp", "-CAfile", DEMO.demo("chain.pem").toString());
        assertTrue((ocsp.out() + ocsp.err()).contains("Response verify OK"), ocsp.out() + ocsp.err());
        assertTrue(ocsp.out().contains(old + ": revoked\n"), ocsp.out());
        assertTrue(ocsp.out().contains("\tReason: superseded\n"), ocsp.out());
        assertTrue(ocsp.out().contains(out + ": good\n"), ocsp.out());

        assertEquals(0, DEMO.certdir("crl", "publish", "--ca", CA).code());
        Path crl = work.resolve("issuing.crl");
        String entry = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (entry.isEmpty() && System.nanoTime() < deadline) {
            Files.write(crl, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(DEMO.service().publicUrl() + "/crl/" + CA + ".crl")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body());
            entry = crlEntry(openssl("crl", "-inform", "DER", "-in", crl.toString(), "-noout", "-text"), read(old).getSerialNumber());
            Thread.sleep(entry.isEmpty() ? 200 : 0);
        }
        assertTrue(entry.contains("X509v3 CRL Reason Code:") && entry.contains("Superseded"), entry);
        Path crlPem = work.resolve("issuing.crl.pem");
        openssl("crl", "-inform", "DER", "-in", crl.toString(), "-out", crlPem.toString());
        Interop.Run oldChecked = Interop.run("openssl", "verify", "-crl_check", "-CAfile", DEMO.demo("chain.pem").toString(), "-CRLfile", crlPem.toString(),
                old.toString());
        assertEquals(2, oldChecked.exitCode(), oldChecked.out() + oldChecked.err());
        assertTrue(oldChecked.err().contains("certificate revoked"), oldChecked.out() + oldChecked.err());
        assertEquals(out + ": OK\n", openssl("verify", "-crl_check", "-CAfile", DEMO.demo("chain.pem").toString(), "-CRLfile", crlPem.toString(),
                out.toString()));

        assertEquals(Set.of(der(renewed)), awaitDirectory("carol@example.com", Set.of(der(renewed))));
        assertEquals("renewed as " + CA + "/" + renewed.getSerialNumber().toString(16) + " (same key), the old one revoked (superseded)",
                audit("certificate.renew", CA + "/" + serial(old)).getString("detail"));
    }

    @Test
    void expiredCertificate_isRenewed_forAtMostTheMaximumValidity_andSaysSo() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        X509Certificate expired = certificate("expired@example.com", now.minus(Duration.ofDays(2000)), now.minus(Duration.ofDays(1)));
        importCertificates(expired);
        Path out = work.resolve("expired-renewed.pem");

        EmptyService.Cli renew = renewed(expired.getSerialNumber().toString(16), out);
        assertTrue(renew.lines().get(4).endsWith(" (1095 days)"), renew.out());
        assertEquals("  note        the old certificate was valid for 1999 days, more than the maximum of 1095: the renewal is valid for 1095",
                renew.lines().get(5), renew.out());
        assertEquals("  old         expired " + expired.getNotAfter().toInstant(), renew.lines().get(6), renew.out());
        X509Certificate renewed = KeyFiles.readPem(out).get(0);
        assertTrue(renewed.getNotAfter().toInstant().isAfter(now.plus(Duration.ofDays(1094))), renewed.getNotAfter().toString());
    }

    @Test
    void refusals_sayWhy_inOneLine_andRecordNothing() throws Exception {
        String held = importCertificates(new TestPki(DEMO.data()).smime("held@example.com", SmimePurpose.ENCRYPTION).certificate()).get(0);
        assertEquals(0, DEMO.certdir("hold", "--ca", CA, "--serial", held).code());
        String partner = partnerCertificate();
        long before = certificates();
        String mallory = serial(DEMO.demo("mallory-encryption.pem"));
        assertRefused("certdir: certificate " + mallory + " of CA '" + CA + "' is revoked (keyCompromise): revoked certificates are not renewed: "
                + "issue a new one", "--ca", CA, "--serial", mallory);
        assertRefused("certdir: certificate " + held + " of CA '" + CA + "' is on hold: held certificates are not renewed: release it first, "
                + "or revoke it and issue a new one", "--ca", CA, "--serial", held);
        String issuingCa = serial(DEMO.demo("issuing-ca.pem"));
        assertRefused("certdir: certificate " + issuingCa + " of CA 'demo-root-ca' is a CA certificate: cert renew renews end-entity certificates only",
                "--ca", "demo-root-ca", "--serial", issuingCa);
        String signer = KeyFiles.readPkcs12(DEMO.data().resolve("keys/ocsp/" + CA + ".p12"),
                Files.readString(DEMO.data().resolve("keys/passphrase")).strip().toCharArray()).chain().get(0).getSerialNumber().toString(16);
        assertRefused("certdir: certificate " + signer + " of CA '" + CA + "' is an OCSP signer: certdir issues its delegated OCSP signers anew "
                + "itself before they expire", "--ca", CA, "--serial", signer);
        assertRefused("certdir: CA 'renew-partner-ca' is registered for publication only: certdir has no key to renew its certificates; "
                + "the CA that holds the key renews them", "--ca", "renew-partner-ca", "--serial", partner);
        assertRefused("certdir: CA '" + CA + "' has no certificate with serial 1234abcd", "--ca", CA, "--serial", "1234abcd");
        assertRefused("certdir: no CA named 'no-such-ca' is registered ('certdir ca list' shows them)", "--ca", "no-such-ca", "--serial", "1234abcd");
        assertRefused("certdir: serial number 'xyz' is not hexadecimal", "--ca", CA, "--serial", "xyz");
        String alice = serial(DEMO.demo("alice-signing.pem"));
        assertRefused("certdir: --key-algorithm is for a new key: give --new-key too, or leave it out to keep the old key",
                "--ca", CA, "--serial", alice, "--key-algorithm", "rsa-3072");
        assertRefused("certdir: --password-file protects the PKCS#12 of a new key: give --new-key too, or leave it out "
                + "(a renewal for the same key writes only the certificate)", "--ca", CA, "--serial", alice, "--password-file", "/dev/null");
        assertRefused("certdir: validityDays must be between 1 and 1095, was 1096", "--ca", CA, "--serial", alice, "--validity-days", "1096");
        assertRefused("certdir: key algorithm 'dsa-1024' is not one of ec-p256, ec-p384, rsa-3072, rsa-4096",
                "--ca", CA, "--serial", alice, "--new-key", "--key-algorithm", "dsa-1024");
        Path exists = Files.writeString(work.resolve("exists.pem"), "");
        assertRefused("certdir: " + exists + " exists already: give another --out or move it away", "--ca", CA, "--serial", alice, "--out", exists.toString());
        assertEquals(before, certificates(), "nothing recorded");
        assertEquals(CertificateStatus.VALID, DEMO.service().registry().certificate(new CaName(CA), Serial.parseHex(alice)).orElseThrow().status());
    }

    @Test
    void adminApi_refusesBadFields_namingThem() throws Exception {
        AdminHttp admin = new AdminHttp(DEMO.service());
        String bob = serial(DEMO.demo("bob-encryption.pem"));
        assertBad(admin, new JsonObject().put("serial", bob), 400, "ca",
                "ca is missing: give the short name of the CA that issued the certificate ('certdir ca list' shows them)");
        assertBad(admin, new JsonObject().put("ca", CA), 400, "serial", "serial is missing: give the serial number of the certificate to renew, in hex");
        assertBad(admin, new JsonObject().put("ca", CA).put("serial", bob).put("newKey", "yes"), 400, "newKey", "newKey must be true or false");
        assertBad(admin, new JsonObject().put("ca", CA).put("serial", bob).put("keyAlgorithm", "rsa-3072"), 400, "keyAlgorithm",
                "keyAlgorithm is for a new key: give newKey too, or leave it out to keep the old key");
        assertBad(admin, new JsonObject().put("ca", CA).put("serial", bob).put("password", "long enough"), 400, "password",
                "password protects the PKCS#12 of a new key: give newKey too, or leave it out (a renewal for the same key hands back only the certificate)");
        assertBad(admin, new JsonObject().put("ca", CA).put("serial", bob).put("newKey", true).put("password", "short"), 400, "password",
                "password must have at least 8 characters, or leave it out to have one generated");
        assertBad(admin, new JsonObject().put("ca", CA).put("serial", bob).put("validityDays", 0), 400, "validityDays",
                "validityDays must be between 1 and 1095, was 0");
        assertBad(admin, new JsonObject().put("ca", CA).put("serial", "1234abcd"), 404, null, "CA '" + CA + "' has no certificate with serial 1234abcd");
        String mallory = serial(DEMO.demo("mallory-encryption.pem"));
        assertBad(admin, new JsonObject().put("ca", CA).put("serial", mallory).put("newKey", true), 409, null,
                "certificate " + mallory + " of CA '" + CA + "' is revoked (keyCompromise): revoked certificates are not renewed: issue a new one");
    }

    @Test
    void adminApi_newKeyOfAnotherKind_handsBackThePkcs12AndAGeneratedPassword_andPublishesTheNewCertificate() throws Exception {
        Interop.require("ldapsearch", "ldap-utils");
        AdminHttp admin = new AdminHttp(DEMO.service());
        X509Certificate old = new TestPki(DEMO.data()).smime("dora@example.com", SmimePurpose.ENCRYPTION).certificate();
        importCertificates(old);
        AdminHttp.Answer answer = admin.post("/admin/certificates/renew", new JsonObject().put("ca", CA).put("serial", old.getSerialNumber().toString(16))
                .put("newKey", true).put("keyAlgorithm", "rsa-3072"));
        assertEquals(201, answer.status(), answer.body().encode());
        assertEquals("rsa-3072", answer.body().getString("keyAlgorithm"));
        assertEquals("encryption", answer.body().getJsonObject("renewed").getString("usage"));
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(answer.body().getString("pkcs12"))),
                answer.body().getString("password").toCharArray());
        X509Certificate renewed = (X509Certificate) store.getCertificate("encryption");
        assertEquals("RSA", store.getKey("encryption", answer.body().getString("password").toCharArray()).getAlgorithm());
        assertEquals(true, renewed.getKeyUsage()[2], "keyEncipherment for the RSA key, where the EC key had keyAgreement");
        assertEquals(Set.of(der(old), der(renewed)), awaitDirectory("dora@example.com", Set.of(der(old), der(renewed))));
    }

    // ---- helpers

    /** {@code certdir cert renew --ca demo-issuing-ca --serial SERIAL --out OUT OPTIONS}, which must succeed. */
    private static EmptyService.Cli renewed(String serial, Path out, String... options) {
        List<String> args = new ArrayList<>(List.of("cert", "renew", "--ca", CA, "--serial", serial, "--out", out.toString()));
        args.addAll(List.of(options));
        EmptyService.Cli cli = DEMO.certdir(args.toArray(String[]::new));
        assertEquals(0, cli.code(), cli.out() + cli.err());
        return cli;
    }

    private static void assertRefused(String line, String... options) {
        List<String> args = new ArrayList<>(List.of("cert", "renew"));
        args.addAll(List.of(options));
        EmptyService.Cli cli = DEMO.certdir(args.toArray(String[]::new));
        assertEquals(1, cli.code(), cli.out() + cli.err());
        assertEquals(line + "\n", cli.err());
    }

    private static void assertBad(AdminHttp admin, JsonObject body, int status, String field, String error) throws Exception {
        AdminHttp.Answer answer = admin.post("/admin/certificates/renew", body);
        assertEquals(status, answer.status(), answer.body().encode());
        assertEquals(error, answer.error());
        assertEquals(field, answer.field());
    }

    private static long certificates() {
        return DEMO.service().registry().search(new CertificateQuery(null, null, null, 1, 0)).total();
    }

    /** Imports certificates of the demo issuing CA (or of a CA imported with them); returns their serials. */
    private static List<String> importCertificates(X509Certificate... certificates) throws Exception {
        AdminHttp.Answer answer = new AdminHttp(DEMO.service()).post("/admin/certificates/import", "application/x-pem-file",
                KeyFiles.pem(List.of(certificates)).getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, answer.status(), answer.body().encode());
        assertEquals(0, answer.body().getJsonArray("rejected").size(), answer.body().encode());
        return List.of(certificates).stream().map(certificate -> certificate.getSerialNumber().toString(16)).toList();
    }

    /** A certificate of a partner CA certdir publishes but has no key for; returns its serial. */
    private static String partnerCertificate() throws Exception {
        TestPki pki = new TestPki(DEMO.data());
        Issued root = pki.issuer().rootCa("Renew Partner CA", "partner", KeyAlgorithm.EC_P256, Duration.ofDays(30));
        SigningCa partner = new SigningCa(new CaName("renew-partner-ca"), root.certificate(), root.keyPair().getPrivate());
        Issued user = pki.issuer().smime(partner, "pat@partner.example", "Pat Partner", "partner", SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256,
                Duration.ofDays(30));
        return importCertificates(root.certificate(), user.certificate()).get(1);
    }

    /** An S/MIME encryption certificate of the demo issuing CA valid from {@code notBefore} to {@code notAfter}. */
    private static X509Certificate certificate(String mail, Instant notBefore, Instant notAfter) throws Exception {
        KeyFiles.KeyEntry ca = KeyFiles.readPkcs12(DEMO.data().resolve("keys/" + CA + ".p12"),
                Files.readString(DEMO.data().resolve("keys/passphrase")).strip().toCharArray());
        var builder = new JcaX509v3CertificateBuilder(X500Name.getInstance(ca.chain().get(0).getSubjectX500Principal().getEncoded()),
                new BigInteger(120, new java.security.SecureRandom()).setBit(119), java.util.Date.from(notBefore), java.util.Date.from(notAfter),
                new X500Name("CN=Expired Example"), KeyAlgorithm.EC_P256.generate().getPublic());
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyAgreement));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_emailProtection));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.rfc822Name, mail)));
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithm(ca.key())).build(ca.key())));
    }

    /** The subject, subject alternative name, key usage and extended key usage, as openssl prints them. */
    private static String namesAndUsages(Path certificate) throws Exception {
        return openssl("x509", "-in", certificate.toString(), "-noout", "-subject", "-ext", "subjectAltName,keyUsage,extendedKeyUsage");
    }

    /** The text of one entry of {@code openssl crl -text}, from its serial to the next entry; empty when the CRL does not list it. */
    private static String crlEntry(String text, BigInteger serial) {
        String hex = serial.toString(16).toUpperCase(java.util.Locale.ROOT);
        int start = text.indexOf("Serial Number: " + (hex.length() % 2 == 1 ? "0" + hex : hex) + "\n");
        if (start < 0) {
            return "";
        }
        int end = text.indexOf("Serial Number: ", start + 1);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    /**
     * The certificates (DER in hex) ldapsearch finds for {@code mail}, anonymously, once they are {@code wanted}: the
     * publication follows the registry's commit through its queue (up to 30 s).
     */
    private static Set<String> awaitDirectory(String mail, Set<String> wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Set<String> found;
        do {
            Interop.Run search = Interop.run("ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", DEMO.service().ldapUrl(), "-b", "dc=example,dc=com",
                    "(mail=" + mail + ")", "userCertificate;binary");
            assertEquals(0, search.exitCode(), search.err());
            found = new TreeSet<>();
            for (String line : search.out().lines().toList()) {
                if (line.startsWith("userCertificate;binary:: ")) {
                    found.add(HexFormat.of().formatHex(Base64.getDecoder().decode(line.substring("userCertificate;binary:: ".length()))));
                }
            }
        } while (!found.equals(wanted) && System.nanoTime() < deadline && sleep());
        return found;
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(200);
        return true;
    }

    private static JsonObject audit(String action, String target) throws Exception {
        AdminHttp.Answer answer = new AdminHttp(DEMO.service()).get("/admin/audit?limit=50");
        return answer.body().getJsonArray("audit").stream().map(JsonObject.class::cast)
                .filter(record -> action.equals(record.getString("action")) && target.equals(record.getString("target")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + action + " of " + target + " in " + answer.body().encode()));
    }

    private static String openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Interop.Run run = Interop.run(command.toArray(String[]::new));
        assertEquals(0, run.exitCode(), String.join(" ", command) + ": " + run.out() + run.err());
        return run.out();
    }

    private static String serial(Path pem) throws Exception {
        return KeyFiles.readPem(pem).get(0).getSerialNumber().toString(16);
    }

    private static String der(X509Certificate certificate) throws Exception {
        return HexFormat.of().formatHex(certificate.getEncoded());
    }

    private static X509Certificate read(Path pem) {
        try {
            return KeyFiles.readPem(pem).get(0);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
