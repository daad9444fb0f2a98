package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code certdir ca renew} with the same key, through the CLI against a running service: a root and an issuing CA
 * renewed in place, checked by openssl following the URLs in the certificates (a certificate issued before the
 * renewal and one issued after, each verified with the old and the new CA certificates, with the CRLs fetched over
 * HTTP, and by OCSP), the directory's CA entry holding both CA certificates, a revocation after the renewal on the
 * same CRL; a CA under a root kept elsewhere renewed through a CSR that openssl signs and {@code certdir ca install}
 * takes; and each refusal, with the line the admin sees.
 */
class CaRenewIT {

    @RegisterExtension
    static final EmptyService SERVICE = new EmptyService();

    @TempDir
    Path work;

    @Test
    void sameKeyRenewal_oldAndNewCertificatesVerify_withCrlsOverHttp_andOcsp_andTheDirectoryHoldsBoth() throws Exception {
        Interop.require("openssl", "openssl");
        Interop.require("curl", "curl");
        Interop.require("ldapsearch", "ldap-utils");
        assertEquals(0, SERVICE.certdir("ca", "create", "--subject", "CN=Renew Root CA,O=Example").code());
        assertEquals(0, SERVICE.certdir("ca", "create", "--subject", "CN=Renew Issuing CA,O=Example", "--parent", "renew-root-ca").code());
        List<X509Certificate> before = issue("renew-issuing-ca", "dave");
        X509Certificate dave = before.get(0);
        X509Certificate oldIssuing = before.get(1);
        X509Certificate oldRoot = before.get(2);

        EmptyService.Cli issuing = SERVICE.certdir("ca", "renew", "renew-issuing-ca", "--validity-days", "1000");
        assertEquals(0, issuing.code(), issuing.err());
        assertEquals("renewed CA renew-issuing-ca (same key), issued by CN=Renew Root CA,O=Example:", issuing.lines().get(0));
        assertEquals("  replaces    " + sha256(oldIssuing) + " (valid until " + oldIssuing.getNotAfter().toInstant() + ")", issuing.lines().get(3));
        EmptyService.Cli root = SERVICE.certdir("ca", "renew", "renew-root-ca");
        assertEquals(0, root.code(), root.err());
        assertEquals("renewed CA renew-root-ca (same key), issued by CN=Renew Root CA,O=Example:", root.lines().get(0));

        List<X509Certificate> after = issue("renew-issuing-ca", "erin");
        X509Certificate erin = after.get(0);
        X509Certificate newIssuing = after.get(1);
        X509Certificate newRoot = after.get(2);
        assertNotEquals(oldIssuing, newIssuing, "issuance uses the new CA certificate");
        assertNotEquals(oldRoot, newRoot);
        assertEquals(oldIssuing.getPublicKey(), newIssuing.getPublicKey(), "same key");
        assertArrayEquals(oldIssuing.getSubjectX500Principal().getEncoded(), newIssuing.getSubjectX500Principal().getEncoded(), "same subject, byte for byte");
        assertEquals(oldRoot.getPublicKey(), newRoot.getPublicKey());
        assertEquals(0, newIssuing.getBasicConstraints(), "the path length is kept");
        long days = Duration.between(newIssuing.getNotBefore().toInstant(), newIssuing.getNotAfter().toInstant()).toDays();
        assertTrue(days == 1000, "--validity-days 1000 from 5 minutes back: " + days);
        assertEquals(CertificateUrls.crl(dave), CertificateUrls.crl(erin), "same key, same name: the same CRL");

        // AIA serves the new certificate; the directory's CA entry holds both, the new first.
        Path aia = work.resolve("aia.der");
        assertEquals(0, Interop.run("curl", "-sS", "-f", "-o", aia.toString(), CertificateUrls.caIssuers(erin)).exitCode());
        assertArrayEquals(newIssuing.getEncoded(), Files.readAllBytes(aia));
        com.unboundid.ldap.sdk.LDAPURL ldapCrl = new com.unboundid.ldap.sdk.LDAPURL(CertificateUrls.crl(dave).get(1));
        String entry = awaitLdap(ldapCrl, 2);
        String oneLine = entry.replace("\n ", "");
        assertTrue(oneLine.contains("cACertificate;binary:: " + java.util.Base64.getEncoder().encodeToString(newIssuing.getEncoded())), entry);
        assertTrue(oneLine.contains("cACertificate;binary:: " + java.util.Base64.getEncoder().encodeToString(oldIssuing.getEncoded())), entry);

        // The old and the new end-entity certificate, each with the old and with the new CA certificates, CRLs over HTTP.
        Path rootCrl = fetchCrl(CertificateUrls.crl(newIssuing).get(0), "root");
        Path issuingCrl = fetchCrl(CertificateUrls.crl(dave).get(0), "issuing");
        for (X509Certificate user : List.of(dave, erin)) {
            for (List<X509Certificate> chain : List.of(List.of(oldIssuing, oldRoot), List.of(newIssuing, newRoot), List.of(oldIssuing, newRoot))) {
                Interop.Run verify = verify(user, chain, rootCrl, issuingCrl);
                assertEquals(0, verify.exitCode(), user.getSubjectX500Principal() + " with " + chain + ": " + verify.out() + verify.err());
            }
        }
        // OCSP for both, asked with either issuer certificate (same name and key: the same CertID), verified against either chain.
        for (X509Certificate issuer : List.of(oldIssuing, newIssuing)) {
            Interop.Run ocsp = ocsp(issuer, List.of(dave, erin), List.of(newIssuing, newRoot));
            assertTrue((ocsp.out() + ocsp.err()).contains("Response verify OK"), ocsp.out() + ocsp.err());
            assertTrue(ocsp.out().contains(pem("dave", dave) + ": good"), ocsp.out());
            assertTrue(ocsp.out().contains(pem("erin", erin) + ": good"), ocsp.out());
        }
        Interop.Run ocspOldChain = ocsp(oldIssuing, List.of(erin), List.of(oldIssuing, oldRoot));
        assertTrue((ocspOldChain.out() + ocspOldChain.err()).contains("Response verify OK"), ocspOldChain.out() + ocspOldChain.err());

        // A certificate issued before the renewal, revoked after it: on the CA's next CRL (same key, numbers go on) and in OCSP.
        long numberBefore = crlNumber(issuingCrl);
        assertEquals(0, SERVICE.certdir("revoke", "--ca", "renew-issuing-ca", "--serial", dave.getSerialNumber().toString(16), "--reason",
                "keyCompromise").code());
        Interop.Run revoked = ocsp(newIssuing, List.of(dave), List.of(newIssuing, newRoot));
        assertTrue(revoked.out().contains(pem("dave", dave) + ": revoked"), revoked.out());
        assertEquals(0, SERVICE.certdir("crl", "publish", "--ca", "renew-issuing-ca").code());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Interop.Run check;
        Path newCrl;
        do {
            newCrl = fetchCrl(CertificateUrls.crl(dave).get(0), "issuing-2");
            check = verify(dave, List.of(oldIssuing, oldRoot), rootCrl, newCrl);
        } while (check.exitCode() == 0 && System.nanoTime() < deadline && CaCreateIT.sleep());
        assertEquals(2, check.exitCode(), check.out() + check.err());
        assertTrue((check.out() + check.err()).contains("certificate revoked"), check.out() + check.err());
        assertTrue(crlNumber(newCrl) > numberBefore, "CRL numbers go on: " + crlNumber(newCrl) + " after " + numberBefore);
        assertEquals(0, verify(erin, List.of(newIssuing, newRoot), rootCrl, newCrl).exitCode());

        List<String> audit = SERVICE.certdir("audit", "--since", "1h").lines();
        String line = audit.stream().filter(each -> each.contains("ca.renew") && each.contains("renew-issuing-ca")).findFirst()
                .orElseThrow(() -> new AssertionError(audit));
        assertTrue(line.matches("\\S+  admin    ca\\.renew\\s+renew-issuing-ca\\s+CN=Renew Issuing CA,O=Example \\(same key, issued by renew-root-ca, 1000 days,"
                + " until \\S+; replaces sha256 " + sha256(oldIssuing) + ", valid until \\S+\\)  \\[127\\.0\\.0\\.1]"), line);
    }

    @Test
    void offlineRoot_signsTheRenewalCsr_andCaInstallTakesIt() throws Exception {
        Interop.require("openssl", "openssl");
        Interop.require("curl", "curl");
        Path config = OfflineRootIT.opensslConfig(work);
        Path rootKey = work.resolve("root.key");
        Path rootPem = work.resolve("root.pem");
        Interop.openssl("req", "-x509", "-config", config.toString(), "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                rootKey.toString(), "-out", rootPem.toString(), "-days", "3650");
        Path csr = work.resolve("first.csr");
        assertEquals(0, SERVICE.certdir("ca", "create", "--subject", "CN=Kept Issuing CA,O=Example", "--csr", csr.toString()).code());
        Path first = work.resolve("first.pem");
        Interop.openssl("x509", "-req", "-in", csr.toString(), "-CA", rootPem.toString(), "-CAkey", rootKey.toString(), "-set_serial", "0x2001", "-days",
                "365", "-copy_extensions", "copy", "-out", first.toString());
        EmptyService.Cli install = SERVICE.certdir("ca", "install", "--cert", first.toString(), "--chain", rootPem.toString());
        assertEquals(0, install.code(), install.err());
        X509Certificate frank = issue("kept-issuing-ca", "frank").get(0);

        assertEquals("certdir: CA 'kept-issuing-ca' is issued by 'offline-root-ca', whose key certdir does not hold: give --csr FILE (\"csr\": true) for"
                + " that CA to sign a renewal, then 'certdir ca install --cert ISSUED.pem'\n", SERVICE.certdir("ca", "renew", "kept-issuing-ca").err());
        Path renewalCsr = work.resolve("renewal.csr");
        EmptyService.Cli request = SERVICE.certdir("ca", "renew", "kept-issuing-ca", "--csr", renewalCsr.toString());
        assertEquals(0, request.code(), request.err());
        assertEquals(List.of("wrote the renewal CSR of CA kept-issuing-ca (same key and subject) to " + renewalCsr,
                "  next        have that root sign it as a CA certificate, then: certdir ca install --cert ISSUED.pem"), request.lines());
        Interop.Run text = Interop.run("openssl", "req", "-in", renewalCsr.toString(), "-noout", "-text", "-verify");
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("Subject: O = Example, CN = Kept Issuing CA"), text.out());
        assertTrue(text.out().contains("CA:TRUE, pathlen:0"), text.out());
        Interop.Run samePublicKey = Interop.run("sh", "-c", "openssl req -in " + renewalCsr + " -noout -pubkey; openssl x509 -in " + first + " -noout -pubkey");
        List<String> keys = List.of(samePublicKey.out().split("(?<=-----END PUBLIC KEY-----\n)"));
        assertEquals(keys.get(0), keys.get(1), "the renewal CSR is for the CA's key");

        // Refused, the CA unchanged: its current certificate again, and one for its key from another root.
        assertEquals("certdir: CA 'kept-issuing-ca' is not pending: its certificate is installed already ('certdir ca list')\n",
                SERVICE.certdir("ca", "install", "--cert", first.toString(), "--name", "kept-issuing-ca").err());
        Path otherRoot = work.resolve("other-root.pem");
        Path otherKey = work.resolve("other-root.key");
        Interop.openssl("req", "-x509", "-config", config.toString(), "-subj", "/O=Example/CN=Other Root CA", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", otherKey.toString(), "-out", otherRoot.toString(), "-days", "3650");
        Path fromOther = work.resolve("from-other.pem");
        Interop.openssl("x509", "-req", "-in", renewalCsr.toString(), "-CA", otherRoot.toString(), "-CAkey", otherKey.toString(), "-set_serial", "0x3001",
                "-days", "365", "-copy_extensions", "copy", "-out", fromOther.toString());
        assertEquals("certdir: the certificate for the key of CA 'kept-issuing-ca' is issued by CN=Other Root CA,O=Example, not by"
                + " CN=Offline Root CA,O=Example as its current one: a renewal comes from the same CA\n",
                SERVICE.certdir("ca", "install", "--cert", fromOther.toString(), "--chain", otherRoot.toString()).err());

        Path renewed = work.resolve("renewed.pem");
        Interop.openssl("x509", "-req", "-in", renewalCsr.toString(), "-CA", rootPem.toString(), "-CAkey", rootKey.toString(), "-set_serial", "0x2002",
                "-days", "730", "-copy_extensions", "copy", "-out", renewed.toString());
        EmptyService.Cli renewal = SERVICE.certdir("ca", "install", "--cert", renewed.toString());
        assertEquals(0, renewal.code(), renewal.err());
        assertEquals("renewed CA kept-issuing-ca (same key), issued by CN=Offline Root CA,O=Example:", renewal.lines().get(0));
        List<X509Certificate> after = issue("kept-issuing-ca", "grace");
        assertEquals(KeyFiles.readPem(renewed).get(0), after.get(1), "issuance uses the renewed certificate");
        assertEquals(KeyFiles.readPem(rootPem).get(0), after.get(2), "and the chain up to the offline root");

        Path rootCrl = work.resolve("root.crl.pem");
        Interop.openssl("ca", "-gencrl", "-config", config.toString(), "-keyfile", rootKey.toString(), "-cert", rootPem.toString(), "-out", rootCrl.toString());
        Path issuingCrl = fetchCrl(CertificateUrls.crl(frank).get(0), "kept");
        X509Certificate root = KeyFiles.readPem(rootPem).get(0);
        for (X509Certificate user : List.of(frank, after.get(0))) {
            for (X509Certificate issuing : List.of(KeyFiles.readPem(first).get(0), after.get(1))) {
                Interop.Run verify = verify(user, List.of(issuing, root), rootCrl, issuingCrl);
                assertEquals(0, verify.exitCode(), verify.out() + verify.err());
            }
        }
        List<String> audit = SERVICE.certdir("audit", "--since", "1h").lines();
        assertTrue(audit.stream().anyMatch(each -> each.contains("ca.renew-request") && each.contains("kept-issuing-ca")), audit.toString());
        assertTrue(audit.stream().anyMatch(each -> each.matches(".*ca\\.renew\\s+kept-issuing-ca\\s+CN=Kept Issuing CA,O=Example \\(same key, issued by"
                + " offline-root-ca for the renewal CSR, .*")), audit.toString());
    }

    @Test
    void badInput_isRefusedWithTheReason_andNothingChanges() throws Exception {
        Interop.require("openssl", "openssl");
        assertEquals(0, SERVICE.certdir("ca", "create", "--subject", "CN=Refusing Root CA", "--validity-days", "400").code());
        assertEquals(0, SERVICE.certdir("ca", "create", "--subject", "CN=Refusing Issuing CA", "--parent", "refusing-root-ca", "--validity-days", "300")
                .code());
        assertEquals(0, SERVICE.certdir("ca", "create", "--subject", "CN=Refusing Pending CA", "--csr", work.resolve("pending.csr").toString()).code());
        Path external = work.resolve("external.pem");
        Interop.openssl("req", "-x509", "-subj", "/CN=Refusing External CA", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                work.resolve("external.key").toString(), "-out", external.toString(), "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        assertEquals(0, SERVICE.certdir("cert", "import", external.toString()).code());
        String before = SERVICE.certdir("ca", "list").out();

        assertRefused("certdir: no CA named 'no-such-ca' is registered ('certdir ca list' shows them)", "no-such-ca");
        assertRefused("certdir: CA 'refusing-external-ca' is registered for publication only: certdir holds no key to renew it with; it is renewed"
                + " where its key is", "refusing-external-ca");
        assertRefused("certdir: CA 'refusing-pending-ca' is pending: its first certificate is still to come ('certdir ca install'), there is nothing to"
                + " renew", "refusing-pending-ca");
        assertRefused("certdir: CA 'refusing-root-ca' is a root (self-signed): certdir renews it itself; leave out --csr",
                "refusing-root-ca", "--csr", work.resolve("root.csr").toString());
        assertRefused("certdir: CA 'refusing-issuing-ca' is issued by 'refusing-root-ca', whose key certdir holds: leave out --csr, certdir renews it"
                + " itself", "refusing-issuing-ca", "--csr", work.resolve("issuing.csr").toString());
        assertRefused("certdir: validityDays must be between 1 and 18250, was 0", "refusing-root-ca", "--validity-days", "0");
        assertRefused("certdir: validityDays cannot go with csr: the CA that signs the renewal CSR decides the validity",
                "refusing-issuing-ca", "--csr", work.resolve("both.csr").toString(), "--validity-days", "10");
        Files.writeString(work.resolve("taken.csr"), "");
        assertRefused("certdir: " + work.resolve("taken.csr") + " exists already: give another --csr or move it away",
                "refusing-issuing-ca", "--csr", work.resolve("taken.csr").toString());
        EmptyService.Cli longer = SERVICE.certdir("ca", "renew", "refusing-issuing-ca", "--validity-days", "500");
        assertEquals(1, longer.code());
        assertTrue(longer.err().matches("certdir: validityDays 500 would end on \\S+, after parent CA 'refusing-root-ca' expires \\(\\S+\\): at most 39\\d\n"),
                longer.err());
        assertRefused("certdir: CA name 'Bad_Name' must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'", "Bad_Name");

        AdminHttp admin = new AdminHttp(SERVICE.service());
        AdminHttp.Answer csr = admin.post("/admin/cas/refusing-issuing-ca/renew", new JsonObject().put("csr", "yes"));
        assertEquals(400, csr.status());
        assertEquals("csr", csr.field());
        assertEquals("csr must be true or false", csr.error());
        AdminHttp.Answer days = admin.post("/admin/cas/refusing-root-ca/renew", new JsonObject().put("validityDays", "ten"));
        assertEquals(400, days.status());
        assertEquals("validityDays", days.field());
        AdminHttp.Answer unknown = admin.post("/admin/cas/no-such-ca/renew", new JsonObject());
        assertEquals(400, unknown.status());
        assertEquals("ca", unknown.field());

        assertEquals(before, SERVICE.certdir("ca", "list").out(), "no CA changed");
        for (String name : List.of("root.csr", "issuing.csr", "both.csr")) {
            assertTrue(!Files.exists(work.resolve(name)), name + " was not written");
        }
        // A default validity shortened to fit under the parent rather than refused.
        EmptyService.Cli fitted = SERVICE.certdir("ca", "renew", "refusing-issuing-ca");
        assertEquals(0, fitted.code(), fitted.err());
        String rootNotAfter = SERVICE.certdir("ca", "list").lines().stream().filter(each -> each.startsWith("refusing-root-ca ")).findFirst().orElseThrow();
        String issuingNotAfter = SERVICE.certdir("ca", "list").lines().stream().filter(each -> each.startsWith("refusing-issuing-ca ")).findFirst().orElseThrow();
        assertEquals(rootNotAfter.substring(36, 46), issuingNotAfter.substring(36, 46), "ends with the parent");
    }

    private static void assertRefused(String error, String... args) {
        List<String> all = new ArrayList<>(List.of("ca", "renew"));
        all.addAll(List.of(args));
        EmptyService.Cli result = SERVICE.certdir(all.toArray(String[]::new));
        assertEquals(1, result.code(), result.out());
        assertEquals(error + "\n", result.err());
    }

    /** An S/MIME pair for {@code user} issued by {@code ca}: the encryption certificate, then its chain. */
    private List<X509Certificate> issue(String ca, String user) throws Exception {
        Path p12 = work.resolve(user + ".p12");
        EmptyService.Cli issue = SERVICE.certdir("cert", "issue", "--ca", ca, "--mail", user + "@example.org", "--name", user, "--out", p12.toString());
        assertEquals(0, issue.code(), issue.err());
        return CaCreateIT.encryptionChain(p12, issue.lines().get(4).replace("  password    ", ""));
    }

    private Interop.Run verify(X509Certificate user, List<X509Certificate> chain, Path rootCrl, Path issuingCrl) throws Exception {
        Path anchor = pem("anchor", chain.get(1));
        Path untrusted = pem("untrusted", chain.get(0));
        return Interop.run("openssl", "verify", "-crl_check_all", "-CAfile", anchor.toString(), "-untrusted", untrusted.toString(), "-CRLfile",
                rootCrl.toString(), "-CRLfile", issuingCrl.toString(), pem("user", user).toString());
    }

    private Interop.Run ocsp(X509Certificate issuer, List<X509Certificate> users, List<X509Certificate> chain) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "ocsp", "-issuer", pem("issuer", issuer).toString()));
        for (X509Certificate user : users) {
            command.addAll(List.of("-cert", pem(user.getSubjectX500Principal().getName().contains("dave") ? "dave" : "erin", user).toString()));
        }
        command.addAll(List.of("-url", CertificateUrls.ocsp(users.get(0)), "-CAfile", pem("ocsp-chain", chain.toArray(X509Certificate[]::new)).toString()));
        return Interop.run(command.toArray(String[]::new));
    }

    private Path pem(String name, X509Certificate... certificates) throws Exception {
        return Files.writeString(work.resolve(name + ".pem"), KeyFiles.pem(List.of(certificates)));
    }

    private static String sha256(X509Certificate certificate) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    }

    private long crlNumber(Path crl) throws Exception {
        Interop.Run run = Interop.run("openssl", "crl", "-in", crl.toString(), "-noout", "-crlnumber");
        assertEquals(0, run.exitCode(), run.err());
        return Long.decode(run.out().strip().replace("crlNumber=", ""));
    }

    private Path fetchCrl(String url, String name) throws Exception {
        return CaCreateIT.fetchCrl(work, url, name);
    }

    /** The CA entry an LDAP URL names, by ldapsearch, once it holds {@code certificates} CA certificates (up to 30 s). */
    private static String awaitLdap(com.unboundid.ldap.sdk.LDAPURL url, int certificates) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Interop.Run search;
        do {
            search = Interop.run("ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", "ldap://" + url.getHost() + ":" + url.getPort(), "-b",
                    url.getBaseDN().toString(), "-s", "base", "(objectClass=*)", "cACertificate;binary");
        } while (search.out().split("cACertificate;binary::", -1).length - 1 != certificates && System.nanoTime() < deadline && CaCreateIT.sleep());
        assertEquals(certificates, search.out().split("cACertificate;binary::", -1).length - 1, url + ": " + search.out() + search.err());
        return search.out();
    }
}
