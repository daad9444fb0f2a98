package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.Serial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An existing CA moved in from OpenSSL: a CA directory made by {@code openssl req}/{@code openssl ca} (index.txt,
 * newcerts, serial, crlnumber), imported with its key, its certificates and its last CRL ({@code certdir ca import}).
 * certdir's next CRL has the next number and lists the same revocations with the same dates, reasons and invalidity
 * dates ({@code openssl crl -text} of both), {@code openssl verify -crl_check} takes it, and {@code openssl ocsp} against
 * certdir agrees with openssl's index.txt. Also: a CA registered as published only becomes managed when its key is
 * imported, and each bad input is refused with the line the admin sees, storing nothing.
 *
 * <p>Scale: 1,000 certificates, 50 revoked. Three are issued and one revoked by {@code openssl ca} itself; the other 997
 * are signed here with the CA's key by Bouncy Castle and written as {@code openssl ca} writes them (newcerts/SERIAL.pem
 * and index.txt lines), so that openssl makes the CA's last CRL from its own index: a thousand {@code openssl ca} runs
 * would take minutes on a loaded 2-core machine.
 */
class CaImportIT {

    @RegisterExtension
    static final EmptyService SERVICE = new EmptyService();

    @TempDir
    Path work;

    private static final int ISSUED = 1000;
    private static final int REVOKED = 50;
    /** The last CRL number the CA used in openssl (crlnumber file, hex). */
    private static final long LAST_CRL_NUMBER = 0x105;
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String[] REASONS = {"keyCompromise", "superseded", "cessationOfOperation", "affiliationChanged", "", "CACompromise"};

    @Test
    void opensslCa_importedWithKeyCertificatesAndCrl_certdirContinuesItsCrlsAndAnswersOcspAsItsIndex() throws Exception {
        Interop.require("openssl", "openssl");
        Interop.require("curl", "curl");
        Path dir = opensslCa("Old Example CA");
        Path caPem = dir.resolve("ca.pem");
        Path lastCrl = dir.resolve("last.crl.pem");
        Interop.openssl("ca", "-config", dir.resolve("openssl.cnf").toString(), "-gencrl", "-out", lastCrl.toString());
        assertTrue(opensslText("crl", lastCrl).contains("X509v3 CRL Number: \n                " + LAST_CRL_NUMBER), "openssl's CRL is number 261");

        EmptyService.Cli imported = SERVICE.certdir("ca", "import", "--key", dir.resolve("ca.key").toString(), "--cert", caPem.toString(),
                "--certs", dir.resolve("newcerts").toString(), "--last-crl", lastCrl.toString());
        assertEquals(0, imported.code(), imported.err());
        assertEquals(List.of("imported CA old-example-ca (managed): CN=Old Example CA,O=Example",
                "  certificates  " + ISSUED + " recorded, 0 known, 0 rejected",
                "  revocations   " + REVOKED + " from its last CRL",
                "  next CRL      number " + (LAST_CRL_NUMBER + 1)), imported.lines());
        Path keyFile = SERVICE.data().resolve("keys/old-example-ca.p12");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        assertEquals(KeyFiles.readPem(caPem).get(0), KeyFiles.readPkcs12(keyFile, passphrase()).chain().get(0),
                "the key is kept under the data directory's passphrase, with the CA's certificate");
        List<String> audit = SERVICE.service().registry().auditTrail(2000).stream().map(record -> record.action() + " " + record.actor()).toList();
        assertTrue(audit.contains("ca.import admin"), audit.toString());
        assertEquals(REVOKED, audit.stream().filter("certificate.revoke-imported admin"::equals).count(), "each revocation audited as imported");

        // certdir's first CRL of the CA: the next number, the same entries as openssl's last one.
        Path certdirCrl = fetchCrl(SERVICE.service().publicUrl() + "/crl/old-example-ca.crl");
        String ours = opensslText("crl", certdirCrl);
        String theirs = opensslText("crl", lastCrl);
        assertFirstCrl(new CaName("old-example-ca"), LAST_CRL_NUMBER + 1, REVOKED, ours);
        Map<String, String> ourEntries = entries(ours);
        assertEquals(REVOKED, ourEntries.size(), ours);
        assertEquals(entries(theirs), ourEntries, "the same serials, revocation dates, reasons and invalidity dates");
        assertTrue(ourEntries.values().stream().anyMatch(entry -> entry.contains("Invalidity Date")), "the invalidity date openssl ca -crl_compromise set");

        // openssl verify with certdir's CRL: a good certificate passes, a revoked one is refused.
        Index index = Index.read(dir.resolve("index.txt"));
        assertEquals(ISSUED, index.status().size());
        String good = index.first('V');
        String revoked = index.first('R');
        Interop.Run verifyGood = Interop.run("openssl", "verify", "-crl_check", "-CAfile", caPem.toString(), "-CRLfile", certdirCrl.toString(),
                cert(dir, good).toString());
        assertEquals(cert(dir, good) + ": OK\n", verifyGood.out(), verifyGood.err());
        Interop.Run verifyRevoked = Interop.run("openssl", "verify", "-crl_check", "-CAfile", caPem.toString(), "-CRLfile", certdirCrl.toString(),
                cert(dir, revoked).toString());
        assertEquals(2, verifyRevoked.exitCode(), verifyRevoked.out());
        assertTrue(verifyRevoked.err().contains("certificate revoked"), verifyRevoked.out() + verifyRevoked.err());

        // OCSP from certdir for a sample of good and revoked certificates, against openssl's index.
        List<String> sample = new ArrayList<>();
        List<String> serials = new ArrayList<>(index.status().keySet());
        for (int i = 0; i < serials.size() && sample.size() < 30; i += 37) {
            sample.add(serials.get(i));
        }
        index.status().entrySet().stream().filter(entry -> entry.getValue().charAt(0) == 'R').limit(15).forEach(entry -> sample.add(entry.getKey()));
        // Up to 15 certificates per request: the responder refuses more than 20 CertIDs in one (OcspResponder.MAX_CERT_IDS).
        StringBuilder answers = new StringBuilder();
        for (int from = 0; from < sample.size(); from += 15) {
            List<String> command = new ArrayList<>(List.of("openssl", "ocsp", "-issuer", caPem.toString(), "-url", SERVICE.service().publicUrl() + "/ocsp",
                    "-CAfile", caPem.toString()));
            for (String serial : sample.subList(from, Math.min(sample.size(), from + 15))) {
                command.add("-cert");
                command.add(cert(dir, serial).toString());
            }
            Interop.Run run = Interop.run(command.toArray(String[]::new));
            assertTrue((run.out() + run.err()).contains("Response verify OK"), run.out() + run.err());
            answers.append(run.out());
        }
        Interop.Run ocsp = new Interop.Run(0, answers.toString(), "");
        int revokedSeen = 0;
        for (String serial : sample) {
            String line = index.status().get(serial);
            Matcher answer = Pattern.compile(Pattern.quote(cert(dir, serial).toString()) + ": (\\w+)\\n((?:\\t[^\\n]*\\n)*)").matcher(ocsp.out());
            assertTrue(answer.find(), serial + " answered: " + ocsp.out());
            if (line.charAt(0) == 'V') {
                assertEquals("good", answer.group(1), serial);
            } else {
                revokedSeen++;
                assertEquals("revoked", answer.group(1), serial + ": " + ocsp.out());
                String[] revocation = line.split("\t")[2].split(",");
                assertTrue(answer.group(2).contains("\tRevocation Time: " + printed(revocation[0]) + "\n"), serial + " revoked at "
                        + printed(revocation[0]) + " as index.txt has it: " + answer.group(2));
                // openssl ca writes keyCompromise with a compromise time (-crl_compromise) as "keyTime", with the time after it.
                String reason = revocation.length > 1 ? revocation[1].replace("CAkeyTime", "cACompromise").replace("keyTime", "keyCompromise") : "";
                if (!reason.isEmpty()) {
                    assertTrue(answer.group(2).toLowerCase(java.util.Locale.ROOT).contains("\treason: " + reason.toLowerCase(java.util.Locale.ROOT) + "\n"),
                            serial + " reason " + reason + " as index.txt has it: " + answer.group(2));
                }
            }
        }
        assertTrue(revokedSeen >= 15, "the sample holds revoked certificates");

        // certdir issues from the imported CA now.
        EmptyService.Cli issue = SERVICE.certdir("cert", "issue", "--ca", "old-example-ca", "--mail", "new@example.org", "--name", "New User",
                "--out", work.resolve("new.p12").toString());
        assertEquals(0, issue.code(), issue.err());

        // Imported once is imported: a second import of the same CA is refused.
        EmptyService.Cli again = SERVICE.certdir("ca", "import", "--key", dir.resolve("ca.key").toString(), "--cert", caPem.toString(),
                "--next-crl-number", "900");
        assertEquals("certdir: CA 'old-example-ca' (CN=Old Example CA,O=Example) is managed already: its key is in keys/old-example-ca.p12\n", again.err());
    }

    @Test
    void publishedOnlyCa_becomesManagedWithItsKey_keepingItsCertificates() throws Exception {
        Interop.require("openssl", "openssl");
        Path dir = opensslCa("Published Example CA", 3);
        Path caPem = dir.resolve("ca.pem");
        EmptyService.Cli registered = SERVICE.certdir("cert", "import", caPem.toString(), dir.resolve("newcerts").toString());
        assertEquals(0, registered.code(), registered.err());
        assertTrue(SERVICE.certdir("ca", "list").out().contains("published-example-ca     external"), SERVICE.certdir("ca", "list").out());
        CaName name = new CaName("published-example-ca");
        long before = SERVICE.service().registry().certificate(name, Serial.parseHex("1000")).orElseThrow().id();

        Path p12 = work.resolve("ca.p12");
        Interop.openssl("pkcs12", "-export", "-inkey", dir.resolve("ca.key").toString(), "-in", caPem.toString(), "-passout", "pass:right horse",
                "-out", p12.toString());
        Path password = Files.writeString(work.resolve("password.txt"), "right horse\n");
        EmptyService.Cli imported = SERVICE.certdir("ca", "import", "--pkcs12", p12.toString(), "--password-file", password.toString(),
                "--certs", dir.resolve("newcerts").toString(), "--next-crl-number", "42");
        assertEquals(0, imported.code(), imported.err());
        assertEquals(List.of("imported CA published-example-ca (managed, published only until now): CN=Published Example CA,O=Example",
                "  certificates  0 recorded, 3 known, 0 rejected",
                "  revocations   0 from its last CRL",
                "  next CRL      number 42"), imported.lines());
        assertTrue(SERVICE.certdir("ca", "list").out().contains("published-example-ca     managed"), SERVICE.certdir("ca", "list").out());
        assertEquals(before, SERVICE.service().registry().certificate(name, Serial.parseHex("1000")).orElseThrow().id(), "its certificates kept");
        assertFalse(Files.readString(SERVICE.data().resolve("keys/published-example-ca.p12"), java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains("right horse"), "the source password is not stored");
        Path crl = fetchCrl(SERVICE.service().publicUrl() + "/crl/published-example-ca.crl");
        assertFirstCrl(name, 42, 0, opensslText("crl", crl));

        // A revocation now reaches certdir's OCSP for the CA certdir did not hold before.
        assertEquals(0, SERVICE.certdir("revoke", "--ca", "published-example-ca", "--serial", "1000", "--reason", "superseded").code());
        assertEquals(CertificateStatus.REVOKED, SERVICE.service().registry().certificate(name, Serial.parseHex("1000")).orElseThrow().status());
        Interop.Run ocsp = Interop.run("openssl", "ocsp", "-issuer", caPem.toString(), "-cert", dir.resolve("newcerts/1000.pem").toString(), "-url",
                SERVICE.service().publicUrl() + "/ocsp", "-CAfile", caPem.toString());
        assertTrue(ocsp.out().contains(": revoked"), ocsp.out() + ocsp.err());
        assertTrue(ocsp.out().contains("Reason: superseded"), ocsp.out());
    }

    @Test
    void badInput_isRefusedWithTheReason_andNothingIsStored() throws Exception {
        Interop.require("openssl", "openssl");
        Path dir = opensslCa("Refused Example CA", 2);
        Path config = dir.resolve("openssl.cnf");
        Path caPem = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca.key");
        Path newcerts = dir.resolve("newcerts");
        Path lastCrl = dir.resolve("last.crl.pem");
        Interop.openssl("ca", "-config", config.toString(), "-revoke", newcerts.resolve("1000.pem").toString(), "-crl_reason", "superseded");
        Interop.openssl("ca", "-config", config.toString(), "-gencrl", "-out", lastCrl.toString());

        // A certificate that is not a CA's: one the CA issued, with that user's key.
        Path leafKey = work.resolve("leaf.key");
        Path leafCsr = work.resolve("leaf.csr");
        Interop.openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", leafKey.toString(), "-subj", "/CN=Leaf",
                "-out", leafCsr.toString());
        Path leaf = work.resolve("leaf.pem");
        Interop.openssl("ca", "-batch", "-config", config.toString(), "-in", leafCsr.toString(), "-out", leaf.toString());
        assertRefused("certdir: the certificate CN=Leaf is not a CA certificate: its basicConstraints does not say cA (RFC 5280 §4.2.1.9);"
                + " give the certificate of the CA whose key this is", "--key", leafKey.toString(), "--cert", leaf.toString(), "--next-crl-number", "1");

        // A key that is not the CA's.
        assertRefused("certdir: the key does not match the certificate CN=Refused Example CA,O=Example: it is not the private key of the certificate's"
                + " public key; give the CA's own key", "--key", leafKey.toString(), "--cert", caPem.toString(), "--next-crl-number", "1");

        // A CRL of another CA.
        Path other = opensslCa("Other Example CA", 1);
        Path otherCrl = other.resolve("last.crl.pem");
        Interop.openssl("ca", "-config", other.resolve("openssl.cnf").toString(), "-gencrl", "-out", otherCrl.toString());
        assertRefused("certdir: the last CRL was issued by CN=Other Example CA,O=Example, not by the CA CN=Refused Example CA,O=Example: give the CA's"
                + " own last CRL", "--key", caKey.toString(), "--cert", caPem.toString(), "--certs", newcerts.toString(), "--last-crl", otherCrl.toString());

        // A CRL in the CA's name whose signature is another key's: a CA of the same name, made with another key.
        Path impostor = opensslCa("Refused Example CA", 1);
        Path forged = impostor.resolve("last.crl.pem");
        Interop.openssl("ca", "-config", impostor.resolve("openssl.cnf").toString(), "-gencrl", "-out", forged.toString());
        assertRefused("certdir: the signature of the last CRL does not verify with the key of CA CN=Refused Example CA,O=Example: the CRL is damaged,"
                + " or was signed by another key of the same name", "--key", caKey.toString(), "--cert", caPem.toString(), "--certs", newcerts.toString(),
                "--last-crl", forged.toString());

        // A next CRL number at or below the last CRL's.
        assertRefused("certdir: the next CRL number " + LAST_CRL_NUMBER + " is not above the last CRL's number " + LAST_CRL_NUMBER + ": a CA's CRL"
                        + " numbers only grow (RFC 5280 §5.2.3); give at least " + (LAST_CRL_NUMBER + 1) + " or leave it out", "--key", caKey.toString(),
                "--cert", caPem.toString(), "--certs", newcerts.toString(), "--last-crl", lastCrl.toString(), "--next-crl-number",
                String.valueOf(LAST_CRL_NUMBER));

        // Neither the last CRL nor a number: certdir could not know where the CA's numbers are.
        assertRefused("certdir: give the CA's last CRL (--last-crl) or the number its next CRL is to have (--next-crl-number): certdir's CRLs of the"
                + " CA continue its CRL numbers", "--key", caKey.toString(), "--cert", caPem.toString());

        // A revocation whose certificate is not given.
        assertRefused("certdir: the last CRL lists 1 serial whose certificate is neither given nor registered (1000): give every certificate the CA"
                        + " issued (for openssl ca, its newcerts directory) so the registry knows every revocation", "--key", caKey.toString(), "--cert",
                caPem.toString(), "--certs", newcerts.resolve("1001.pem").toString(), "--last-crl", lastCrl.toString());

        // A wrong PKCS#12 password.
        Path p12 = work.resolve("refused.p12");
        Interop.openssl("pkcs12", "-export", "-inkey", caKey.toString(), "-in", caPem.toString(), "-passout", "pass:right", "-out", p12.toString());
        Path wrong = Files.writeString(work.resolve("wrong.txt"), "wrong\n");
        assertRefused("certdir: the PKCS#12 file cannot be opened with the password given: the password is wrong", "--pkcs12", p12.toString(),
                "--password-file", wrong.toString(), "--next-crl-number", "1");
    }

    @Test
    void issuingCaUnderAnOpensslRoot_pemKeyAndChain_throughTheAdminApi() throws Exception {
        Interop.require("openssl", "openssl");
        Path root = opensslCa("Sub Root CA", 0);
        Path key = work.resolve("issuing.key");
        Path csr = work.resolve("issuing.csr");
        Interop.openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-subj",
                "/O=Example/CN=Sub Issuing CA", "-out", csr.toString());
        Path issuing = work.resolve("issuing.pem");
        Interop.openssl("ca", "-batch", "-config", root.resolve("openssl.cnf").toString(), "-extensions", "ca_ext", "-in", csr.toString(), "-out",
                issuing.toString());
        String chain = KeyFiles.pem(List.of(KeyFiles.readPem(issuing).get(0), KeyFiles.readPem(root.resolve("ca.pem")).get(0)));
        AdminHttp admin = new AdminHttp(SERVICE.service());

        // Through the admin API, the same checks: a key that is not the CA's is a 400 naming the field, nothing stored.
        String otherKey = Files.readString(root.resolve("ca.key"));
        AdminHttp.Answer refused = admin.post("/admin/cas/import", new io.vertx.core.json.JsonObject().put("key", otherKey).put("certificate", chain)
                .put("nextCrlNumber", 7));
        assertEquals(400, refused.status(), refused.body().encode());
        assertEquals("key", refused.body().getString("field"));
        assertEquals("the key does not match the certificate O=Example,CN=Sub Issuing CA: it is not the private key of the certificate's public key;"
                + " give the CA's own key", refused.body().getString("error"));
        assertTrue(SERVICE.service().registry().ca(new CaName("sub-root-ca")).isEmpty(), "nothing stored, the chain's root neither");

        AdminHttp.Answer imported = admin.post("/admin/cas/import", new io.vertx.core.json.JsonObject().put("key", Files.readString(key))
                .put("certificate", chain).put("nextCrlNumber", 7));
        assertEquals(200, imported.status(), imported.body().encode());
        assertEquals("sub-issuing-ca", imported.body().getJsonObject("ca").getString("name"));
        assertEquals("sub-root-ca", imported.body().getJsonArray("casAdded").getJsonObject(0).getString("name"), "the root, published only");
        assertEquals(7, imported.body().getLong("nextCrlNumber"));
        var registry = SERVICE.service().registry();
        assertFalse(registry.ca(new CaName("sub-root-ca")).orElseThrow().managed());
        assertTrue(registry.ca(new CaName("sub-issuing-ca")).orElseThrow().managed());
        assertTrue(registry.certificate(new CaName("sub-root-ca"), Serial.parseHex("1000")).isPresent(),
                "the issuing CA is one of its root's certificates, for the root's CRLs and OCSP answers");
        List<String> audit = registry.auditTrail(50).stream().map(record -> record.action() + " " + record.target() + " " + record.actor()).toList();
        assertTrue(audit.contains("ca.import sub-issuing-ca admin"), audit.toString());
        assertFirstCrl(new CaName("sub-issuing-ca"), 7, 0, opensslText("crl", fetchCrl(SERVICE.service().publicUrl() + "/crl/sub-issuing-ca.crl")));
    }

    private void assertRefused(String error, String... options) throws Exception {
        String listBefore = SERVICE.certdir("ca", "list").out();
        long auditBefore = SERVICE.service().registry().auditTrail(100_000).size();
        String[] args = new String[options.length + 2];
        args[0] = "ca";
        args[1] = "import";
        System.arraycopy(options, 0, args, 2, options.length);
        EmptyService.Cli result = SERVICE.certdir(args);
        assertEquals(1, result.code(), result.out());
        assertEquals(error + "\n", result.err());
        assertEquals(listBefore, SERVICE.certdir("ca", "list").out(), "no CA registered");
        assertEquals(auditBefore, SERVICE.service().registry().auditTrail(100_000).size(), "nothing recorded");
        assertFalse(Files.exists(SERVICE.data().resolve("keys/refused-example-ca.p12")), "no key stored");
        assertFalse(Files.exists(SERVICE.data().resolve("keys/leaf.p12")), "no key stored");
    }

    /**
     * certdir's first CRL of an imported CA is a full CRL numbered {@code first} with all the CA's revocations, none before
     * it; {@code text} ({@code openssl crl -text} of the CRL at the HTTP point) is that one or a later full (the schedule
     * and the import's activation may both issue one at once).
     */
    private static void assertFirstCrl(CaName ca, long first, int entries, String text) {
        var registry = SERVICE.service().registry();
        var crl = registry.crlSummary(ca, first).orElseThrow(() -> new AssertionError("no CRL number " + first + " of " + ca));
        assertEquals(null, crl.baseNumber(), "a full CRL");
        assertEquals(entries, crl.entries());
        assertTrue(registry.crlSummary(ca, first - 1).isEmpty(), "nothing below the CA's next number");
        Matcher number = Pattern.compile("X509v3 CRL Number: \\n\\s+(\\d+)\\n").matcher(text);
        assertTrue(number.find(), text);
        assertTrue(Long.parseLong(number.group(1)) >= first, text);
    }

    private char[] passphrase() throws Exception {
        return org.certdir.ops.datadir.DataDirectory.secret(SERVICE.service().data().keysPassphrase()).toCharArray();
    }

    // ---- an openssl CA directory

    private Path opensslCa(String commonName) throws Exception {
        return opensslCa(commonName, ISSUED);
    }

    /**
     * An openssl CA directory: its key and self-signed certificate from {@code openssl req -x509}, three certificates from
     * {@code openssl ca} (one revoked by it with an invalidity date), the others (up to {@code issued}) written here as
     * openssl ca writes them, {@link #REVOKED} in all revoked when {@code issued} is {@link #ISSUED}.
     */
    private Path opensslCa(String commonName, int issued) throws Exception {
        Path dir = Files.createTempDirectory(work, "ca");
        Files.createDirectories(dir.resolve("newcerts"));
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("serial"), "1000\n");
        Files.writeString(dir.resolve("crlnumber"), String.format("%04X%n", LAST_CRL_NUMBER));
        Path config = Files.writeString(dir.resolve("openssl.cnf"), """
                [req]
                distinguished_name = dn
                prompt = no
                x509_extensions = ca_ext
                [dn]
                O = Example
                CN = %s
                [ca_ext]
                basicConstraints = critical,CA:TRUE
                keyUsage = critical,keyCertSign,cRLSign,digitalSignature
                subjectKeyIdentifier = hash
                [ca]
                default_ca = old_ca
                [old_ca]
                dir = %s
                database = $dir/index.txt
                new_certs_dir = $dir/newcerts
                serial = $dir/serial
                crlnumber = $dir/crlnumber
                certificate = $dir/ca.pem
                private_key = $dir/ca.key
                default_md = sha256
                default_days = 365
                default_crl_days = 30
                policy = any
                x509_extensions = user_ext
                unique_subject = no
                [any]
                commonName = supplied
                organizationName = optional
                emailAddress = optional
                [user_ext]
                basicConstraints = critical,CA:FALSE
                keyUsage = critical,digitalSignature,keyEncipherment
                extendedKeyUsage = emailProtection
                """.formatted(commonName, dir));
        Interop.openssl("req", "-x509", "-config", config.toString(), "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                dir.resolve("ca.key").toString(), "-out", dir.resolve("ca.pem").toString(), "-days", "3650");
        int byOpenssl = Math.min(3, issued);
        for (int i = 0; i < byOpenssl; i++) {
            Path csr = dir.resolve("user" + i + ".csr");
            Interop.openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir.resolve("user" + i + ".key").toString(),
                    "-subj", "/CN=OpenSSL User " + i + "/emailAddress=openssl-user-" + i + "@example.org", "-out", csr.toString());
            Interop.openssl("ca", "-batch", "-config", config.toString(), "-in", csr.toString(), "-out", dir.resolve("user" + i + ".pem").toString());
        }
        if (issued == ISSUED) {
            Interop.openssl("ca", "-config", config.toString(), "-revoke", dir.resolve("newcerts/1000.pem").toString(), "-crl_compromise", "20260101120000Z");
        }
        if (issued > byOpenssl) {
            writeLikeOpensslCa(dir, issued - byOpenssl, issued == ISSUED ? REVOKED - 1 : 0);
        }
        return dir;
    }

    /** {@code count} more certificates signed with the CA's key, {@code revoked} of them revoked, in newcerts/ and index.txt. */
    private static void writeLikeOpensslCa(Path dir, int count, int revoked) throws Exception {
        PrivateKey caKey;
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(dir.resolve("ca.key"))))) {
            Object read = parser.readObject();
            caKey = read instanceof PEMKeyPair pair ? new JcaPEMKeyConverter().getPrivateKey(pair.getPrivateKeyInfo())
                    : new JcaPEMKeyConverter().getPrivateKey((org.bouncycastle.asn1.pkcs.PrivateKeyInfo) read);
        }
        X509Certificate ca = KeyFiles.readPem(dir.resolve("ca.pem")).get(0);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair user = generator.generateKeyPair();
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(caKey);
        BigInteger serial = new BigInteger(Files.readString(dir.resolve("serial")).strip(), 16);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        StringBuilder index = new StringBuilder(Files.readString(dir.resolve("index.txt")));
        for (int i = 0; i < count; i++) {
            String mail = "user-" + i + "@example.org";
            Instant notAfter = now.plus(Duration.ofDays(365));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(ca, serial,
                    Date.from(now.minus(Duration.ofDays(30))), Date.from(notAfter), new X500Name("CN=User " + i + ",O=Example"), user.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_emailProtection))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.rfc822Name, mail)))
                    .build(signer));
            String hex = serial.toString(16).toUpperCase(java.util.Locale.ROOT);
            Files.writeString(dir.resolve("newcerts/" + hex + ".pem"), KeyFiles.pem(List.of(certificate)));
            // openssl ca's index.txt: status, expiry, revocation "date[,reason]", serial, file ("unknown"), subject.
            String status = "V\t" + UTC_TIME.format(notAfter) + "\t\t";
            if (i < revoked) {
                Instant revokedAt = now.minus(Duration.ofDays(20 - i % 20)).minusSeconds(i * 61L);
                String reason = REASONS[i % REASONS.length];
                status = "R\t" + UTC_TIME.format(notAfter) + "\t" + UTC_TIME.format(revokedAt) + (reason.isEmpty() ? "" : "," + reason) + "\t";
            }
            index.append(status).append(hex).append("\tunknown\t/O=Example/CN=User ").append(i).append('\n');
            serial = serial.add(BigInteger.ONE);
        }
        Files.writeString(dir.resolve("index.txt"), index.toString());
        Files.writeString(dir.resolve("serial"), serial.toString(16).toUpperCase(java.util.Locale.ROOT) + "\n");
    }

    /** openssl's index.txt: each serial's line. */
    private record Index(Map<String, String> status) {
        static Index read(Path file) throws Exception {
            Map<String, String> status = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file)) {
                status.put(line.split("\t")[3], line);
            }
            return new Index(status);
        }

        String first(char kind) {
            return status.entrySet().stream().filter(entry -> entry.getValue().charAt(0) == kind).findFirst().orElseThrow().getKey();
        }
    }

    private static Path cert(Path dir, String serial) {
        return dir.resolve("newcerts/" + serial + ".pem");
    }

    /** An index.txt time (YYMMDDHHMMSSZ) as openssl prints times: "Jan  1 12:00:00 2026 GMT". */
    private static String printed(String utcTime) {
        Instant instant = java.time.LocalDateTime.parse(utcTime, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).toInstant(ZoneOffset.UTC);
        return DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy 'GMT'", java.util.Locale.ROOT).withZone(ZoneOffset.UTC).format(instant);
    }

    /** The revoked entries of {@code openssl crl -text}, by serial: each entry's lines as openssl prints them. */
    private static Map<String, String> entries(String text) {
        Map<String, String> entries = new java.util.TreeMap<>();
        int start = text.indexOf("Revoked Certificates:");
        if (start < 0) {
            return entries;
        }
        String[] blocks = text.substring(start, text.indexOf("Signature Algorithm:", start)).split("\\n\\s+Serial Number: ");
        for (int i = 1; i < blocks.length; i++) {
            String block = blocks[i];
            // Lines sorted: the order of an entry's extensions is the signer's choice.
            entries.put(block.lines().findFirst().orElseThrow().strip(), block.lines().skip(1).map(String::strip).filter(line -> !line.isEmpty())
                    .sorted().toList().toString());
        }
        return entries;
    }

    private String opensslText(String kind, Path file) throws Exception {
        Interop.Run run = Interop.run("openssl", kind, "-in", file.toString(), "-noout", "-text");
        assertEquals(0, run.exitCode(), run.err());
        return run.out();
    }

    /** certdir's CRL over HTTP (its first one is being issued as the import returns), as PEM. */
    private Path fetchCrl(String url) throws Exception {
        Path der = Files.createTempFile(work, "certdir", ".crl");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Interop.Run curl = Interop.run("curl", "-sS", "-f", "-o", der.toString(), url);
        while (curl.exitCode() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            curl = Interop.run("curl", "-sS", "-f", "-o", der.toString(), url);
        }
        assertEquals(0, curl.exitCode(), url + ": " + curl.err());
        Path pem = Files.createTempFile(work, "certdir", ".crl.pem");
        Interop.openssl("crl", "-inform", "DER", "-in", der.toString(), "-out", pem.toString());
        return pem;
    }
}
