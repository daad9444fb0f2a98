package org.certdir.directory.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.sdk.LDAPConnection;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged partition, and a directory that does not answer: what start-up and the probe behind /health make of them. */
class DamagedDirectoryIT {

    private static final Dit DIT = Dit.of("dc=example,dc=com");
    private static final String PASSWORD = "generated-for-test";

    @TempDir
    Path data;

    private Path instance() {
        return data.resolve("directory");
    }

    private EmbeddedDirectory start() {
        return EmbeddedDirectory.start(new DirectorySettings(instance(), DIT, "127.0.0.1", 0, 0, null, null, PASSWORD,
                100, Duration.ofSeconds(10), 1 << 20, 2, 1000));
    }

    /** Writes 8 KB of random bytes into the middle of the partition's JDBM file, as a failing disk or a stray write would. */
    static void corrupt(Path instance) throws Exception {
        Path file = instance.resolve("partitions/certdir/certdir.db");
        long size = Files.size(file);
        byte[] junk = new byte[8192];
        new Random(3).nextBytes(junk);
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.seek(size / 2);
            out.write(junk);
        }
    }

    @Test
    void damagedPartition_isMovedAside_andAnEmptyDirectoryStarts() throws Exception {
        try (EmbeddedDirectory directory = start();
             LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
            new DirectoryPublisher(service, DIT).ensureLayout();
            for (int i = 0; i < 50; i++) {
                new DirectoryPublisher(service, DIT).publishPerson("user" + i + "@example.com", List.of());
            }
            assertNull(directory.damagedInstance());
        }
        corrupt(instance());

        try (EmbeddedDirectory directory = start();
             LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
            Path damaged = directory.damagedInstance();
            assertNotNull(damaged, "the damaged instance was moved aside");
            assertTrue(damaged.getFileName().toString().matches("directory\\.damaged-\\d{8}T\\d{6}Z"), damaged.toString());
            assertTrue(Files.exists(damaged.resolve("partitions/certdir/certdir.db")), "kept for inspection");
            assertFalse(new DirectoryPublisher(service, DIT).layoutPresent(), "a new, empty directory: the service republishes into it");
            assertNull(directory.probe(Duration.ofSeconds(3)));
        }

        // The next start opens the rebuilt instance as it is.
        try (EmbeddedDirectory directory = start()) {
            assertNull(directory.damagedInstance());
        }
    }

    @Test
    void probe_ofADirectoryThatDoesNotAnswer_saysSoWithinItsTimeout() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            long started = System.nanoTime();
            String problem = DirectoryProbe.problem("127.0.0.1", silent.getLocalPort(), DIT.suffix().toString(), Duration.ofSeconds(1));
            long took = (System.nanoTime() - started) / 1_000_000;
            assertEquals("not answering within 1000 ms", problem);
            assertTrue(took < 2_500, "took " + took + " ms");
        } finally {
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void probe_ofAStoppedListener_saysItAcceptsNoConnections() throws Exception {
        try (EmbeddedDirectory directory = start()) {
            assertNull(directory.probe(Duration.ofSeconds(3)));
            directory.suspendListeners();
            String problem = directory.probe(Duration.ofSeconds(3));
            assertTrue(problem != null && problem.startsWith("not accepting connections on 127.0.0.1:" + directory.ldapPort()), problem);
        }
    }
}
