package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.SearchResultEntry;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.DEROctetString;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo service's CRLs as clients get them: openssl and GnuTLS verify them, LDAP and HTTP serve them. */
class CrlIT {

    private static final String CA = "demo-issuing-ca";

    @TempDir
    static Path data;

    static Service service;
    static AdminHttp admin;

    @BeforeAll
    static void start() throws Exception {
        service = Service.start(TestServices.config(data, 100), true, Clock.systemUTC());
        admin = new AdminHttp(service);
        awaitFile(data.resolve("crl/" + CA + "-delta.crl"));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static void awaitFile(Path file) throws InterruptedException {
        for (int i = 0; i < 100 && !Files.exists(file); i++) {
            Thread.sleep(100);
        }
        assertTrue(Files.exists(file), file + " was not written");
    }

    private static X509CRL parse(byte[] der) throws Exception {
        return (X509CRL) java.security.cert.CertificateFactory.getInstance("X.509").generateCRL(new java.io.ByteArrayInputStream(der));
    }

    private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.publicUrl() + path));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static X509CRL awaitDelta(java.util.function.Predicate<X509CRL> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        X509CRL delta = parse(get("/crl/" + CA + "-delta.crl").body());
        while (!condition.test(delta) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            delta = parse(get("/crl/" + CA + "-delta.crl").body());
        }
        assertTrue(condition.test(delta), "the delta CRL never got there:\n" + delta);
        return delta;
    }

    private static String serialOf(String pem) throws Exception {
        return KeyFiles.readPem(data.resolve("demo").resolve(pem)).get(0).getSerialNumber().toString(16);
    }

    @Test
    void fullCrl_isVersion2_signedByTheCa_withNumberAkiFreshestAndTheRevokedEntry() throws Exception {
        X509Certificate issuing = KeyFiles.readPem(data.resolve("demo/issuing-ca.pem")).get(0);
        X509CRL crl = parse(Files.readAllBytes(data.resolve("crl/" + CA + ".crl")));
        crl.verify(issuing.getPublicKey());
        assertEquals(2, crl.getVersion());
        assertEquals(issuing.getSubjectX500Principal(), crl.getIssuerX500Principal());
        assertTrue(crl.getNextUpdate().after(crl.getThisUpdate()));
        assertTrue(crl.getNonCriticalExtensionOIDs().containsAll(List.of(Extension.authorityKeyIdentifier.getId(), Extension.cRLNumber.getId(),
                Extension.freshestCRL.getId())), crl.getNonCriticalExtensionOIDs().toString());
        BigInteger mallory = new BigInteger(serialOf("mallory-encryption.pem"), 16);
        X509CRLEntry entry = crl.getRevokedCertificate(mallory);
        assertEquals(java.security.cert.CRLReason.KEY_COMPROMISE, entry.getRevocationReason());
        for (X509CRLEntry listed : crl.getRevokedCertificates()) {
            String status = admin.get("/admin/certificates/" + CA + "/" + listed.getSerialNumber().toString(16)).body().getString("status");
            assertTrue(List.of("revoked", "on-hold").contains(status), listed.getSerialNumber().toString(16) + " is " + status);
        }
    }

    @Test
    void opensslVerifiesTheCrl_andFindsMalloryRevokedAndAliceGood() throws Exception {
        Interop.require("openssl", "openssl");
        Path demo = data.resolve("demo");
        Interop.Run verify = Interop.run("openssl", "crl", "-inform", "DER", "-in", data.resolve("crl/" + CA + ".crl").toString(),
                "-CAfile", demo.resolve("chain.pem").toString(), "-noout");
        assertEquals(0, verify.exitCode(), verify.err());
        assertEquals("verify OK\n", verify.err() + verify.out());

        Path bundle = data.resolve("crl-check.pem");
        StringBuilder pem = new StringBuilder(Files.readString(demo.resolve("chain.pem")));
        for (String ca : List.of("demo-root-ca", CA)) {
            Interop.Run toPem = Interop.run("openssl", "crl", "-inform", "DER", "-in", data.resolve("crl/" + ca + ".crl").toString());
            pem.append(toPem.out());
        }
        Files.writeString(bundle, pem);
        Interop.Run mallory = Interop.run("openssl", "verify", "-crl_check_all", "-CAfile", bundle.toString(), demo.resolve("mallory-encryption.pem").toString());
        assertEquals(2, mallory.exitCode(), mallory.out());
        assertTrue((mallory.out() + mallory.err()).contains("certificate revoked"), mallory.out() + mallory.err());
        Interop.Run alice = Interop.run("openssl", "verify", "-crl_check_all", "-CAfile", bundle.toString(), demo.resolve("alice-encryption.pem").toString());
        assertEquals(0, alice.exitCode(), alice.out() + alice.err());
        assertEquals(demo.resolve("alice-encryption.pem") + ": OK\n", alice.out());
    }

    @Test
    void gnutlsCerttool_verifiesTheCrl() throws Exception {
        Interop.require("certtool", "gnutls-bin");
        Path crlPem = data.resolve("gnutls.crl.pem");
        Files.writeString(crlPem, Interop.run("openssl", "crl", "-inform", "DER", "-in", data.resolve("crl/" + CA + ".crl").toString()).out());
        Interop.Run run = Interop.run("certtool", "--verify-crl", "--load-ca-certificate", data.resolve("demo/issuing-ca.pem").toString(),
                "--infile", crlPem.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue((run.out() + run.err()).contains("Verified"), run.out() + run.err());
    }

    @Test
    void ldapDistributionPoint_fromTheCertificatesCdp_servesTheSameCrlAnonymously() throws Exception {
        X509Certificate alice = KeyFiles.readPem(data.resolve("demo/alice-encryption.pem")).get(0);
        CRLDistPoint cdp = CRLDistPoint.getInstance(DEROctetString.getInstance(alice.getExtensionValue(Extension.cRLDistributionPoints.getId())).getOctets());
        String ldapUrl = null;
        for (DistributionPoint point : cdp.getDistributionPoints()) {
            for (GeneralName name : org.bouncycastle.asn1.x509.GeneralNames.getInstance(point.getDistributionPoint().getName()).getNames()) {
                String uri = name.getName().toString();
                if (uri.startsWith("ldap://")) {
                    ldapUrl = uri;
                }
            }
        }
        LDAPURL url = new LDAPURL(ldapUrl);
        // The demo's certificates name the configured LDAP port; ask the one this test's service listens on, as the URL says otherwise.
        try (LDAPConnection ldap = new LDAPConnection("127.0.0.1", URI.create(service.ldapUrl()).getPort())) {
            SearchResultEntry entry = ldap.searchForEntry(url.getBaseDN().toString(), url.getScope(), url.getFilter(), url.getAttributes());
            assertEquals("certificateRevocationList;binary", entry.getAttributes().iterator().next().getName());
            assertArrayEquals(Files.readAllBytes(data.resolve("crl/" + CA + ".crl")), entry.getAttributeValueBytes("certificateRevocationList;binary"));
        }
    }

    @Test
    void freshestCrl_namesTheDeltaOverHttpAndLdap_andBothServeIt() throws Exception {
        X509CRL full = parse(Files.readAllBytes(data.resolve("crl/" + CA + ".crl")));
        CRLDistPoint freshest = CRLDistPoint.getInstance(DEROctetString.getInstance(full.getExtensionValue(Extension.freshestCRL.getId())).getOctets());
        List<String> urls = new java.util.ArrayList<>();
        for (DistributionPoint point : freshest.getDistributionPoints()) {
            for (GeneralName name : org.bouncycastle.asn1.x509.GeneralNames.getInstance(point.getDistributionPoint().getName()).getNames()) {
                urls.add(name.getName().toString());
            }
        }
        assertEquals(2, urls.size(), urls.toString());
        assertEquals("http://127.0.0.1:8080/crl/" + CA + "-delta.crl", urls.get(0), "the configured base URL");
        LDAPURL url = new LDAPURL(urls.get(1));
        // The URL names the configured LDAP port; ask the one this test's service listens on.
        try (LDAPConnection ldap = new LDAPConnection("127.0.0.1", URI.create(service.ldapUrl()).getPort())) {
            SearchResultEntry entry = ldap.searchForEntry(url.getBaseDN().toString(), url.getScope(), url.getFilter(), url.getAttributes());
            assertEquals("deltaRevocationList;binary", entry.getAttributes().iterator().next().getName());
            assertArrayEquals(get("/crl/" + CA + "-delta.crl").body(), entry.getAttributeValueBytes("deltaRevocationList;binary"));
        }
    }

    @Test
    void ifModifiedSince_neverAnswers304ForACrlIssuedInTheSameSecond() throws Exception {
        HttpResponse<byte[]> before = get("/crl/" + CA + ".crl");
        String lastModified = before.headers().firstValue("Last-Modified").orElseThrow();
        // Two manual publications back to back, as fast as the admin API goes: each a later second than the one before.
        long first = admin.post("/admin/crl/publish?ca=" + CA, new JsonObject()).body().getJsonArray("crls").getJsonObject(0).getLong("number");
        long second = admin.post("/admin/crl/publish?ca=" + CA, new JsonObject()).body().getJsonArray("crls").getJsonObject(0).getLong("number");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<byte[]> now = get("/crl/" + CA + ".crl");
        while (!now.headers().firstValue("ETag").orElseThrow().equals("\"" + second + "\"") && System.nanoTime() < deadline) {
            Thread.sleep(20);
            now = get("/crl/" + CA + ".crl");
        }
        assertTrue(second > first);
        assertTrue(!lastModified.equals(now.headers().firstValue("Last-Modified").orElseThrow()), "a newer CRL has a later Last-Modified");
        assertEquals(200, get("/crl/" + CA + ".crl", "If-Modified-Since", lastModified).statusCode(), "modified since " + lastModified);
        assertEquals(304, get("/crl/" + CA + ".crl", "If-Modified-Since", now.headers().firstValue("Last-Modified").orElseThrow()).statusCode());
    }

    @Test
    void http_servesTheCrlWithCachingHeaders_and304() throws Exception {
        HttpResponse<byte[]> crl = get("/crl/" + CA + ".crl");
        assertEquals(200, crl.statusCode());
        assertEquals("application/pkix-crl", crl.headers().firstValue("Content-Type").orElseThrow());
        assertArrayEquals(Files.readAllBytes(data.resolve("crl/" + CA + ".crl")), crl.body());
        String etag = crl.headers().firstValue("ETag").orElseThrow();
        String cacheControl = crl.headers().firstValue("Cache-Control").orElseThrow();
        assertTrue(cacheControl.matches("max-age=\\d+, public, no-transform, must-revalidate"), cacheControl);
        long maxAge = Long.parseLong(cacheControl.replaceAll("max-age=(\\d+),.*", "$1"));
        X509CRL parsed = parse(crl.body());
        assertTrue(Math.abs(maxAge - Duration.between(java.time.Instant.now(), parsed.getNextUpdate().toInstant()).toSeconds()) < 5,
                "max-age runs to nextUpdate: " + maxAge);
        assertEquals(304, get("/crl/" + CA + ".crl", "If-None-Match", etag).statusCode());
        assertEquals(304, get("/crl/" + CA + ".crl", "If-Modified-Since", crl.headers().firstValue("Last-Modified").orElseThrow()).statusCode());
        assertEquals(200, get("/crl/" + CA + ".crl", "If-None-Match", "\"0\"").statusCode());
        assertEquals(404, get("/crl/nope.crl").statusCode());
    }

    @Test
    void revocation_reachesTheDeltaCrl_andReleaseIsRemoveFromCrl() throws Exception {
        String bob = serialOf("bob-encryption.pem");
        String carol = serialOf("carol-signing.pem");
        assertEquals(200, admin.post("/admin/certificates/" + CA + "/" + bob + "/revoke", new JsonObject().put("reason", "superseded")).status());
        assertEquals(200, admin.post("/admin/certificates/" + CA + "/" + carol + "/hold", new JsonObject()).status());
        X509CRL delta = awaitDelta(crl -> crl.getRevokedCertificate(new BigInteger(bob, 16)) != null
                && crl.getRevokedCertificate(new BigInteger(carol, 16)) != null);
        assertTrue(delta.getCriticalExtensionOIDs().contains(Extension.deltaCRLIndicator.getId()));
        assertEquals(java.security.cert.CRLReason.SUPERSEDED, delta.getRevokedCertificate(new BigInteger(bob, 16)).getRevocationReason());
        assertEquals(java.security.cert.CRLReason.CERTIFICATE_HOLD, delta.getRevokedCertificate(new BigInteger(carol, 16)).getRevocationReason());

        assertEquals(200, admin.post("/admin/certificates/" + CA + "/" + carol + "/release", new JsonObject()).status());
        X509CRL released = awaitDelta(crl -> crl.getRevokedCertificate(new BigInteger(carol, 16)) != null
                && crl.getRevokedCertificate(new BigInteger(carol, 16)).getRevocationReason() == java.security.cert.CRLReason.REMOVE_FROM_CRL);
        assertTrue(released.getRevokedCertificate(new BigInteger(bob, 16)) != null, "the delta still lists bob since the base");

        Interop.require("openssl", "openssl");
        Path file = data.resolve("delta.der");
        Files.write(file, get("/crl/" + CA + "-delta.crl").body());
        Interop.Run text = Interop.run("openssl", "crl", "-inform", "DER", "-in", file.toString(), "-noout", "-text");
        assertTrue(text.out().contains("X509v3 Delta CRL Indicator: critical"), text.out());
        assertTrue(text.out().contains("Remove From CRL"), text.out());
    }

    @Test
    void crlPublish_issuesANewFullCrl_withAGreaterNumber() throws Exception {
        AdminHttp.Answer answer = admin.post("/admin/crl/publish?ca=" + CA, new JsonObject());
        assertEquals(200, answer.status(), answer.body().encode());
        long number = answer.body().getJsonArray("crls").getJsonObject(0).getLong("number");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        BigInteger served = BigInteger.ZERO;
        while (System.nanoTime() < deadline && served.longValue() != number) {
            byte[] der = get("/crl/" + CA + ".crl").body();
            served = org.bouncycastle.asn1.ASN1Integer.getInstance(org.bouncycastle.asn1.ASN1Primitive.fromByteArray(
                    DEROctetString.getInstance(parse(der).getExtensionValue(Extension.cRLNumber.getId())).getOctets())).getValue();
            Thread.sleep(50);
        }
        assertEquals(number, served.longValue());
        AdminHttp.Answer external = admin.post("/admin/crl/publish?ca=nope", new JsonObject());
        assertEquals(404, external.status());
    }
}
