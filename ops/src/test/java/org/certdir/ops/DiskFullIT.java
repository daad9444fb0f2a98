package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;

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
import java.math.BigInteger;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.certdir.directory.embedded.EmbeddedDirectory;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.Serial;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A full disk, for real: the data directory on a small tmpfs, filled to the last byte. A change is refused with 507
 * naming the cause (SQLITE_FULL used to be hidden behind "no transaction is active" and a 500), /health says the
 * disk is short, and after space is freed and the service restarted, what was acknowledged before is all there. Then
 * the CRL files and the embedded directory on a full disk while the registry still takes changes.
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
        Process umount = new ProcessBuilder("umount", dir.toString()).inheritIO().start();
        if (!umount.waitFor(30, TimeUnit.SECONDS) || umount.exitValue() != 0) {
            // Busy: a file on it is still open (a directory whose shutdown failed left its files open). Detach it anyway, so
            // that the temporary directory can go.
            new ProcessBuilder("umount", "-l", dir.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
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

    /**
     * The data directory on a full disk, the registry on another with room (a link to it: SQLite follows it and keeps its
     * WAL beside the file), as when the registry has a volume of its own. The revocations are acknowledged and their CRL
     * issued, and it is the CRL files and the embedded directory that cannot take them. The CRL files stay the previous
     * ones, whole; the directory stops at its first failed write and refuses lookups rather than answer from a partition
     * whose memory and disk disagree; /health names both failures and the cause; the log has one line per failing part,
     * not one per retry. Once space is freed, without a restart, every point gets the CRL listing both revocations and
     * the directory matches the registry again, entry by entry.
     */
    @Test
    void fullDiskUnderCrlFilesAndDirectory_filesStayWhole_directoryRefuses_allCatchUpOnceFreed() throws Exception {
        Path mount = Files.createDirectories(work.resolve("mnt"));
        Assumptions.assumeTrue(mount(mount, "64m"), "tmpfs not mountable here");
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        try {
            Path data = Files.createDirectories(mount.resolve("data"));
            Path registryDisk = Files.createDirectories(work.resolve("registry"));
            Files.createSymbolicLink(data.resolve("registry.db"), Files.createFile(registryDisk.resolve("registry.db"),
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))));
            ServiceConfig base = TestServices.config(data, 100);
            ServiceConfig.Crl crl = base.crl();
            // A debounce long enough that the CRL listing the first revocation is issued once the disk is full.
            ServiceConfig config = new ServiceConfig(data, base.ldap(), base.http(), base.admin(), new ServiceConfig.Crl(crl.fullValidity(),
                    crl.fullPeriod(), crl.deltas(), crl.deltaValidity(), crl.deltaPeriod(), Duration.ofSeconds(3), crl.fullOnChangeWithin(),
                    crl.staleMargin(), crl.points()), base.demo(), base.ocsp(), base.trust(), new ServiceConfig.Health(MIN_FREE));
            try (Service service = Service.start(config, true, Clock.systemUTC())) {
                AdminHttp admin = new AdminHttp(service);
                // The first CRLs are issued by the schedule's first run, just after the start: wait until every point holds them.
                awaitHealth(service, health -> "ok".equals(health.getJsonObject("crl").getString("status"))
                        && health.getJsonObject("crl").getJsonArray("points").stream().map(JsonObject.class::cast)
                        .allMatch(point -> point.getValue("deltaNumber") != null));
                Path crlFiles = data.resolve("crl");
                byte[] fullBefore = Files.readAllBytes(crlFiles.resolve("demo-issuing-ca.crl"));
                byte[] deltaBefore = Files.readAllBytes(crlFiles.resolve("demo-issuing-ca-delta.crl"));
                BigInteger alice = revokeEncryption(admin, "alice@example.com");
                log.start();
                root.addAppender(log);
                fill(mount.resolve("filler"));
                BigInteger bob = revokeEncryption(admin, "bob@example.com");

                JsonObject full = awaitHealth(service, health -> point(health, "files").getString("lastError", "").contains("No space left on device")
                        && health.getJsonObject("directory").getString("error", "").contains("No space left on device"));
                assertEquals("down", full.getString("status"), full.encodePrettily());
                assertTrue(point(full, "files").getString("lastError").startsWith("IOException: cannot write " + crlFiles.resolve("demo-issuing-ca")),
                        full.encodePrettily());
                assertTrue(point(full, "files").getString("lastError").endsWith("(No space left on device); the previous CRL stays in place"),
                        full.encodePrettily());
                assertTrue(full.getJsonObject("directory").getString("error").startsWith(
                        "the directory is failing: its partition threw java.io.IOException: No space left on device"), full.encodePrettily());

                assertArrayEquals(fullBefore, Files.readAllBytes(crlFiles.resolve("demo-issuing-ca.crl")), "the previous full CRL, whole");
                assertArrayEquals(deltaBefore, Files.readAllBytes(crlFiles.resolve("demo-issuing-ca-delta.crl")), "the previous delta CRL, whole");
                try (Stream<Path> files = Files.list(crlFiles)) {
                    assertEquals(Set.of("demo-root-ca.crl", "demo-root-ca-delta.crl", "demo-issuing-ca.crl", "demo-issuing-ca-delta.crl"),
                            files.map(file -> file.getFileName().toString()).collect(Collectors.toSet()), "nothing half-written beside the CRLs");
                }
                try (LDAPConnection client = new LDAPConnection("127.0.0.1", URI.create(service.ldapUrl()).getPort())) {
                    client.searchForEntry("dc=example,dc=com", SearchScope.SUB, Filter.createEqualityFilter("mail", "carol@example.com"));
                    fail("a lookup in the directory whose write failed was answered");
                } catch (LDAPException refused) {
                    assertEquals(ResultCode.UNAVAILABLE, refused.getResultCode(), refused.getMessage());
                    assertTrue(refused.getDiagnosticMessage().endsWith(": the directory is unavailable: its partition threw java.io.IOException: "
                            + "No space left on device; it is being rebuilt from the registry, try again later"), refused.getDiagnosticMessage());
                }
                // Long enough for several retries of each: 1, 2, 4 and 8 s.
                Thread.sleep(16_000);
                root.detachAppender(log);
                Files.delete(mount.resolve("filler"));

                Map<String, Long> lines = log.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                        .collect(Collectors.groupingBy(event -> event.getLoggerName().substring(event.getLoggerName().lastIndexOf('.') + 1)
                                + (event.getFormattedMessage().startsWith("CRL point ") ? " " + event.getFormattedMessage().split(" ")[2] : ""),
                                TreeMap::new, Collectors.counting()));
                // One line per part that failed, however many retries: the point, the directory's partition, its publication
                // queue, and its repair, which waits for free space.
                assertEquals(Map.of("CrlPublisher files", 1L, "CrlPublisher directory", 1L, "FailStopPartition", 1L, "PublicationWorker", 1L,
                        "DirectoryRepair", 1L), lines, log.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n")));

                // Without a restart: every point lists both revocations, and the directory matches the registry again.
                String password = Files.readString(data.resolve("ldap-admin.password")).strip();
                DirectoryComparison comparison = new DirectoryComparison(service.registry(), config.ldap().dit(), true);
                String http = service.publicUrl() + "/crl/demo-issuing-ca.crl";
                Set<BigInteger> both = new TreeSet<>(List.of(alice, bob));
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                String state;
                while (true) {
                    state = catchUp(service, password, comparison, crlFiles.resolve("demo-issuing-ca.crl"), http, both);
                    if (state == null) {
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        fail("not caught up 3 minutes after space was freed: " + state);
                    }
                    Thread.sleep(500);
                }
                JsonObject freed = awaitHealth(service, health -> "ok".equals(health.getString("status")));
                assertEquals("ok", freed.getJsonObject("crl").getString("status"), freed.encodePrettily());
            }

        } finally {
            root.detachAppender(log);
            unmount(mount);
        }
    }

    /** Null once every point holds a full CRL listing {@code revoked} and the directory matches the registry; else what is missing. */
    private static String catchUp(Service service, String password, DirectoryComparison comparison, Path crlFile, String httpCrl,
                                  Set<BigInteger> revoked) throws Exception {
        Set<BigInteger> inFile = listed(Files.readAllBytes(crlFile));
        if (!inFile.containsAll(revoked)) {
            return "the CRL file lists " + inFile;
        }
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(httpCrl)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200 || !listed(response.body()).containsAll(revoked)) {
            return "GET " + httpCrl + " answers " + response.statusCode();
        }
        try (LDAPConnection account = new LDAPConnection(Service.directoryConnectionOptions(), "127.0.0.1", URI.create(service.ldapUrl()).getPort(),
                EmbeddedDirectory.SERVICE_ACCOUNT, password)) {
            List<String> differences = comparison.differences(account, java.time.Instant.now());
            return differences.isEmpty() ? null : "the directory differs from the registry: " + differences;
        } catch (LDAPException e) {
            return "the directory: " + e.getMessage();
        }
    }

    private static Set<BigInteger> listed(byte[] der) throws Exception {
        X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new java.io.ByteArrayInputStream(der));
        Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
        return entries == null ? Set.of() : entries.stream().map(X509CRLEntry::getSerialNumber).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Revokes the demo user's encryption certificate (keyCompromise); returns its serial. */
    private static BigInteger revokeEncryption(AdminHttp admin, String mail) throws Exception {
        String serial = admin.get("/admin/certificates?mail=" + mail + "&status=valid").body().getJsonArray("certificates").stream()
                .map(JsonObject.class::cast).filter(c -> "encryption".equals(c.getString("usage"))).findFirst().orElseThrow().getString("serial");
        AdminHttp.Answer answer = admin.post("/admin/certificates/demo-issuing-ca/" + serial + "/revoke", new JsonObject().put("reason", "keyCompromise"));
        assertEquals(200, answer.status(), answer.body().encode());
        return new BigInteger(serial, 16);
    }

    /** The issuing CA's entry of {@code point} in the CRL part of /health. */
    private static JsonObject point(JsonObject health, String point) {
        return health.getJsonObject("crl").getJsonArray("points").stream().map(JsonObject.class::cast)
                .filter(entry -> entry.getString("ca").equals("demo-issuing-ca") && entry.getString("point").equals(point)).findFirst().orElseThrow();
    }

    private static JsonObject awaitHealth(Service service, Predicate<JsonObject> wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        JsonObject health = health(service);
        while (!wanted.test(health)) {
            if (System.nanoTime() > deadline) {
                fail("/health did not come to what the test waits for within 2 minutes: " + health.encodePrettily());
            }
            Thread.sleep(250);
            health = health(service);
        }
        return health;
    }

    private static JsonObject health(Service service) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.publicUrl() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body());
    }
}
