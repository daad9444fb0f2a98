package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code certdir ca create} through the CLI against a running service that started without any CA: a root and an
 * issuing CA under it, served at once (CRLs at every point, OCSP, the directory, AIA), checked by openssl, curl and
 * ldapsearch following the URLs in the certificates; and every refusal, with the line the admin sees.
 */
class CaCreateIT {

    @RegisterExtension
    static final EmptyService SERVICE = new EmptyService();

    @TempDir
    Path work;

    @Test
    void newHierarchy_isServedAtOnce_andOpensslVerifiesWithTheCrlsFetchedOverHttp_andOcsp() throws Exception {
        Interop.require("openssl", "openssl");
        Interop.require("curl", "curl");
        Interop.require("ldapsearch", "ldap-utils");
        EmptyService.Cli root = SERVICE.certdir("ca", "create", "--subject", "CN=Example Root CA,O=Example,C=DE");
        assertEquals(0, root.code(), root.err());
        assertEquals("created CA example-root-ca (self-signed root):", root.lines().get(0));
        assertEquals("  subject     CN=Example Root CA,O=Example,C=DE", root.lines().get(1));
        EmptyService.Cli issuing = SERVICE.certdir("ca", "create", "--subject", "CN=Example Issuing CA,O=Example,C=DE", "--parent", "example-root-ca",
                "--key-algorithm", "ec-p384", "--validity-days", "1825");
        assertEquals(0, issuing.code(), issuing.err());
        assertEquals("created CA example-issuing-ca (issued by example-root-ca):", issuing.lines().get(0));
        List<String> list = SERVICE.certdir("ca", "list").lines();
        assertTrue(list.stream().anyMatch(line -> line.startsWith("example-root-ca          managed    ")), list.toString());
        assertTrue(list.stream().anyMatch(line -> line.startsWith("example-issuing-ca       managed    ")
                && line.endsWith(" CN=Example Issuing CA,O=Example,C=DE")), list.toString());

        EmptyService.Cli issue = SERVICE.certdir("cert", "issue", "--ca", "example-issuing-ca", "--mail", "dave@example.org", "--name", "Dave Example",
                "--out", work.resolve("dave.p12").toString());
        assertEquals(0, issue.code(), issue.err());
        assertEquals("issued for dave@example.org by CA example-issuing-ca:", issue.lines().get(0));
        List<X509Certificate> chain = encryptionChain(work.resolve("dave.p12"), issue.lines().get(4).replace("  password    ", ""));
        X509Certificate dave = chain.get(0);
        X509Certificate issuingCa = chain.get(1);
        X509Certificate rootCa = chain.get(2);
        Path davePem = pem("dave.pem", dave);
        Path issuingPem = pem("issuing.pem", issuingCa);
        Path rootPem = pem("root.pem", rootCa);
        Path chainPem = pem("chain.pem", issuingCa, rootCa);

        // What the certificates carry: a root points nowhere; below it, each points to its issuer's CRLs, AIA and OCSP.
        String base = SERVICE.service().publicUrl();
        assertEquals(List.of(), CertificateUrls.crl(rootCa));
        assertNull(CertificateUrls.ocsp(rootCa));
        assertEquals(Integer.MAX_VALUE, rootCa.getBasicConstraints(), "a root's path length is unbounded unless given");
        assertEquals(0, issuingCa.getBasicConstraints());
        assertEquals(384, ((ECPublicKey) issuingCa.getPublicKey()).getParams().getOrder().bitLength());
        assertEquals("SHA256withECDSA", issuingCa.getSigAlgName(), "signed by the P-256 root");
        assertEquals("SHA384withECDSA", dave.getSigAlgName(), "signed by the P-384 issuing CA");
        assertEquals(base + "/crl/example-root-ca.crl", CertificateUrls.crl(issuingCa).get(0));
        assertTrue(CertificateUrls.crl(issuingCa).get(1).startsWith(SERVICE.service().ldapUrl() + "/cn=Example%20Root%20CA,ou=CAs,ou=pki,dc=example,dc=com?"),
                CertificateUrls.crl(issuingCa).toString());
        assertEquals(base + "/aia/example-root-ca.crt", CertificateUrls.caIssuers(issuingCa));
        assertEquals(base + "/ocsp", CertificateUrls.ocsp(issuingCa));
        assertEquals(base + "/crl/example-issuing-ca.crl", CertificateUrls.crl(dave).get(0));

        // The CRLs, fetched from the distribution points the certificates name.
        Path rootCrl = fetchCrl(CertificateUrls.crl(issuingCa).get(0), "root.crl");
        Path issuingCrl = fetchCrl(CertificateUrls.crl(dave).get(0), "issuing.crl");
        Interop.Run verify = Interop.run("openssl", "verify", "-crl_check_all", "-CAfile", rootPem.toString(), "-untrusted", issuingPem.toString(),
                "-CRLfile", rootCrl.toString(), "-CRLfile", issuingCrl.toString(), davePem.toString());
        assertEquals(0, verify.exitCode(), verify.out() + verify.err());
        assertEquals(davePem + ": OK\n", verify.out());

        // OCSP at the URL in the certificates, for the user and for the issuing CA (answered for the root), delegated signers.
        Interop.Run ocsp = Interop.run("openssl", "ocsp", "-issuer", issuingPem.toString(), "-cert", davePem.toString(), "-url", CertificateUrls.ocsp(dave),
                "-CAfile", chainPem.toString());
        assertTrue((ocsp.out() + ocsp.err()).contains("Response verify OK"), ocsp.out() + ocsp.err());
        assertTrue(ocsp.out().contains(davePem + ": good"), ocsp.out());
        Interop.Run ocspCa = Interop.run("openssl", "ocsp", "-issuer", rootPem.toString(), "-cert", issuingPem.toString(), "-url",
                CertificateUrls.ocsp(issuingCa), "-CAfile", rootPem.toString(), "-resp_text");
        assertTrue((ocspCa.out() + ocspCa.err()).contains("Response verify OK"), ocspCa.out() + ocspCa.err());
        assertTrue(ocspCa.out().contains(issuingPem + ": good"), ocspCa.out());
        assertTrue(ocspCa.out().contains("Example Root CA OCSP Signer"), "answered by the root's delegated signer: " + ocspCa.out());

        // The issuer's certificate at the AIA URL; the CA entry in the directory, with its CRL where the LDAP URL leads.
        Path aia = work.resolve("aia.der");
        assertEquals(0, Interop.run("curl", "-sS", "-f", "-o", aia.toString(), CertificateUrls.caIssuers(dave)).exitCode());
        assertArrayEquals(issuingCa.getEncoded(), Files.readAllBytes(aia));
        com.unboundid.ldap.sdk.LDAPURL ldapCrl = new com.unboundid.ldap.sdk.LDAPURL(CertificateUrls.crl(dave).get(1));
        String entry = awaitLdap(ldapCrl, "certificateRevocationList;binary::");
        assertTrue(entry.contains("cACertificate;binary::"), entry);

        // Revoked: OCSP says so at once, the next full CRL at the distribution point too.
        String serial = dave.getSerialNumber().toString(16);
        EmptyService.Cli revoke = SERVICE.certdir("revoke", "--ca", "example-issuing-ca", "--serial", serial, "--reason", "keyCompromise");
        assertEquals(0, revoke.code(), revoke.err());
        Interop.Run revoked = Interop.run("openssl", "ocsp", "-issuer", issuingPem.toString(), "-cert", davePem.toString(), "-url", CertificateUrls.ocsp(dave),
                "-CAfile", chainPem.toString());
        assertTrue(revoked.out().contains(davePem + ": revoked"), revoked.out());
        assertEquals(0, SERVICE.certdir("crl", "publish", "--ca", "example-issuing-ca").code());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Interop.Run check;
        do {
            issuingCrl = fetchCrl(CertificateUrls.crl(dave).get(0), "issuing-2.crl");
            check = Interop.run("openssl", "verify", "-crl_check_all", "-CAfile", rootPem.toString(), "-untrusted", issuingPem.toString(),
                    "-CRLfile", rootCrl.toString(), "-CRLfile", issuingCrl.toString(), davePem.toString());
        } while (check.exitCode() == 0 && System.nanoTime() < deadline && sleep());
        assertEquals(2, check.exitCode(), check.out() + check.err());
        assertTrue((check.out() + check.err()).contains("certificate revoked"), check.out() + check.err());
    }

    @Test
    void badInput_isRefusedWithTheReason_andNothingIsStored() throws Exception {
        assertEquals(0, SERVICE.certdir("ca", "create", "--subject", "CN=Bad Input Root CA").code());
        assertEquals(0, SERVICE.certdir("ca", "create", "--subject", "CN=Bad Input Issuing CA", "--parent", "bad-input-root-ca").code());
        String before = SERVICE.certdir("ca", "list").out();
        List<String> keysBefore = keyFiles();

        assertRefused("certdir: parent CA 'no-such-ca' is not registered ('certdir ca list' shows them)",
                "--subject", "CN=Orphan CA", "--parent", "no-such-ca");
        assertRefused("certdir: key algorithm 'dsa-1024' is not one of ec-p256, ec-p384, rsa-3072, rsa-4096",
                "--subject", "CN=Weak CA", "--key-algorithm", "dsa-1024");
        assertRefused("certdir: a CA named 'bad-input-root-ca' is already registered ('certdir ca list' shows them): give the new CA another name",
                "--subject", "CN=Another Root CA", "--name", "bad-input-root-ca");
        assertRefused("certdir: a CA named 'bad-input-root-ca' is already registered ('certdir ca list' shows them): give the new CA another name",
                "--subject", "CN=Bad Input Root CA,O=Elsewhere");
        assertRefused("certdir: CA 'bad-input-root-ca' has the CN 'Bad Input Root CA' already: a CA's directory entry is cn=<CN>,ou=CAs, so give the new"
                + " CA another CN", "--subject", "CN=Bad Input Root CA", "--name", "bad-input-root-2");
        assertRefused("certdir: CA name 'Bad_Name' must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'",
                "--subject", "CN=Named CA", "--name", "Bad_Name");
        assertRefused("certdir: parent CA 'bad-input-issuing-ca' has path length 0: it may sign end-entity certificates only, not another CA",
                "--subject", "CN=Too Deep CA", "--parent", "bad-input-issuing-ca");
        assertRefused("certdir: subject 'O=Example' has 0 CNs: give exactly one, it names the CA's directory entry (cn=<CN>,ou=CAs), e.g."
                + " 'CN=Example Issuing CA,O=Example,C=DE'", "--subject", "O=Example");
        assertRefused("certdir: subject 'CN=a,,' is not a distinguished name like 'CN=Example Issuing CA,O=Example,C=DE': improperly specified input name: CN=a,,",
                "--subject", "CN=a,,");
        assertRefused("certdir: pathLength must be 0 or more (0: the CA signs end-entity certificates only), was -1",
                "--subject", "CN=Negative CA", "--path-length", "-1");
        assertRefused("certdir: give either parent (a CA certdir holds signs the new CA) or csr (a root kept elsewhere signs it), not both",
                "--subject", "CN=Both CA", "--parent", "bad-input-root-ca", "--csr", work.resolve("both.csr").toString());
        EmptyService.Cli longer = SERVICE.certdir("ca", "create", "--subject", "CN=Longer CA", "--parent", "bad-input-root-ca", "--validity-days", "18000");
        assertEquals(1, longer.code());
        assertTrue(longer.err().matches("certdir: validityDays 18000 would end on \\S+, after parent CA 'bad-input-root-ca' expires \\(\\S+\\): at most 729\\d\n"),
                longer.err());

        assertEquals(before, SERVICE.certdir("ca", "list").out(), "no CA was recorded");
        assertEquals(keysBefore, keyFiles(), "no key was written");
        assertFalse(Files.exists(work.resolve("both.csr")));
    }

    @Test
    void adminApi_namesTheField_andTheAuditTrailHasTheAdmin() throws Exception {
        AdminHttp admin = new AdminHttp(SERVICE.service());
        assertField(admin.post("/admin/cas", new JsonObject().put("subject", "CN=Api CA").put("keyAlgorithm", "ed448")), "keyAlgorithm",
                "key algorithm 'ed448' is not one of ec-p256, ec-p384, rsa-3072, rsa-4096");
        assertField(admin.post("/admin/cas", new JsonObject().put("subject", 42)), "subject", "subject must be a string");
        assertField(admin.post("/admin/cas", new JsonObject()), "subject",
                "subject is missing: give the CA's distinguished name, e.g. 'CN=Example Issuing CA,O=Example,C=DE'");
        assertField(admin.post("/admin/cas", new JsonObject().put("subject", "CN=Api CA").put("parent", "nope")), "parent",
                "parent CA 'nope' is not registered ('certdir ca list' shows them)");
        assertField(admin.post("/admin/cas", new JsonObject().put("subject", "CN=Api CA").put("validityDays", 0)), "validityDays",
                "validityDays must be between 1 and 18250, was 0");
        assertField(admin.post("/admin/cas", new JsonObject().put("subject", "CN=Api CA").put("csr", "yes")), "csr", "csr must be true or false");
        assertField(admin.post("/admin/cas/install", new JsonObject()), "certificate", "certificate is missing: give the certificate file as PEM text or base64");
        assertField(admin.post("/admin/cas/install", new JsonObject().put("certificate", "bm90IGEgY2VydGlmaWNhdGU=")), "certificate",
                "certificate: not a certificate file: expected PEM, DER or PKCS#7 (it starts with neither '-----BEGIN' nor a DER SEQUENCE)");

        AdminHttp.Answer created = admin.post("/admin/cas", new JsonObject().put("subject", "CN=Api Root CA,O=Example").put("keyAlgorithm", "rsa-3072")
                .put("pathLength", 1).put("validityDays", 3650));
        assertEquals(201, created.status(), created.body().encode());
        assertEquals("api-root-ca", created.body().getJsonObject("ca").getString("name"));
        assertTrue(created.body().getJsonObject("ca").getBoolean("managed"));
        List<String> audit = SERVICE.certdir("audit", "--since", "1h").lines();
        String line = audit.stream().filter(each -> each.contains("ca.create") && each.contains("api-root-ca")).findFirst().orElseThrow(() -> new AssertionError(audit));
        assertTrue(line.matches("\\S+  admin    ca\\.create\\s+api-root-ca\\s+CN=Api Root CA,O=Example \\(rsa-3072, 3650 days, path length 1, self-signed\\)"
                + "  \\[127\\.0\\.0\\.1]"), line);
    }

    private static void assertField(AdminHttp.Answer answer, String field, String error) {
        assertEquals(400, answer.status(), answer.body().encode());
        assertEquals(field, answer.field(), answer.body().encode());
        assertEquals(error, answer.error());
    }

    private static void assertRefused(String error, String... options) {
        List<String> args = new ArrayList<>(List.of("ca", "create"));
        args.addAll(List.of(options));
        EmptyService.Cli result = SERVICE.certdir(args.toArray(String[]::new));
        assertEquals(1, result.code(), result.out());
        assertEquals(error + "\n", result.err());
    }

    private static List<String> keyFiles() throws Exception {
        try (Stream<Path> files = Files.walk(SERVICE.data().resolve("keys"))) {
            return files.map(Path::toString).sorted().toList();
        }
    }

    /** The encryption certificate of a PKCS#12 from 'cert issue', then its chain up to the root. */
    static List<X509Certificate> encryptionChain(Path p12, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            store.load(in, password.toCharArray());
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate certificate : store.getCertificateChain("encryption")) {
            chain.add((X509Certificate) certificate);
        }
        return chain;
    }

    private Path pem(String name, X509Certificate... certificates) throws Exception {
        return Files.writeString(work.resolve(name), KeyFiles.pem(List.of(certificates)));
    }

    private Path fetchCrl(String url, String name) throws Exception {
        return fetchCrl(work, url, name);
    }

    /** The CRL at {@code url} as a PEM file in {@code work}, fetched with curl, waiting (up to 30 s) for the point to have it. */
    static Path fetchCrl(Path work, String url, String name) throws Exception {
        Path der = work.resolve(name + ".der");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Interop.Run curl = Interop.run("curl", "-sS", "-f", "-o", der.toString(), url);
        while (curl.exitCode() != 0 && System.nanoTime() < deadline && sleep()) {
            curl = Interop.run("curl", "-sS", "-f", "-o", der.toString(), url);
        }
        assertEquals(0, curl.exitCode(), url + ": " + curl.err());
        Path pem = work.resolve(name + ".pem");
        Interop.Run convert = Interop.run("openssl", "crl", "-inform", "DER", "-in", der.toString(), "-out", pem.toString());
        assertEquals(0, convert.exitCode(), convert.err());
        return pem;
    }

    /** The entry an LDAP URL names, by ldapsearch, once it holds {@code wanted} (up to 30 s). */
    private static String awaitLdap(com.unboundid.ldap.sdk.LDAPURL url, String wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Interop.Run search;
        do {
            search = Interop.run("ldapsearch", "-x", "-LLL", "-H", "ldap://" + url.getHost() + ":" + url.getPort(), "-b", url.getBaseDN().toString(),
                    "-s", "base", url.getFilter().toString(), url.getAttributes()[0], "cACertificate;binary");
        } while (!search.out().contains(wanted) && System.nanoTime() < deadline && sleep());
        assertTrue(search.out().contains(wanted), url + ": " + search.out() + search.err());
        return search.out();
    }

    static boolean sleep() throws InterruptedException {
        Thread.sleep(200);
        return true;
    }
}
