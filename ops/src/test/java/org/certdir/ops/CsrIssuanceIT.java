package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.profile.ProfileConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code certdir cert issue --csr FILE --profile NAME} through the CLI against a running service: keys and CSRs made by
 * {@code openssl req} (EC and RSA), certificates that {@code openssl verify} accepts with the CRLs the service publishes,
 * carrying what the profile says ({@code openssl x509 -text}) for the CSR's own key, published in the directory by mail
 * and usable by {@code openssl cms} with the user's key; and every bad input refused with the line the admin sees.
 */
class CsrIssuanceIT {

    /** An admin's profile, as a config file gives it. */
    private static final String PARTNERS = """
            certdir.profiles.partners {
              key-algorithms = [ec-p256, rsa-2048, rsa-3072]
              validity = 365d
              max-validity = 730d
              key-usage = [digitalSignature, keyEncipherment, keyAgreement]
              organisation = "Example GmbH"
              organizational-units = [Sales, Purchasing]
              max-mail-addresses = 2
              mail-domains = [example.org]
            }
            """;

    @RegisterExtension
    static final EmptyService SERVICE = new EmptyService(config -> {
        List<String> problems = new ArrayList<>();
        var profiles = ProfileConfig.read(ConfigFactory.parseString(PARTNERS).getConfig("certdir"), problems);
        assertEquals(List.of(), problems);
        return config.withProfiles(profiles);
    });

    private static final String ISSUING = "csr-issuing-ca";
    private static final String ROOT = "csr-root-ca";
    private static final String PROFILES = "smime-encryption, smime-signing, smime-dual-use, partners";

    @TempDir
    Path work;

    @BeforeAll
    static void hierarchy() {
        assertEquals(0, SERVICE.certdir("ca", "create", "--subject", "CN=CSR Root CA,O=Example,C=DE").code());
        EmptyService.Cli issuing = SERVICE.certdir("ca", "create", "--subject", "CN=CSR Issuing CA,O=Example,C=DE", "--parent", ROOT);
        assertEquals(0, issuing.code(), issuing.err());
        // A CA that expires before a profile's validity would end; a root, so that the issuing CA above stays the only one.
        assertEquals(0, SERVICE.certdir("ca", "create", "--subject", "CN=CSR Short CA", "--validity-days", "100").code());
    }

    @Test
    void ecKey_smimeEncryption_verifiesWithTheCrls_isPublished_andDecryptsWithTheUsersKey() throws Exception {
        Interop.require("openssl", "openssl");
        Path key = work.resolve("erin.key");
        Path csr = work.resolve("erin.csr");
        Interop.openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-out", csr.toString(),
                "-subj", "/C=DE/O=Self Chosen/CN=Erin Example/emailAddress=Erin@Example.org");

        EmptyService.Cli issue = SERVICE.certdir("cert", "issue", "--csr", csr.toString(), "--profile", "smime-encryption");
        assertEquals(0, issue.code(), issue.err());
        Path pem = work.resolve("erin-cert.pem");
        X509Certificate erin = KeyFiles.readPem(pem).get(0);
        assertEquals(List.of("issued for erin@example.org by CA " + ISSUING + ", profile smime-encryption:",
                "  serial      " + erin.getSerialNumber().toString(16),
                "  subject     emailAddress=erin@example.org,CN=Erin Example",
                "  usage       encryption (published in the directory)",
                "  not after   " + erin.getNotAfter().toInstant(),
                "  certificate " + pem), issue.lines());

        verifyWithCrls(pem);
        String text = text(pem);
        assertTrue(text.contains("Subject: CN = Erin Example, emailAddress = erin@example.org\n"), text);
        assertTrue(text.contains("X509v3 Key Usage: critical\n                Key Agreement\n"), text);
        assertTrue(text.contains("X509v3 Extended Key Usage: \n                E-mail Protection\n"), text);
        assertTrue(text.contains("X509v3 Subject Alternative Name: \n                email:erin@example.org\n"), text);
        assertFalse(text.contains("Self Chosen"), "the O is the profile's (none), never the request's: " + text);
        assertEquals(Duration.ofDays(730).plusMinutes(5), Duration.between(erin.getNotBefore().toInstant(), erin.getNotAfter().toInstant()));
        assertSameKey(pem, key);
        assertArrayEquals(erin.getEncoded(), published("erin@example.org"));
        assertCmsRoundTrip(pem, key);

        List<String> audit = SERVICE.certdir("audit", "--since", "1h").lines();
        assertTrue(audit.stream().anyMatch(line -> line.contains("certificate.issue") && line.contains(ISSUING + "/" + erin.getSerialNumber().toString(16))
                && line.contains("emailAddress=erin@example.org,CN=Erin Example (profile smime-encryption, ec-p256 key from a CSR)")), audit.toString());
    }

    @Test
    void rsaKey_adminsProfile_fixesTheO_keepsTheAllowedOu_andBothAddresses() throws Exception {
        Interop.require("openssl", "openssl");
        Path key = work.resolve("frank.key");
        Path csr = work.resolve("frank.csr");
        Interop.openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", csr.toString(),
                "-subj", "/O=Self Chosen/OU=Sales/CN=Frank Example", "-addext", "subjectAltName=email:frank@example.org,email:f.example@example.org");
        Path pem = work.resolve("frank.pem");

        EmptyService.Cli issue = SERVICE.certdir("cert", "issue", "--csr", csr.toString(), "--profile", "partners", "--validity-days", "400",
                "--ca", ISSUING, "--out", pem.toString());
        assertEquals(0, issue.code(), issue.err());
        assertEquals("issued for frank@example.org, f.example@example.org by CA " + ISSUING + ", profile partners:", issue.lines().get(0));
        assertEquals("  usage       encryption-and-signing (published in the directory)", issue.lines().get(3));

        verifyWithCrls(pem);
        String text = text(pem);
        assertTrue(text.contains("Subject: O = Example GmbH, OU = Sales, CN = Frank Example, emailAddress = frank@example.org\n"), text);
        assertTrue(text.contains("X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment\n"), text);
        assertTrue(text.contains("X509v3 Subject Alternative Name: \n                email:frank@example.org, email:f.example@example.org\n"), text);
        X509Certificate frank = KeyFiles.readPem(pem).get(0);
        assertEquals(Duration.ofDays(400).plusMinutes(5), Duration.between(frank.getNotBefore().toInstant(), frank.getNotAfter().toInstant()));
        assertSameKey(pem, key);
        assertArrayEquals(frank.getEncoded(), published("frank@example.org"));
        assertArrayEquals(frank.getEncoded(), published("f.example@example.org"));
        assertCmsRoundTrip(pem, key);
    }

    @Test
    void mailAndNameGiven_replaceTheCsrs_andASigningCertificateStaysOutOfTheDirectory() throws Exception {
        Interop.require("openssl", "openssl");
        Path csr = csr("gina", "/CN=Someone", "ec_paramgen_curve:P-384");
        EmptyService.Cli issue = SERVICE.certdir("cert", "issue", "--csr", csr.toString(), "--profile", "smime-signing", "--mail", "Gina@Example.org",
                "--name", "Gina Example");
        assertEquals(0, issue.code(), issue.err());
        assertEquals("  subject     emailAddress=gina@example.org,CN=Gina Example", issue.lines().get(2));
        assertEquals("  usage       signing", issue.lines().get(3));
        String text = text(work.resolve("gina-cert.pem"));
        assertTrue(text.contains("X509v3 Key Usage: critical\n                Digital Signature, Non Repudiation\n"), text);
        assertTrue(text.contains("email:gina@example.org\n"), text);
        JsonObject listed = new AdminHttp(SERVICE.service()).get("/admin/certificates?mail=gina@example.org").body();
        assertEquals(1, listed.getInteger("total"));
        assertEquals("signing", listed.getJsonArray("certificates").getJsonObject(0).getString("usage"));
    }

    @Test
    void profiles_listedByTheCliAndTheApi() throws Exception {
        EmptyService.Cli list = SERVICE.certdir("profile", "list");
        assertEquals(0, list.code(), list.err());
        List<String> lines = list.lines();
        assertEquals(List.of("smime-encryption (built in)",
                "  keys        ec-p256, ec-p384, rsa-3072, rsa-4096",
                "  validity    730d (at most 1095d)",
                "  key usage   keyEncipherment, keyAgreement",
                "  ext. usage  emailProtection",
                "  subject     O none, OU none, CN from the request (required)",
                "  mail        at most 1, any domain"), lines.subList(0, 7));
        assertEquals(List.of("partners",
                "  keys        ec-p256, rsa-2048, rsa-3072",
                "  validity    365d (at most 730d)",
                "  key usage   digitalSignature, keyEncipherment, keyAgreement",
                "  ext. usage  emailProtection",
                "  subject     O Example GmbH, OU one of Sales, Purchasing, CN from the request (required)",
                "  mail        at most 2, in example.org"), lines.subList(21, 28));
        JsonArray profiles = new AdminHttp(SERVICE.service()).get("/admin/profiles").body().getJsonArray("profiles");
        assertEquals(4, profiles.size());
        assertEquals(new JsonObject().put("name", "smime-dual-use").put("builtIn", true)
                .put("keyAlgorithms", new JsonArray(List.of("ec-p256", "ec-p384", "rsa-3072", "rsa-4096"))).put("validity", "730d").put("maxValidity", "1095d")
                .put("keyUsage", new JsonArray(List.of("digitalSignature", "keyEncipherment", "keyAgreement")))
                .put("extendedKeyUsage", new JsonArray(List.of("emailProtection"))).put("organizationalUnits", new JsonArray()).put("commonName", "required")
                .put("maxMailAddresses", 1).put("mailDomains", new JsonArray()), profiles.getJsonObject(2));
    }

    @Test
    void badInput_isRefusedWithTheReason_andNothingIsRecorded() throws Exception {
        Interop.require("openssl", "openssl");
        AdminHttp admin = new AdminHttp(SERVICE.service());
        long before = admin.get("/admin/certificates?limit=1").body().getLong("total");
        Path good = csr("hank", "/CN=Hank Example/emailAddress=hank@example.org", "ec_paramgen_curve:P-256");

        assertRefused("profile 'nope' is not known: the profiles are " + PROFILES + " ('certdir profile list')", good, "--profile", "nope");
        assertRefused("profile is missing: give one of " + PROFILES, good);
        Path certificate = Files.writeString(work.resolve("issuing.pem"), KeyFiles.pem(List.of(aia(ISSUING))));
        assertRefused("not a CSR: the PEM holds CERTIFICATE, not a CERTIFICATE REQUEST", certificate, "--profile", "smime-encryption");
        Path garbage = Files.writeString(work.resolve("garbage.csr"), "hello");
        assertRefused("not a CSR: expected a PKCS#10 certificate request in PEM ('-----BEGIN CERTIFICATE REQUEST-----') or DER", garbage,
                "--profile", "smime-encryption");
        Path der = work.resolve("hank.der");
        Interop.openssl("req", "-in", good.toString(), "-outform", "DER", "-out", der.toString());
        byte[] bytes = Files.readAllBytes(der);
        String latin = new String(bytes, StandardCharsets.ISO_8859_1);
        Path tampered = Files.write(work.resolve("tampered.der"), latin.replace("Hank Example", "Hunk Example").getBytes(StandardCharsets.ISO_8859_1));
        assertRefused("the CSR's signature does not verify with the key it carries: it was changed after it was signed, or signed with another key"
                + " (no proof that the sender holds the private key)", tampered, "--profile", "smime-encryption");
        Path rsa2048 = work.resolve("rsa2048.csr");
        Interop.openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", work.resolve("rsa2048.key").toString(), "-out", rsa2048.toString(),
                "-subj", "/CN=Ivan Example/emailAddress=ivan@example.org");
        assertRefused("key type rsa-2048 is not allowed by profile 'smime-encryption': it allows ec-p256, ec-p384, rsa-3072, rsa-4096", rsa2048,
                "--profile", "smime-encryption");
        Path p521 = csr("judy", "/CN=Judy Example/emailAddress=judy@example.org", "ec_paramgen_curve:P-521");
        assertRefused("key type ec on curve 1.3.132.0.35 is not allowed by profile 'partners': it allows ec-p256, rsa-2048, rsa-3072", p521,
                "--profile", "partners");
        assertRefused("validityDays must be between 1 and 1095 (the maximum of profile 'smime-encryption'), was 1096", good,
                "--profile", "smime-encryption", "--validity-days", "1096");
        Path noMail = csr("nomail", "/CN=Karl Example", "ec_paramgen_curve:P-256");
        assertRefused("no mail address: the CSR has no rfc822Name in a subjectAltName extension request and no emailAddress in its subject; give the"
                + " address (mail, --mail)", noMail, "--profile", "smime-encryption");
        assertRefused("mail 'hank at example.org' is not a mail address like alice@example.com", good, "--profile", "smime-encryption",
                "--mail", "hank at example.org");
        assertRefused("mail 'hank@example.com' is not in a domain profile 'partners' allows: example.org", good, "--profile", "partners",
                "--mail", "hank@example.com");
        assertRefused("3 mail addresses (a@example.org, b@example.org, c@example.org): profile 'partners' allows at most 2 in one certificate", good,
                "--profile", "partners", "--mail", "a@example.org", "--mail", "b@example.org", "--mail", "c@example.org");
        Path sales = csr("sales", "/OU=Sales/CN=Lena Example/emailAddress=lena@example.org", "ec_paramgen_curve:P-256");
        assertRefused("OU 'Sales' is not allowed by profile 'smime-encryption': it allows no OU; make the CSR without one", sales,
                "--profile", "smime-encryption");
        Path marketing = csr("marketing", "/OU=Marketing/CN=Lena Example/emailAddress=lena@example.org", "ec_paramgen_curve:P-256");
        assertRefused("OU 'Marketing' is not allowed by profile 'partners': it allows one of Sales, Purchasing", marketing, "--profile", "partners");
        Path noName = csr("noname", "/emailAddress=mona@example.org", "ec_paramgen_curve:P-256");
        assertRefused("no name: profile 'smime-encryption' takes the subject's CN from the request: give the person's name (a CN in the CSR's subject,"
                + " or --name)", noName, "--profile", "smime-encryption");
        Path large = Files.write(work.resolve("large.csr"), new byte[70_000]);
        assertRefused("the CSR is 70000 bytes: at most 65536 are accepted (a request for one key is a few KB)", large, "--profile", "smime-encryption");
        assertRefused("no CA named 'no-such-ca' is registered ('certdir ca list' shows them)", good, "--profile", "smime-encryption", "--ca", "no-such-ca");

        // RFC 5280 §6.1.3: a certificate outliving its CA fails verification for its last part.
        EmptyService.Cli pastCa = SERVICE.certdir("cert", "issue", "--csr", good.toString(), "--profile", "partners", "--ca", "csr-short-ca",
                "--validity-days", "400");
        assertEquals(1, pastCa.code(), pastCa.out());
        assertTrue(pastCa.err().matches("certdir: a validity of 400 days would end on \\S+, after CA 'csr-short-ca' expires \\(\\S+\\): at most 99\n"),
                pastCa.err());

        EmptyService.Cli pairOption = SERVICE.certdir("cert", "issue", "--csr", good.toString(), "--profile", "smime-encryption", "--key-algorithm", "ec-p384");
        assertEquals("certdir: --key-algorithm and --password-file are for a new key pair: with --csr the key is the user's own\n", pairOption.err());
        EmptyService.Cli profileWithoutCsr = SERVICE.certdir("cert", "issue", "--mail", "x@example.org", "--name", "X", "--profile", "partners");
        assertEquals("certdir: --profile goes with --csr: a new pair gets the profiles smime-encryption and smime-signing\n", profileWithoutCsr.err());

        assertField(admin.post("/admin/certificates/issue-csr", new JsonObject()), "profile", "profile is missing: give one of " + PROFILES);
        assertField(admin.post("/admin/certificates/issue-csr", new JsonObject().put("profile", "smime-encryption")), "csr",
                "csr is missing: give the PKCS#10 request as PEM text or base64 DER");
        assertField(admin.post("/admin/certificates/issue-csr", new JsonObject().put("profile", "smime-encryption").put("csr", Files.readString(good))
                .put("mail", 5)), "mail", "mail must be a string or an array of strings");
        assertField(admin.post("/admin/certificates/issue-csr", new JsonObject().put("profile", "smime-encryption").put("csr", Files.readString(good))
                .put("validityDays", "ten")), "validityDays", "validityDays must be a whole number");

        assertEquals(before, admin.get("/admin/certificates?limit=1").body().getLong("total"), "nothing was recorded");
        assertFalse(Files.exists(work.resolve("hank-cert.pem")));

        // The same CSR, as PEM text through the API, is then issued.
        AdminHttp.Answer issued = admin.post("/admin/certificates/issue-csr", new JsonObject().put("profile", "smime-dual-use").put("csr", Files.readString(good)));
        assertEquals(201, issued.status(), issued.body().encode());
        assertEquals("encryption-and-signing", issued.body().getJsonObject("certificate").getString("usage"));
        assertEquals(List.of(aia(ISSUING), aia(ROOT)), KeyFiles.readPem(Files.writeString(work.resolve("chain.pem"), issued.body().getString("chain"))));
    }

    // ---- helpers

    private Path csr(String name, String subject, String curve) throws Exception {
        Path csr = work.resolve(name + ".csr");
        Interop.openssl("req", "-new", "-newkey", "ec", "-pkeyopt", curve, "-nodes", "-keyout", work.resolve(name + ".key").toString(),
                "-out", csr.toString(), "-subj", subject);
        return csr;
    }

    private static void assertRefused(String error, Path csr, String... options) {
        List<String> args = new ArrayList<>(List.of("cert", "issue", "--csr", csr.toString()));
        args.addAll(List.of(options));
        EmptyService.Cli result = SERVICE.certdir(args.toArray(String[]::new));
        assertEquals(1, result.code(), result.out());
        assertEquals("certdir: " + error + "\n", result.err());
    }

    private static void assertField(AdminHttp.Answer answer, String field, String error) {
        assertEquals(400, answer.status(), answer.body().encode());
        assertEquals(field, answer.field(), answer.body().encode());
        assertEquals(error, answer.error());
    }

    /** openssl verify with the root as trust anchor, the issuing CA as untrusted, and both CRLs as the service publishes them. */
    private void verifyWithCrls(Path certificate) throws Exception {
        Path root = Files.writeString(work.resolve("root.pem"), KeyFiles.pem(List.of(aia(ROOT))));
        Path issuing = Files.writeString(work.resolve("issuing-ca.pem"), KeyFiles.pem(List.of(aia(ISSUING))));
        Path rootCrl = crl(ROOT);
        Path issuingCrl = crl(ISSUING);
        Interop.Run verify = Interop.run("openssl", "verify", "-crl_check_all", "-CAfile", root.toString(), "-untrusted", issuing.toString(),
                "-CRLfile", rootCrl.toString(), "-CRLfile", issuingCrl.toString(), certificate.toString());
        assertEquals(0, verify.exitCode(), verify.out() + verify.err());
        assertEquals(certificate + ": OK\n", verify.out());
    }

    private static String text(Path certificate) throws Exception {
        Interop.Run text = Interop.run("openssl", "x509", "-in", certificate.toString(), "-noout", "-text");
        assertEquals(0, text.exitCode(), text.err());
        return text.out();
    }

    /** The public key in the certificate is the one of the user's key file: the CSR's, never one certdir made. */
    private static void assertSameKey(Path certificate, Path key) throws Exception {
        Interop.Run inCertificate = Interop.run("openssl", "x509", "-in", certificate.toString(), "-noout", "-pubkey");
        Interop.Run ofKey = Interop.run("openssl", "pkey", "-in", key.toString(), "-pubout");
        assertEquals(0, ofKey.exitCode(), ofKey.err());
        assertEquals(ofKey.out(), inCertificate.out());
    }

    /** A message encrypted to the certificate by openssl cms, decrypted with the user's key. */
    private void assertCmsRoundTrip(Path certificate, Path key) throws Exception {
        Path message = Files.writeString(work.resolve("message.txt"), "for your eyes only\n");
        Path encrypted = work.resolve("message.p7m");
        Path decrypted = work.resolve("message.out");
        Interop.openssl("cms", "-encrypt", "-binary", "-aes256", "-in", message.toString(), "-out", encrypted.toString(), certificate.toString());
        Interop.openssl("cms", "-decrypt", "-in", encrypted.toString(), "-recip", certificate.toString(), "-inkey", key.toString(), "-out", decrypted.toString());
        assertEquals("for your eyes only\n", Files.readString(decrypted));
    }

    /** The userCertificate;binary of the directory entry for {@code mail}, read anonymously as a mail client does (up to 30 s). */
    private static byte[] published(String mail) throws Exception {
        LDAPURL url = new LDAPURL(SERVICE.service().ldapUrl());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (LDAPConnection connection = new LDAPConnection(url.getHost(), url.getPort())) {
            while (true) {
                SearchResultEntry entry = connection.searchForEntry("dc=example,dc=com", SearchScope.SUB, "(mail=" + mail + ")", "userCertificate;binary");
                if (entry != null && entry.hasAttribute("userCertificate;binary")) {
                    return entry.getAttributeValueBytes("userCertificate;binary");
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no certificate published for " + mail + " within 30 s: " + entry);
                }
                Thread.sleep(200);
            }
        }
    }

    private static X509Certificate aia(String ca) throws Exception {
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(SERVICE.service().publicUrl() + "/aia/" + ca + ".crt"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(response.body()));
    }

    /** The CA's full CRL from its HTTP distribution point, as PEM (waiting up to 30 s for its first one). */
    private Path crl(String ca) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<byte[]> response;
        do {
            response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(SERVICE.service().publicUrl() + "/crl/" + ca + ".crl")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } while (response.statusCode() != 200 && System.nanoTime() < deadline && sleep());
        assertEquals(200, response.statusCode(), ca);
        Path der = Files.write(work.resolve(ca + ".crl.der"), response.body());
        Path pem = work.resolve(ca + ".crl.pem");
        Interop.openssl("crl", "-inform", "DER", "-in", der.toString(), "-out", pem.toString());
        return pem;
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(200);
        return true;
    }
}
