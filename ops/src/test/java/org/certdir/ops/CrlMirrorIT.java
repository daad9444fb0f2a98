package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.certdir.crl.mirror.MirrorSource;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.registry.CaName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CA certdir does not hold (made by openssl here; its key never given to certdir), registered by its certificate
 * only: its CRLs, fetched from its own URL (a small HTTP server of the test) or pushed, reach the registry's statuses
 * and every distribution point as the same bytes; a stale, tampered, foreign, older or conflicting CRL is refused
 * with the line the admin sees and shown on /health.
 */
class CrlMirrorIT {

    private static final String CA = "ext-issuing-ca";
    /** An external CA that writes its CRLs into a directory (as AD CS does into a file share), read every second. */
    private static final String DROP_CA = "drop-ext-ca";
    static final Path DROP;
    /** The directory the external CA's web server serves. */
    static final Path SERVED;
    static final HttpServer WEB;

    static {
        try {
            SERVED = Files.createTempDirectory("certdir-mirror-web");
            DROP = Files.createTempDirectory("certdir-mirror-drop");
            WEB = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            WEB.createContext("/", exchange -> {
                Path file = SERVED.resolve(exchange.getRequestURI().getPath().substring(1));
                if (!Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                    return;
                }
                byte[] body = Files.readAllBytes(file);
                exchange.getResponseHeaders().add("Content-Type", "application/pkix-crl");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            WEB.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @RegisterExtension
    static final EmptyService SERVICE = new EmptyService(config -> config.withMirror(new ServiceConfig.Mirror(1024 * 1024, Duration.ofSeconds(10), 3,
            List.of(new MirrorSource(new CaName(CA), List.of(URI.create("http://127.0.0.1:" + WEB.getAddress().getPort() + "/ext.crl")), null,
                    Duration.ofHours(1)), new MirrorSource(new CaName(DROP_CA), List.of(), DROP, Duration.ofSeconds(1))))));

    @TempDir
    Path work;

    @AfterAll
    static void stopWeb() {
        WEB.stop(0);
    }

    @Test
    void externalCa_crlsMirrored_statusesFollow_pointsGetTheSameBytes_badCrlsRefused() throws Exception {
        Interop.require("openssl", "openssl");
        Path config = opensslConfig("Ext Issuing CA");
        Path caKey = work.resolve("ca.key");
        Path caPem = work.resolve("ca.pem");
        Interop.openssl("req", "-x509", "-config", config.toString(), "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                caKey.toString(), "-out", caPem.toString(), "-days", "3650");
        Path alice = leaf(config, "alice", "0x1001");
        Path bob = leaf(config, "bob", "0x1002");
        Path carol = leaf(config, "carol", "0x1003");
        EmptyService.Cli imported = SERVICE.certdir("cert", "import", caPem.toString(), alice.toString(), bob.toString(), carol.toString());
        assertEquals(0, imported.code(), imported.out() + imported.err());
        assertTrue(SERVICE.certdir("ca", "list").out().contains(CA + "           external"), SERVICE.certdir("ca", "list").out());

        // Before any CRL: /health says so.
        assertEquals("degraded", mirrorState(CA).getString("status"));
        String problem = mirrorState(CA).getString("problem");
        assertTrue(problem.startsWith("no CRL mirrored yet; OCSP answers tryLater"), problem);

        // CRL 1, empty, fetched from the CA's URL.
        byte[] first = gencrl(config, caKey, caPem, "crl1.der");
        Files.write(SERVED.resolve("ext.crl"), first);
        EmptyService.Cli fetch = SERVICE.certdir("crl", "mirror", "fetch", "--ca", CA);
        assertEquals(0, fetch.code(), fetch.err());
        assertEquals(CA + ": CRL number 1, 0 entries: 0 revoked, 0 held, 0 released, 0 serials not registered\n", fetch.out());
        assertEverywhere(first, 1);

        // A revocation at the CA reaches the registry, with its date and reason, and every point, after the next fetch.
        Interop.openssl("ca", "-config", config.toString(), "-revoke", bob.toString(), "-crl_reason", "keyCompromise");
        Interop.openssl("ca", "-config", config.toString(), "-revoke", carol.toString(), "-crl_reason", "certificateHold");
        byte[] second = gencrl(config, caKey, caPem, "crl2.der");
        Files.write(SERVED.resolve("ext.crl"), second);
        fetch = SERVICE.certdir("crl", "mirror", "fetch", "--ca", CA);
        assertEquals(CA + ": CRL number 2, 2 entries: 1 revoked, 1 held, 0 released, 0 serials not registered\n", fetch.out(), fetch.err());
        assertEverywhere(second, 2);
        assertEquals(CA + "/1002  revoked", status("1002").get(0));
        assertTrue(status("1002").get(5).endsWith("(keyCompromise)"), status("1002").toString());
        assertEquals(CA + "/1003  on-hold", status("1003").get(0));
        assertEquals(CA + "/1001  valid", status("1001").get(0));
        JsonObject after = mirrorState(CA);
        assertEquals("ok", after.getString("status"), after.encode());
        assertEquals(2L, after.getLong("number"));
        assertEquals("http://127.0.0.1:" + WEB.getAddress().getPort() + "/ext.crl", after.getString("source"));
        assertTrue(after.getLong("ageSeconds") >= 0, after.encode());

        // The same CRL again changes nothing.
        fetch = SERVICE.certdir("crl", "mirror", "fetch", "--ca", CA);
        assertEquals(CA + ": CRL number 2, 2 entries, mirrored already\n", fetch.out(), fetch.err());

        // A CRL that will be older than what certdir has by then; and the hold lifted at the CA (a full CRL without carol).
        byte[] third = gencrl(config, caKey, caPem, "crl3.der");
        Path index = work.resolve("index.txt");
        Files.writeString(index, String.join("\n", Files.readAllLines(index).stream().filter(line -> !line.contains("\t1003\t")).toList()) + "\n");
        byte[] fourth = gencrl(config, caKey, caPem, "crl4.der");
        Path fourthFile = Files.write(work.resolve("crl4.der"), fourth);
        EmptyService.Cli push = SERVICE.certdir("crl", "mirror", "push", "--ca", CA, fourthFile.toString());
        assertEquals(CA + ": CRL number 4, 1 entries: 0 revoked, 0 held, 1 released, 0 serials not registered\n", push.out(), push.err());
        assertEquals(CA + "/1003  valid", status("1003").get(0));
        assertEverywhere(fourth, 4);
        assertEquals("push", mirrorState(CA).getString("source"));

        // What is refused, each with its reason, leaving CRL 4 everywhere.
        assertRefused("certdir: CRL refused for CA '" + CA + "': CRL number 3 is lower than the newest mirrored, 4", third);
        byte[] tampered = fourth.clone();
        tampered[tampered.length - 3] ^= 0x01;
        assertRefused("certdir: CRL refused for CA '" + CA + "': its signature does not verify with the CA's registered certificate", tampered);
        Path otherConfig = opensslConfig("Other CA");
        Path otherKey = work.resolve("other.key");
        Path otherPem = work.resolve("other.pem");
        Interop.openssl("req", "-x509", "-config", otherConfig.toString(), "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                otherKey.toString(), "-out", otherPem.toString(), "-days", "3650");
        assertRefused("certdir: CRL refused for CA '" + CA + "': issued by CN=Other CA,O=External, not by the CA's subject CN=Ext Issuing CA,O=External",
                gencrl(otherConfig, otherKey, otherPem, "other.der"));
        // Same number, other content: openssl's number file set back, another revocation listed.
        Files.writeString(work.resolve("crlnumber"), "04\n");
        Interop.openssl("ca", "-config", config.toString(), "-revoke", alice.toString(), "-crl_reason", "superseded");
        assertRefused("certdir: CRL refused for CA '" + CA + "': CRL number 4 is mirrored already with different content: a CA never issues two CRLs"
                + " under one number", gencrl(config, caKey, caPem, "crl4b.der"));
        byte[] stale = gencrl(config, caKey, caPem, "stale.der", "-crlsec", "1");
        awaitPast(stale);
        assertRefused("certdir: CRL refused for CA '" + CA + "': CRL number 5 is stale: its nextUpdate " + nextUpdate(stale) + " has passed", stale);
        assertEquals(4L, mirrorState(CA).getLong("number"));
        assertEverywhere(fourth, 4);
        JsonObject refused = mirrorState(CA);
        assertEquals("degraded", refused.getString("status"));
        assertEquals("CRL refused for CA '" + CA + "': CRL number 5 is stale: its nextUpdate " + nextUpdate(stale) + " has passed",
                refused.getString("lastError"));
        assertEquals(CA + "/1001  valid", status("1001").get(0), "nothing of a refused CRL is applied");

        // A fetch that fails is reported too.
        Files.delete(SERVED.resolve("ext.crl"));
        fetch = SERVICE.certdir("crl", "mirror", "fetch", "--ca", CA);
        assertEquals(1, fetch.code());
        assertEquals("certdir: http://127.0.0.1:" + WEB.getAddress().getPort() + "/ext.crl answered HTTP 404\n", fetch.err());
        assertEquals("http://127.0.0.1:" + WEB.getAddress().getPort() + "/ext.crl answered HTTP 404",
                mirrorState(CA).getString("lastError"));

        // And a good CRL clears it.
        byte[] sixth = gencrl(config, caKey, caPem, "crl6.der");
        Files.write(SERVED.resolve("ext.crl"), sixth);
        fetch = SERVICE.certdir("crl", "mirror", "fetch", "--ca", CA);
        assertEquals(CA + ": CRL number 6, 2 entries: 1 revoked, 0 held, 0 released, 0 serials not registered\n", fetch.out(), fetch.err());
        assertEverywhere(sixth, 6);
        assertEquals("ok", mirrorState(CA).getString("status"), mirrorHealth().encode());
    }

    /**
     * A CA that drops its CRLs into a directory: each new file is taken within the interval without an admin, its
     * statuses reach the registry and its bytes the points; a half-written file under another name is never read.
     */
    @Test
    void externalCa_crlsDroppedInADirectory_takenAtTheNextInterval() throws Exception {
        Interop.require("openssl", "openssl");
        Path config = opensslConfig("Drop Ext CA");
        Path caKey = work.resolve("ca.key");
        Path caPem = work.resolve("ca.pem");
        Interop.openssl("req", "-x509", "-config", config.toString(), "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                caKey.toString(), "-out", caPem.toString(), "-days", "3650");
        Path dave = leaf(config, "dave", "0x3001");
        EmptyService.Cli imported = SERVICE.certdir("cert", "import", caPem.toString(), dave.toString());
        assertEquals(0, imported.code(), imported.out() + imported.err());

        Files.write(DROP.resolve("drop.crl.tmp"), "half a CRL".getBytes());
        byte[] first = gencrl(config, caKey, caPem, "drop1.der");
        drop(first);
        awaitMirrored(DROP_CA, 1);
        assertEquals(DROP.resolve("drop.crl").toString(), mirrorState(DROP_CA).getString("source"));
        assertEquals("ok", mirrorState(DROP_CA).getString("status"), mirrorState(DROP_CA).encode());

        Interop.openssl("ca", "-config", config.toString(), "-revoke", dave.toString(), "-crl_reason", "superseded");
        byte[] second = gencrl(config, caKey, caPem, "drop2.der");
        drop(second);
        awaitMirrored(DROP_CA, 2);
        EmptyService.Cli status = SERVICE.certdir("status", "--ca", DROP_CA, "--serial", "3001");
        assertEquals(DROP_CA + "/3001  revoked", status.lines().get(0), status.out());
        HttpResponse<byte[]> http = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(SERVICE.service().publicUrl() + "/crl/"
                + DROP_CA + ".crl")).build(), HttpResponse.BodyHandlers.ofByteArray());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!java.util.Arrays.equals(second, http.body()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            http = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(SERVICE.service().publicUrl() + "/crl/" + DROP_CA + ".crl")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }
        assertArrayEquals(second, http.body(), "the http point serves the dropped bytes");
    }

    /** Writes the CRL as a careful CA does: to another name, then renamed over the old one. */
    private static void drop(byte[] crl) throws Exception {
        Path partial = Files.write(DROP.resolve("drop.crl.tmp"), crl);
        Files.move(partial, DROP.resolve("drop.crl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitMirrored(String ca, long number) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Long.valueOf(number).equals(mirrorState(ca).getLong("number")) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(number, mirrorState(ca).getLong("number"), mirrorState(ca).encode());
    }

    /**
     * OCSP for a CA certdir does not hold, through the delegated signer it issued for certdir's request: tryLater before
     * any CRL and once the newest is past its nextUpdate, good, revoked and unknown from the mirrored statuses, verified
     * by openssl (-VAfile and against the CA) and by the JDK's PKIXRevocationChecker.
     */
    @Test
    void externalCa_delegatedOcspSigner_answersFromMirroredCrls() throws Exception {
        Interop.require("openssl", "openssl");
        String ca = "ocsp-ext-ca";
        Path config = opensslConfig("OCSP Ext CA");
        Path caKey = work.resolve("ca.key");
        Path caPem = work.resolve("ca.pem");
        Interop.openssl("req", "-x509", "-config", config.toString(), "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out", caPem.toString(),
                "-days", "3650");
        Path alice = leaf(config, "alice", "0x2001");
        Path bob = leaf(config, "bob", "0x2002");
        Path dave = leaf(config, "dave", "0x2004");
        assertEquals(0, SERVICE.certdir("cert", "import", caPem.toString(), alice.toString(), bob.toString()).code());

        // certdir makes the key and the request; the CA signs it (its extensions copied from the request).
        Path csr = work.resolve("signer.csr");
        EmptyService.Cli request = SERVICE.certdir("ocsp", "signer", "request", "--ca", ca, "--out", csr.toString());
        assertEquals(0, request.code(), request.err());
        assertEquals(List.of("made the OCSP signer key of CA " + ca + "; its CSR is in " + csr,
                "  next  have the CA issue it (extendedKeyUsage OCSPSigning, id-pkix-ocsp-nocheck), then: certdir ocsp signer install --ca " + ca
                        + " --cert ISSUED.pem"), request.lines());
        Interop.Run text = Interop.run("openssl", "req", "-in", csr.toString(), "-noout", "-text", "-verify");
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("OCSP Signing"), text.out());
        assertTrue(text.out().contains("OCSP No Check"), text.out());
        Path signer = work.resolve("signer.pem");
        Interop.openssl("x509", "-req", "-in", csr.toString(), "-CA", caPem.toString(), "-CAkey", caKey.toString(), "-set_serial", "0x2100", "-days", "30",
                "-copy_extensions", "copy", "-out", signer.toString());
        Path noPurpose = work.resolve("no-purpose.pem");
        Interop.openssl("x509", "-req", "-in", csr.toString(), "-CA", caPem.toString(), "-CAkey", caKey.toString(), "-set_serial", "0x2101", "-days", "30",
                "-out", noPurpose.toString());
        EmptyService.Cli refused = SERVICE.certdir("ocsp", "signer", "install", "--ca", ca, "--cert", noPurpose.toString());
        assertEquals("certdir: the certificate CN=OCSP Ext CA OCSP Signer lacks extendedKeyUsage id-kp-OCSPSigning (RFC 6960 §4.2.2.2): have the CA"
                + " issue it with the OCSP signing purpose, as the request asks\n", refused.err());
        refused = SERVICE.certdir("ocsp", "signer", "install", "--ca", ca, "--cert", alice.toString());
        assertEquals("certdir: the certificate CN=alice,O=External lacks extendedKeyUsage id-kp-OCSPSigning (RFC 6960 §4.2.2.2): have the CA"
                + " issue it with the OCSP signing purpose, as the request asks\n", refused.err());
        Path otherKey = work.resolve("other-key.pem");
        Interop.openssl("x509", "-req", "-in", work.resolve("alice.csr").toString(), "-CA", caPem.toString(), "-CAkey", caKey.toString(), "-set_serial",
                "0x2102", "-days", "30", "-extfile", config.toString(), "-extensions", "ocsp_ext", "-out", otherKey.toString());
        refused = SERVICE.certdir("ocsp", "signer", "install", "--ca", ca, "--cert", otherKey.toString());
        assertEquals("certdir: the certificate CN=alice,O=External does not match the pending OCSP signer key of CA '" + ca + "': it was not issued"
                + " for the request 'certdir ocsp signer request' wrote\n", refused.err());
        refused = SERVICE.certdir("ocsp", "signer", "install", "--ca", "nobody-ca", "--cert", signer.toString());
        assertEquals("certdir: no CA named 'nobody-ca' is registered ('certdir ca list' shows them)\n", refused.err());
        EmptyService.Cli install = SERVICE.certdir("ocsp", "signer", "install", "--ca", ca, "--cert", signer.toString());
        assertEquals(0, install.code(), install.err());
        assertEquals("certdir: CA '" + ca + "' has no pending OCSP signer request: run 'certdir ocsp signer request --ca " + ca + "' first\n",
                SERVICE.certdir("ocsp", "signer", "install", "--ca", ca, "--cert", signer.toString()).err(), "the pending key is taken");
        assertTrue(install.out().startsWith("installed the OCSP signer of CA " + ca + ": CN=OCSP Ext CA OCSP Signer, serial 2100, valid until "),
                install.out());

        // No CRL yet: nothing to answer from.
        assertTrue(ocsp(caPem, signer, alice).contains("Responder Error: trylater (3)"), ocsp(caPem, signer, alice));

        Interop.openssl("ca", "-config", config.toString(), "-revoke", bob.toString(), "-crl_reason", "keyCompromise");
        Path crl = Files.write(work.resolve("ocsp-ext.crl"), gencrl(config, caKey, caPem, "ocsp1.der"));
        assertEquals(0, SERVICE.certdir("crl", "mirror", "push", "--ca", ca, crl.toString()).code());
        String answer = ocsp(caPem, signer, alice, bob, dave);
        assertTrue(answer.contains("Response verify OK"), answer);
        assertTrue(answer.contains(alice + ": good"), answer);
        assertTrue(answer.contains(bob + ": revoked"), answer);
        assertTrue(answer.contains("Reason: keyCompromise"), answer);
        assertTrue(answer.contains(dave + ": unknown"), answer);
        Interop.Run againstCa = Interop.run("openssl", "ocsp", "-issuer", caPem.toString(), "-cert", alice.toString(), "-url",
                SERVICE.service().publicUrl() + "/ocsp", "-CAfile", caPem.toString());
        assertTrue((againstCa.out() + againstCa.err()).contains("Response verify OK"), againstCa.out() + againstCa.err());
        assertTrue(againstCa.out().contains(alice + ": good"), againstCa.out());

        // The JDK's PKIX, OCSP only, asking certdir.
        java.security.cert.CertificateFactory factory = java.security.cert.CertificateFactory.getInstance("X.509");
        java.security.cert.X509Certificate root = (java.security.cert.X509Certificate) factory.generateCertificate(Files.newInputStream(caPem));
        pkix(factory, root, alice);
        java.security.cert.CertPathValidatorException revoked = org.junit.jupiter.api.Assertions.assertThrows(
                java.security.cert.CertPathValidatorException.class, () -> pkix(factory, root, bob));
        assertEquals(java.security.cert.CertPathValidatorException.BasicReason.REVOKED, revoked.getReason(), revoked.getMessage());

        // A CRL past its nextUpdate: tryLater, never good from stale data, and /health says why.
        Path shortLived = Files.write(work.resolve("short.crl"), gencrl(config, caKey, caPem, "ocsp2.der", "-crlsec", "3"));
        assertEquals(0, SERVICE.certdir("crl", "mirror", "push", "--ca", ca, shortLived.toString()).code());
        awaitPast(Files.readAllBytes(shortLived));
        assertTrue(ocsp(caPem, signer, alice).contains("Responder Error: trylater (3)"), ocsp(caPem, signer, alice));
        JsonObject state = mirrorState(ca);
        assertEquals("degraded", state.getString("status"));
        assertEquals("the newest mirrored CRL is stale: its nextUpdate " + nextUpdate(Files.readAllBytes(shortLived))
                + " has passed; OCSP answers tryLater", state.getString("problem"));
    }

    private static String ocsp(Path issuer, Path signer, Path... certificates) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl", "ocsp", "-issuer", issuer.toString(), "-url",
                SERVICE.service().publicUrl() + "/ocsp", "-VAfile", signer.toString()));
        for (Path certificate : certificates) {
            command.addAll(List.of("-cert", certificate.toString()));
        }
        Interop.Run run = Interop.run(command.toArray(String[]::new));
        return run.out() + run.err();
    }

    private static void pkix(java.security.cert.CertificateFactory factory, java.security.cert.X509Certificate root, Path leaf) throws Exception {
        java.security.cert.CertPath path = factory.generateCertPath(List.of(factory.generateCertificate(Files.newInputStream(leaf))));
        java.security.cert.CertPathValidator validator = java.security.cert.CertPathValidator.getInstance("PKIX");
        java.security.cert.PKIXRevocationChecker checker = (java.security.cert.PKIXRevocationChecker) validator.getRevocationChecker();
        checker.setOcspResponder(URI.create(SERVICE.service().publicUrl() + "/ocsp"));
        checker.setOptions(java.util.EnumSet.of(java.security.cert.PKIXRevocationChecker.Option.ONLY_END_ENTITY,
                java.security.cert.PKIXRevocationChecker.Option.NO_FALLBACK));
        java.security.cert.PKIXParameters parameters = new java.security.cert.PKIXParameters(java.util.Set.of(new java.security.cert.TrustAnchor(root, null)));
        parameters.addCertPathChecker(checker);
        validator.validate(path, parameters);
    }

    private void assertRefused(String line, byte[] crl) throws Exception {
        Path file = Files.write(work.resolve("refused.crl"), crl);
        EmptyService.Cli push = SERVICE.certdir("crl", "mirror", "push", "--ca", CA, file.toString());
        assertEquals(1, push.code(), push.out());
        assertEquals(line + "\n", push.err());
    }

    /** The CRL at the file point, the http point (GET /crl/...) and the CA's directory entry, once every point holds {@code number}. */
    private static void assertEverywhere(byte[] crl, long number) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!everyPointHolds(number) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(everyPointHolds(number), "every point holds CRL " + number + ": " + SERVICE.service().crlPublisher().status());
        assertArrayEquals(crl, Files.readAllBytes(SERVICE.data().resolve("crl/" + CA + ".crl")), "file point");
        HttpResponse<byte[]> http = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(SERVICE.service().publicUrl() + "/crl/" + CA + ".crl"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, http.statusCode());
        assertArrayEquals(crl, http.body(), "http point");
        try (LDAPConnection ldap = new LDAPConnection("127.0.0.1", URI.create(SERVICE.service().ldapUrl()).getPort())) {
            SearchResultEntry entry = ldap.getEntry("cn=Ext Issuing CA,ou=CAs,ou=pki,dc=example,dc=com", "certificateRevocationList;binary");
            assertArrayEquals(crl, entry.getAttributeValueBytes("certificateRevocationList;binary"), "directory point");
        }
    }

    private static boolean everyPointHolds(long number) {
        return SERVICE.service().crlPublisher().status().stream().filter(state -> state.ca().value().equals(CA))
                .allMatch(state -> state.fullNumber() != null && state.fullNumber() == number)
                && SERVICE.service().crlPublisher().status().stream().filter(state -> state.ca().value().equals(CA)).count() == 3;
    }

    /** The CA's entry in /health's crlMirror. */
    private static JsonObject mirrorState(String ca) throws Exception {
        return mirrorHealth().getJsonArray("cas").stream().map(JsonObject.class::cast).filter(each -> each.getString("ca").equals(ca)).findFirst()
                .orElseThrow();
    }

    private static JsonObject mirrorHealth() throws Exception {
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(SERVICE.service().publicUrl() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new JsonObject(health.body()).getJsonObject("crlMirror");
    }

    private static List<String> status(String serial) {
        EmptyService.Cli status = SERVICE.certdir("status", "--ca", CA, "--serial", serial);
        assertEquals(0, status.code(), status.err());
        return status.lines();
    }

    private Path leaf(Path config, String name, String serial) throws Exception {
        Path key = work.resolve(name + ".key");
        Path csr = work.resolve(name + ".csr");
        Path pem = work.resolve(name + ".pem");
        Interop.openssl("req", "-new", "-config", config.toString(), "-subj", "/O=External/CN=" + name, "-addext", "subjectAltName=email:" + name + "@example.org",
                "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-out", csr.toString());
        Interop.openssl("x509", "-req", "-in", csr.toString(), "-CA", work.resolve("ca.pem").toString(), "-CAkey", work.resolve("ca.key").toString(),
                "-set_serial", serial, "-days", "365", "-extfile", config.toString(), "-extensions", "leaf_ext", "-copy_extensions", "copy",
                "-out", pem.toString());
        return pem;
    }

    private byte[] gencrl(Path config, Path key, Path cert, String name, String... extra) throws Exception {
        Path out = work.resolve(name);
        List<String> args = new java.util.ArrayList<>(List.of("ca", "-gencrl", "-config", config.toString(), "-keyfile", key.toString(), "-cert",
                cert.toString(), "-out", work.resolve(name + ".pem").toString()));
        args.addAll(List.of(extra));
        Interop.openssl(args.toArray(String[]::new));
        Interop.openssl("crl", "-in", work.resolve(name + ".pem").toString(), "-outform", "DER", "-out", out.toString());
        return Files.readAllBytes(out);
    }

    private static String nextUpdate(byte[] crl) throws Exception {
        return ((java.security.cert.X509CRL) java.security.cert.CertificateFactory.getInstance("X.509").generateCRL(new java.io.ByteArrayInputStream(crl)))
                .getNextUpdate().toInstant().toString();
    }

    private static void awaitPast(byte[] crl) throws Exception {
        java.time.Instant next = java.time.Instant.parse(nextUpdate(crl));
        while (!java.time.Instant.now().isAfter(next)) {
            Thread.sleep(200);
        }
    }

    /** An openssl CA of the given CN with its database in the work directory (shared by both CAs of the test: only one is used with openssl ca). */
    private Path opensslConfig(String cn) throws Exception {
        String slug = cn.toLowerCase().replace(' ', '-');
        if (!Files.exists(work.resolve("index.txt"))) {
            Files.writeString(work.resolve("index.txt"), "");
            Files.writeString(work.resolve("crlnumber"), "01\n");
        }
        Files.writeString(work.resolve(slug + "-index.txt"), "");
        Files.writeString(work.resolve(slug + "-crlnumber"), "01\n");
        boolean main = !cn.equals("Other CA");
        return Files.writeString(work.resolve(slug + ".cnf"), """
                [req]
                distinguished_name = dn
                prompt = no
                x509_extensions = ca_ext
                [dn]
                O = External
                CN = %s
                [ca_ext]
                basicConstraints = critical,CA:TRUE
                keyUsage = critical,keyCertSign,cRLSign
                subjectKeyIdentifier = hash
                [leaf_ext]
                basicConstraints = critical,CA:FALSE
                keyUsage = critical,keyAgreement
                extendedKeyUsage = emailProtection
                authorityKeyIdentifier = keyid
                [ocsp_ext]
                basicConstraints = critical,CA:FALSE
                keyUsage = critical,digitalSignature
                extendedKeyUsage = OCSPSigning
                [ca]
                default_ca = the_ca
                [the_ca]
                database = %s
                crlnumber = %s
                private_key = %s
                certificate = %s
                default_md = sha256
                default_crl_days = 30
                crl_extensions = crl_ext
                [crl_ext]
                authorityKeyIdentifier = keyid
                """.formatted(cn, main ? work.resolve("index.txt") : work.resolve(slug + "-index.txt"),
                main ? work.resolve("crlnumber") : work.resolve(slug + "-crlnumber"), work.resolve(main ? "ca.key" : "other.key"),
                work.resolve(main ? "ca.pem" : "other.pem")));
    }
}
