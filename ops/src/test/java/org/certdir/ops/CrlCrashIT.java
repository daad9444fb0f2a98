package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 while CRLs are being written: afterwards every CRL file is whole and verifies (the file point writes
 * a temporary file and renames it), and the service starts again and goes on numbering from where it was.
 */
class CrlCrashIT {

    private static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path work;

    @Test
    void kill9DuringPublication_leavesOnlyCompleteValidCrls() throws Exception {
        TestServices.ProcessConfig ports = TestServices.processConfig(work.resolve("certdir.conf"), "");
        Path config = ports.file();
        int admin = ports.admin();
        Path data = work.resolve("data");
        long seed = System.nanoTime();
        long lastAcknowledged = 0;
        try (CertdirProcess service = CertdirProcess.start("demo", "--data", data.toString(), "--config", config.toString())) {
            service.awaitOutput("Stop with Ctrl-C.", START);
            AdminHttp client = AdminHttp.of("http://127.0.0.1:" + admin, data.resolve("admin.token"));
            // A CRL with a few hundred entries, rewritten over and over while the process is killed.
            TestPki pki = new TestPki(data);
            Path bulk = work.resolve("bulk");
            pki.bulk(bulk, 300, false);
            io.vertx.core.json.JsonArray files = new io.vertx.core.json.JsonArray();
            try (Stream<Path> walk = Files.walk(bulk)) {
                for (Path pem : walk.filter(Files::isRegularFile).toList()) {
                    files.add(new JsonObject().put("name", pem.toString()).put("text", Files.readString(pem)));
                }
            }
            JsonObject imported = client.post("/admin/certificates/import", new JsonObject().put("files", files)).body();
            for (int i = 0; i < imported.getJsonArray("imported").size(); i++) {
                String serial = imported.getJsonArray("imported").getJsonObject(i).getString("serial");
                client.post("/admin/certificates/demo-issuing-ca/" + serial + "/revoke", new JsonObject().put("reason", "superseded"));
            }
            long deadline = System.nanoTime() + Duration.ofMillis(500 + new Random(seed).nextInt(2500)).toNanos();
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
                    service.kill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            killer.start();
            while (System.nanoTime() < deadline) {
                try {
                    AdminHttp.Answer answer = client.post("/admin/crl/publish?ca=demo-issuing-ca", new JsonObject());
                    lastAcknowledged = answer.body().getJsonArray("crls").getJsonObject(0).getLong("number");
                } catch (java.io.IOException e) {
                    break; // killed
                }
            }
            killer.join();
        }

        X509Certificate issuing = KeyFiles.readPem(data.resolve("demo/issuing-ca.pem")).get(0);
        List<Path> crls;
        try (Stream<Path> list = Files.list(data.resolve("crl"))) {
            crls = list.filter(file -> file.getFileName().toString().endsWith(".crl")).toList();
        }
        assertEquals(4, crls.size(), "full and delta CRL of both CAs: " + crls);
        for (Path file : crls) {
            X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(Files.readAllBytes(file)));
            if (file.getFileName().toString().startsWith("demo-issuing-ca")) {
                crl.verify(issuing.getPublicKey());
            }
        }

        try (CertdirProcess restarted = CertdirProcess.start("demo", "--data", data.toString(), "--config", config.toString())) {
            restarted.awaitOutput("Stop with Ctrl-C.", START);
            AdminHttp client = AdminHttp.of("http://127.0.0.1:" + admin, data.resolve("admin.token"));
            long next = client.post("/admin/crl/publish?ca=demo-issuing-ca", new JsonObject()).body().getJsonArray("crls").getJsonObject(0).getLong("number");
            assertTrue(next > lastAcknowledged, "numbering goes on after the crash: " + next + " !> " + lastAcknowledged + " (seed " + seed + ")");
        }
    }
}
