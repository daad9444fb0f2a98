package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateQuery;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.CrlSummary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Distribution points failing and recovering, and a burst of revocations. */
class CrlDistributionIT {

    private static final String CA = "demo-issuing-ca";

    @TempDir
    Path data;

    private Service service;
    private int webPort;
    private HttpServer web;
    private final Map<String, byte[]> received = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        webPort = TestServices.freePort();
        ServiceConfig config = Probe.withPoint(TestServices.config(data, 100), new ServiceConfig.Point("web", "webdav", "http://127.0.0.1:" + webPort + "/crl/"));
        service = Service.start(config, true, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        service.close();
        if (web != null) {
            web.stop(0);
        }
    }

    /** A web server that takes PUTs, as nginx's dav module does; started only when the test wants it up. */
    private void startWebServer() throws Exception {
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", webPort), 0);
        web.createContext("/crl/", exchange -> {
            if (!exchange.getRequestMethod().equals("PUT")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            received.put(exchange.getRequestURI().getPath().substring("/crl/".length()), exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        web.start();
    }




    @Test
    void aFailingPoint_neverBlocksTheOthers_isReported_andCatchesUpWhenBack() throws Exception {
        JsonObject failing = Probe.await(() -> Probe.health(service), h -> Probe.point(h, CA, "web").containsKey("lastError")
                && "ok".equals(Probe.point(h, CA, "files").getString("status")) && "ok".equals(Probe.point(h, CA, "directory").getString("status")),
                Duration.ofSeconds(20));
        assertEquals("degraded", failing.getString("status"));
        assertEquals("degraded", Probe.point(failing, CA, "web").getString("status"));
        assertTrue(Probe.point(failing, CA, "web").getString("lastError").startsWith("ConnectException"), Probe.point(failing, CA, "web").encode());
        assertEquals("ok", Probe.point(failing, CA, "files").getString("status"));
        assertEquals("ok", Probe.point(failing, CA, "directory").getString("status"));

        startWebServer();
        Probe.await(() -> Probe.health(service), h -> "ok".equals(h.getString("status")), Duration.ofSeconds(60));
        // A delta follows its base CRL to a point that comes back, so it may arrive just after health turned ok.
        Probe.await(() -> received.containsKey(CA + "-delta.crl"), Boolean::booleanValue, Duration.ofSeconds(10));
        assertArrayEquals(Files.readAllBytes(data.resolve("crl/" + CA + ".crl")), received.get(CA + ".crl"));
        assertArrayEquals(Files.readAllBytes(data.resolve("crl/" + CA + "-delta.crl")), received.get(CA + "-delta.crl"));
    }

    @Test
    void aPointThatRefusesOnlyDeltas_isDegradedNamingTheDelta_evenOnceAFullCrlReachedItSince() throws Exception {
        CaName ca = new CaName(CA);
        Probe.await(() -> Probe.health(service), h -> "ok".equals(Probe.point(h, CA, "files").getString("status")), Duration.ofSeconds(20));
        long heldDelta = service.registry().latestCrlSummary(ca, true).orElseThrow().number();
        // The file point can no longer take a delta: its file is now a directory, which no rename replaces (for root neither).
        Path deltaFile = data.resolve("crl/" + CA + "-delta.crl");
        Files.delete(deltaFile);
        Files.createDirectories(deltaFile.resolve("in-the-way"));

        // A revocation makes a full CRL and a delta: the point takes the full and refuses the delta.
        AdminHttp admin = new AdminHttp(service);
        String bob = KeyFiles.readPem(data.resolve("demo/bob-encryption.pem")).get(0).getSerialNumber().toString(16);
        assertEquals(200, admin.post("/admin/certificates/" + CA + "/" + bob + "/revoke", new JsonObject().put("reason", "keyCompromise")).status());
        CrlSummary newestDelta = Probe.await(() -> service.registry().latestCrlSummary(ca, true).orElseThrow(), crl -> crl.number() > heldDelta,
                Duration.ofSeconds(20));
        Probe.await(() -> Probe.point(Probe.health(service), CA, "files").getString("lastError", ""), error -> error.contains(CA + "-delta.crl"),
                Duration.ofSeconds(20));

        // A full CRL issued on request reaches the point and clears the point's last error, which the refused delta had left.
        long full = admin.post("/admin/crl/publish?ca=" + CA, new JsonObject()).body().getJsonArray("crls").getJsonObject(0).getLong("number");
        JsonObject health = Probe.await(() -> Probe.health(service), h -> Probe.point(h, CA, "files").getLong("fullNumber", 0L) == full,
                Duration.ofSeconds(20));
        JsonObject files = Probe.point(health, CA, "files");
        assertEquals("degraded", files.getString("status"), files.encodePrettily());
        assertEquals(new JsonObject().put("delta", "delta CRL " + newestDelta.number() + " (issued " + newestDelta.thisUpdate()
                + ") has not reached this point, which holds " + heldDelta), files.getJsonObject("lagging"), files.encodePrettily());
        assertEquals("degraded", health.getJsonObject("crl").getString("status"));
        JsonObject directory = Probe.point(health, CA, "directory");
        assertTrue(!directory.containsKey("lagging") || !directory.getJsonObject("lagging").containsKey("delta"), directory.encodePrettily());
    }

    @Test
    void aBurstOfRevocations_yieldsFewCrls_andTheLastListsThemAll() throws Exception {
        int count = 1000;
        Path files = data.resolve("burst");
        new TestPki(data).bulk(files, count, false);
        AdminHttp admin = new AdminHttp(service);
        List<Path> pems;
        try (var walk = Files.walk(files)) {
            pems = walk.filter(Files::isRegularFile).toList();
        }
        JsonArray batch = new JsonArray();
        for (Path pem : pems) {
            batch.add(new JsonObject().put("name", pem.toString()).put("text", Files.readString(pem)));
        }
        assertEquals(count, admin.post("/admin/certificates/import", new JsonObject().put("files", batch)).body().getJsonArray("imported").size());
        Probe.await(() -> service.registry().latestCrl(new org.certdir.registry.CaName(CA), true).isPresent(), Boolean::booleanValue, Duration.ofSeconds(10));
        Thread.sleep(1500);
        long numberBefore = service.registry().lastCrlNumber(new org.certdir.registry.CaName(CA));

        List<CertificateRecord> bulk = service.registry().search(new CertificateQuery(null, org.certdir.registry.CertificateStatus.VALID,
                new org.certdir.registry.CaName(CA), 1000, 0)).certificates().stream()
                .filter(record -> record.details().mailAddresses().get(0).startsWith("bulk")).toList();
        assertEquals(count, bulk.size());
        long burstStart = System.nanoTime();
        for (CertificateRecord record : bulk) {
            assertEquals(200, admin.post("/admin/certificates/" + CA + "/" + record.details().serial().hex() + "/revoke",
                    new JsonObject().put("reason", "cessationOfOperation")).status());
        }
        double burstSeconds = (System.nanoTime() - burstStart) / 1e9;
        X509CRL delta = Probe.await(() -> (X509CRL) java.security.cert.CertificateFactory.getInstance("X.509").generateCRL(
                        Files.newInputStream(data.resolve("crl/" + CA + "-delta.crl"))),
                crl -> crl.getRevokedCertificates() != null && crl.getRevokedCertificates().size() >= count, Duration.ofSeconds(30));
        for (CertificateRecord record : bulk) {
            assertTrue(delta.getRevokedCertificate(record.details().serial().value()) != null, record.details().serial() + " is missing");
        }
        long issued = service.registry().lastCrlNumber(new org.certdir.registry.CaName(CA)) - numberBefore;
        System.out.printf("%d revocations in %.1f s gave %d CRLs%n", count, burstSeconds, issued);
        // At most one delta per debounce window (1 s) and one change-triggered full CRL per window too, plus the
        // pair that settles the end of the burst: a thousand revocations never make a thousand CRLs.
        long bound = 2 * (long) Math.ceil(burstSeconds) + 4;
        assertTrue(issued <= bound, count + " revocations in " + burstSeconds + " s gave " + issued + " CRLs, more than " + bound);
    }
}
