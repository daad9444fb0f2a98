package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, point 2: revocations acknowledged, then the JVM killed inside the CRL debounce window, before any CRL
 * listed them. After the restart every output agrees with what was acknowledged: the registry, OCSP, the full
 * and the delta CRL at each point (files, HTTP, the directory's CA entry), and the directory's people.
 */
class RevocationCrashIT {

    private static final int N = 20;
    private static final String CA = "demo-issuing-ca";
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void revocationsAcknowledgedInsideTheDebounce_reachEveryOutputAfterKill9() throws Exception {
        // A long debounce so that the kill lands inside it whatever the machine's speed.
        TestServices.ProcessConfig ports = TestServices.processConfig(work.resolve("certdir.conf"), "certdir.crl.debounce = 10s\n");
        int ldap = ports.ldap();
        int http = ports.http();
        Path config = ports.file();
        Path data = work.resolve("data");
        String adminUrl = ports.adminUrl();
        List<String> mails = new ArrayList<>();
        Set<BigInteger> acknowledged = new TreeSet<>();

        try (CertdirProcess service = CertdirProcess.start("demo", "--data", data.toString(), "--config", config.toString())) {
            service.awaitOutput("Stop with Ctrl-C.", START);
            AdminHttp client = AdminHttp.of(adminUrl, data.resolve("admin.token"));
            TestPki pki = new TestPki(data);
            JsonArray files = new JsonArray();
            for (int i = 0; i < N; i++) {
                String mail = "crash" + i + "@example.com";
                Issued issued = pki.smime(mail, SmimePurpose.ENCRYPTION);
                mails.add(mail);
                files.add(new JsonObject().put("name", mail).put("data",
                        Base64.getEncoder().encodeToString(TestPki.pem(issued).getBytes(StandardCharsets.US_ASCII))));
            }
            JsonArray imported = client.post("/admin/certificates/import", new JsonObject().put("files", files)).body().getJsonArray("imported");
            assertEquals(N, imported.size());
            for (int i = 0; i < N; i++) {
                String serial = imported.getJsonObject(i).getString("serial");
                AdminHttp.Answer answer = client.post("/admin/certificates/" + CA + "/" + serial + "/revoke", new JsonObject().put("reason", "keyCompromise"));
                assertEquals(200, answer.status(), answer.body().encode());
                acknowledged.add(new BigInteger(serial, 16));
            }
            service.kill();
        }
        // Nothing was issued for them before the kill: what follows is the restart's doing.
        Set<BigInteger> listedBefore = new TreeSet<>(listed(Files.readAllBytes(data.resolve("crl/" + CA + ".crl"))));
        listedBefore.retainAll(acknowledged);
        assertEquals(Set.of(), listedBefore, "no CRL listed them before the kill");

        try (CertdirProcess restarted = CertdirProcess.start("demo", "--data", data.toString(), "--config", config.toString())) {
            restarted.awaitOutput("Stop with Ctrl-C.", START);
            AdminHttp client = AdminHttp.of(adminUrl, data.resolve("admin.token"));
            for (BigInteger serial : acknowledged) {
                assertEquals("revoked", client.get("/admin/certificates/" + CA + "/" + serial.toString(16)).body().getString("status"), "registry");
            }
            X509Certificate issuing = KeyFiles.readPem(data.resolve("demo/issuing-ca.pem")).get(0);
            assertEquals(acknowledged, revokedByOcsp(http, issuing, acknowledged), "OCSP");

            String base = "http://127.0.0.1:" + http + "/crl/" + CA;
            await("files: full CRL", () -> listed(read(data.resolve("crl/" + CA + ".crl"))), acknowledged);
            await("files: delta-aware client", () -> seenWithDelta(read(data.resolve("crl/" + CA + ".crl")), read(data.resolve("crl/" + CA + "-delta.crl"))),
                    acknowledged);
            await("HTTP: full CRL", () -> listed(fetch(base + ".crl")), acknowledged);
            await("HTTP: delta-aware client", () -> seenWithDelta(fetch(base + ".crl"), fetch(base + "-delta.crl")), acknowledged);
            try (LDAPConnection directory = new LDAPConnection("127.0.0.1", ldap)) {
                String entry = "cn=Demo Issuing CA,ou=CAs,ou=pki,dc=example,dc=com";
                Supplier<SearchResultEntry> caEntry = () -> {
                    try {
                        return directory.getEntry(entry, "certificateRevocationList;binary", "deltaRevocationList;binary");
                    } catch (com.unboundid.ldap.sdk.LDAPException e) {
                        throw new IllegalStateException(e);
                    }
                };
                await("directory: full CRL", () -> listed(caEntry.get().getAttributeValueBytes("certificateRevocationList;binary")), acknowledged);
                await("directory: delta-aware client", () -> seenWithDelta(caEntry.get().getAttributeValueBytes("certificateRevocationList;binary"),
                        caEntry.get().getAttributeValueBytes("deltaRevocationList;binary")), acknowledged);
                for (String mail : mails) {
                    await("directory: " + mail + " offers no revoked certificate", () -> {
                        try {
                            SearchResultEntry person = directory.searchForEntry("dc=example,dc=com", SearchScope.SUB,
                                    Filter.createEqualityFilter("mail", mail), "userCertificate;binary");
                            return person == null || person.getAttribute("userCertificate;binary") == null ? Set.of()
                                    : Set.of(org.certdir.registry.CertificateDetails.parse(person.getAttributeValueBytes("userCertificate;binary")).serial().value());
                        } catch (com.unboundid.ldap.sdk.LDAPException e) {
                            throw new IllegalStateException(e);
                        }
                    }, Set.of());
                }
            }
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] fetch(String url) {
        try {
            HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode(), url);
            return response.body();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static X509CRL crl(byte[] der) {
        try {
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
        } catch (java.security.cert.CRLException | java.security.cert.CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<BigInteger> listed(byte[] der) {
        Set<? extends X509CRLEntry> entries = crl(der).getRevokedCertificates();
        return entries == null ? Set.of() : entries.stream().map(X509CRLEntry::getSerialNumber).collect(Collectors.toCollection(TreeSet::new));
    }

    private static long number(X509CRL crl, String oid) {
        try {
            return org.bouncycastle.asn1.ASN1Integer.getInstance(org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils.parseExtensionValue(
                    crl.getExtensionValue(oid))).getValue().longValueExact();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Full plus delta, where the delta applies to the full (RFC 5280 §5.2.4: base not newer than the full, number newer), as OpenSSL combines them. */
    private static Set<BigInteger> seenWithDelta(byte[] fullDer, byte[] deltaDer) {
        Set<BigInteger> seen = new TreeSet<>(listed(fullDer));
        X509CRL full = crl(fullDer);
        X509CRL delta = crl(deltaDer);
        long fullNumber = number(full, "2.5.29.20");
        if (number(delta, "2.5.29.27") <= fullNumber && number(delta, "2.5.29.20") > fullNumber) {
            seen.addAll(listed(deltaDer));
        }
        return seen;
    }

    private static Set<BigInteger> revokedByOcsp(int port, X509Certificate issuer, Set<BigInteger> serials) throws Exception {
        OCSPReqBuilder request = new OCSPReqBuilder();
        var sha1 = new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1);
        for (BigInteger serial : serials) {
            request.addRequest(new CertificateID(sha1, new X509CertificateHolder(issuer.getEncoded()), serial));
        }
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ocsp"))
                .header("Content-Type", "application/ocsp-request").POST(HttpRequest.BodyPublishers.ofByteArray(request.build().getEncoded())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        OCSPResp answer = new OCSPResp(response.body());
        assertEquals(OCSPResp.SUCCESSFUL, answer.getStatus());
        Set<BigInteger> revoked = new TreeSet<>();
        for (SingleResp single : ((BasicOCSPResp) answer.getResponseObject()).getResponses()) {
            if (single.getCertStatus() instanceof RevokedStatus) {
                revoked.add(single.getCertID().getSerialNumber());
            }
        }
        return revoked;
    }

    private static void await(String where, Supplier<Set<BigInteger>> seen, Set<BigInteger> expected) throws InterruptedException {
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        Set<BigInteger> last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = seen.get();
                if (expected.isEmpty() ? last.isEmpty() : last.containsAll(expected)) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // the point may not hold a CRL yet
            }
            Thread.sleep(200);
        }
        assertTrue(false, where + ": after the restart it shows " + last + ", acknowledged revoked: " + expected);
    }
}
