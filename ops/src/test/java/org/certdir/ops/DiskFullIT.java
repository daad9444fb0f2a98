package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.Serial;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: the data directory on a small tmpfs, filled to the last byte. A change is refused with 507
 * naming the cause (SQLITE_FULL used to be hidden behind "no transaction is active" and a 500), /health says the
 * disk is short, and after space is freed and the service restarted, what was acknowledged before is all there.
 */
class DiskFullIT {

    private static final long MIN_FREE = 4L * 1024 * 1024;

    @TempDir
    Path work;

    /** Mounts a tmpfs of {@code size} on {@code dir}; false when this machine does not let us (not root, in a container). */
    private static boolean mount(Path dir, String size) throws Exception {
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(mount.getInputStream().readAllBytes());
        if (mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0) {
            return true;
        }
        String message = "cannot mount a tmpfs to fill (" + output.strip() + "): the disk-full test needs root with mount permission";
        if (Boolean.getBoolean("interop.required")) {
            fail(message + " (interop.required is set)");
        }
        System.err.println("WARNING: skipping DiskFullIT: " + message);
        return false;
    }

    private static void unmount(Path dir) throws Exception {
        new ProcessBuilder("umount", dir.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
    }

    /** Writes zeros into {@code filler} until the file system refuses: ENOSPC. */
    private static void fill(Path filler) {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            // full now
        }
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(0);
                out.flush();
            }
        } catch (IOException full) {
            // the last bytes too
        }
    }

    @Test
    void fullDisk_refusesChangesWith507_healthSaysSo_andNothingAcknowledgedIsLost() throws Exception {
        Path mount = Files.createDirectories(work.resolve("mnt"));
        Assumptions.assumeTrue(mount(mount, "128m"), "tmpfs not mountable here");
        try {
            ServiceConfig base = TestServices.config(mount.resolve("data"), 100);
            ServiceConfig config = new ServiceConfig(base.data(), base.ldap(), base.http(), base.admin(), base.crl(), base.demo(), base.ocsp(),
                    base.trust(), new ServiceConfig.Health(MIN_FREE));
            Path data = config.data().toAbsolutePath().normalize();
            JsonObject batch = new JsonObject();
            String aliceSerial;
            Service service = Service.start(config, true, Clock.systemUTC());
            try {
                AdminHttp admin = new AdminHttp(service);
                JsonObject alice = admin.get("/admin/certificates?mail=alice@example.com&status=valid").body().getJsonArray("certificates")
                        .stream().map(JsonObject.class::cast).filter(c -> "encryption".equals(c.getString("usage"))).findFirst().orElseThrow();
                aliceSerial = alice.getString("serial");
                assertEquals(200, admin.post("/admin/certificates/demo-issuing-ca/" + aliceSerial + "/revoke",
                        new JsonObject().put("reason", "keyCompromise")).status(), "acknowledged before the disk fills");

                // A batch large enough to need new pages in the WAL, prepared off the full disk.
                Path pems = Files.createDirectories(work.resolve("pems"));
                new TestPki(data).bulk(pems, 500, true);
                JsonArray files = new JsonArray();
                try (Stream<Path> found = Files.walk(pems)) {
                    for (Path pem : found.filter(Files::isRegularFile).toList()) {
                        files.add(new JsonObject().put("name", pem.getFileName().toString()).put("text", Files.readString(pem)));
                    }
                }
                batch.put("files", files);

                fill(mount.resolve("filler"));
                JsonObject health = health(service);
                assertEquals("degraded", health.getString("status"), health.encodePrettily());
                assertEquals("degraded", health.getJsonObject("disk").getString("status"));
                assertTrue(health.getJsonObject("disk").getString("error").startsWith("the data directory's file system has "), health.encode());

                AdminHttp.Answer refused = admin.post("/admin/certificates/import", batch);
                assertEquals(507, refused.status(), refused.body().encode());
                assertTrue(refused.error().startsWith("the registry's disk is full: nothing was changed; free space on " + data
                        + " and try again (SQLite: [SQLITE_FULL]"), refused.error());
                assertEquals(0, admin.get("/admin/certificates?mail=bulk0@example.com").body().getInteger("total"), "nothing of the batch was recorded");

                Files.delete(mount.resolve("filler"));
                AdminHttp.Answer retried = admin.post("/admin/certificates/import", batch);
                assertEquals(200, retried.status(), retried.body().encode());
                assertEquals(500, retried.body().getJsonArray("imported").size());
                assertEquals("ok", health(service).getJsonObject("disk").getString("status"));
            } finally {
                service.close();
            }

            Service restarted = Service.start(config, true, Clock.systemUTC());
            try {
                assertEquals(CertificateStatus.REVOKED, restarted.registry().requireCertificate(new CaName("demo-issuing-ca"),
                        Serial.parseHex(aliceSerial)).status());
                assertEquals(1, new AdminHttp(restarted).get("/admin/certificates?mail=bulk499@example.com").body().getInteger("total"));
            } finally {
                restarted.close();
            }
        } finally {
            unmount(mount);
        }
    }

    private static JsonObject health(Service service) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.publicUrl() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body());
    }
}
