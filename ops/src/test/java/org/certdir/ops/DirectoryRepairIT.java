package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.vertx.core.json.JsonObject;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.certdir.ops.config.ServiceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged directory partition is rebuilt from the registry at start; /health notices a directory that does not answer. */
class DirectoryRepairIT {

    @TempDir
    Path data;

    private static JsonObject health(Service service) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(service.publicUrl() + "/health")).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body()).put("httpStatus", response.statusCode());
    }

    @Test
    void garbageInThePartition_isMovedAside_andThePeopleArePublishedAgain() throws Exception {
        ServiceConfig config = TestServices.config(data, 100);
        try (Service service = Service.start(config, true, Clock.systemUTC())) {
            assertEquals("ok", health(service).getJsonObject("directory").getString("status"));
        }
        Path partition = data.resolve("directory/partitions/certdir/certdir.db");
        byte[] junk = new byte[8192];
        new Random(3).nextBytes(junk);
        try (RandomAccessFile out = new RandomAccessFile(partition.toFile(), "rw")) {
            // The file's header and its middle: garbage only where no start-up read goes is found by the first lookup.
            out.seek(0);
            out.write(junk);
            out.seek(Files.size(partition) / 2);
            out.write(junk);
        }

        try (Service service = Service.start(config, true, Clock.systemUTC())) {
            JsonObject health = health(service);
            assertEquals("ok", health.getJsonObject("directory").getString("status"), health.encodePrettily());
            assertTrue(health.getJsonObject("directory").getString("rebuiltAtStart").startsWith("the damaged instance was moved to directory.damaged-"),
                    health.encodePrettily());
            try (var siblings = Files.list(data)) {
                assertEquals(1, siblings.filter(p -> p.getFileName().toString().startsWith("directory.damaged-")).count());
            }
            try (LDAPConnection ldap = new LDAPConnection("127.0.0.1", URI.create(service.ldapUrl()).getPort())) {
                for (String mail : List.of("alice@example.com", "bob@example.com", "carol@example.com")) {
                    SearchResultEntry entry = ldap.searchForEntry("dc=example,dc=com", SearchScope.SUB, Filter.createEqualityFilter("mail", mail),
                            "userCertificate;binary");
                    assertNotNull(entry, mail);
                    assertNotNull(entry.getAttributeValueBytes("userCertificate;binary"), mail);
                }
            }
        }
    }

    @Test
    void directoryThatDoesNotAnswer_isDownInHealth_withinSeconds() throws Exception {
        try (Service service = Service.start(TestServices.config(data, 100), true, Clock.systemUTC())) {
            assertEquals("ok", health(service).getJsonObject("directory").getString("status"));
            int port = URI.create(service.ldapUrl()).getPort();
            service.directory().suspendListeners();
            // On the directory's port now: a server that accepts connections and never answers, as ApacheDS did
            // once its I/O threads had died.
            List<Socket> accepted = new ArrayList<>();
            try (ServerSocket silent = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
                Thread acceptor = new Thread(() -> {
                    try {
                        while (true) {
                            accepted.add(silent.accept());
                        }
                    } catch (java.io.IOException closed) {
                        // the test is over
                    }
                });
                acceptor.setDaemon(true);
                acceptor.start();
                long started = System.nanoTime();
                JsonObject health = health(service);
                long took = (System.nanoTime() - started) / 1_000_000;
                assertEquals(503, health.getInteger("httpStatus"), health.encodePrettily());
                assertEquals("down", health.getJsonObject("directory").getString("status"));
                assertEquals("the directory is not answering within 3000 ms", health.getJsonObject("directory").getString("error"));
                assertTrue(took < 6_000, "/health took " + took + " ms");
            } finally {
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }
}
