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

    /** Writes 8 KB of random bytes at each 32nd of the partition's file. */
    static void corruptEverywhere(Path instance) throws Exception {
        Path file = instance.resolve("partitions/certdir/certdir.db");
        long size = Files.size(file);
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            for (long at = size / 32; at < size; at += size / 32) {
                byte[] junk = new byte[8192];
                new Random(at).nextBytes(junk);
                out.seek(at);
                out.write(junk);
            }
        }
    }

    private static com.unboundid.ldap.sdk.Entry person(int i, int certificateBytes) {
        String mail = "user" + i + "@example.com";
        return new com.unboundid.ldap.sdk.Entry(DIT.person(mail).toString(),
                new com.unboundid.ldap.sdk.Attribute("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson"),
                new com.unboundid.ldap.sdk.Attribute("cn", "User " + i), new com.unboundid.ldap.sdk.Attribute("sn", "User"),
                new com.unboundid.ldap.sdk.Attribute("uid", mail), new com.unboundid.ldap.sdk.Attribute("mail", mail),
                new com.unboundid.ldap.sdk.Attribute("userCertificate;binary", new byte[certificateBytes]));
    }

    /** Looks everyone up by mail; returns how many were found (failures, disconnections included, count as not found). */
    private static int lookUp(int port, int people) throws Exception {
        int found = 0;
        LDAPConnection connection = new LDAPConnection("127.0.0.1", port);
        try {
            for (int i = 0; i < people; i++) {
                try {
                    found += connection.search(DIT.people().toString(), com.unboundid.ldap.sdk.SearchScope.SUB,
                            com.unboundid.ldap.sdk.Filter.createEqualityFilter("mail", "user" + i + "@example.com"), "userCertificate;binary")
                            .getEntryCount();
                } catch (com.unboundid.ldap.sdk.LDAPException e) {
                    connection.close();
                    connection = new LDAPConnection("127.0.0.1", port);
                }
            }
        } finally {
            connection.close();
        }
        return found;
    }

    @Test
    void partitionDamagedWhileRunning_isReported_andRebuiltWithTheListenersClosed() throws Exception {
        // A small entry cache, so that lookups read the file.
        try (EmbeddedDirectory directory = EmbeddedDirectory.start(new DirectorySettings(instance(), DIT, "127.0.0.1", 0, 0, null, null, PASSWORD,
                100, Duration.ofSeconds(10), 1 << 20, 2, 10))) {
            int port = directory.ldapPort();
            try (LDAPConnection service = new LDAPConnection("127.0.0.1", port, EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
                new DirectoryPublisher(service, DIT).ensureLayout();
                for (int i = 0; i < 400; i++) {
                    service.add(person(i, 3000));
                }
            }
            assertEquals(400, lookUp(port, 400));
            assertNull(directory.probe(Duration.ofSeconds(3)));

            corruptEverywhere(instance());
            assertTrue(lookUp(port, 400) < 400, "lookups fail on the damaged file");
            assertTrue(directory.partitionFailure().startsWith("java.lang.Error: ERR_5"), directory.partitionFailure());
            String problem = directory.probe(Duration.ofSeconds(3));
            assertTrue(problem.startsWith("failing: its partition threw java.lang.Error: ERR_5"), problem);

            boolean[] refusedMeanwhile = {false};
            Path damaged = directory.rebuild(fillPort -> {
                try {
                    try (Socket ignored = new Socket("127.0.0.1", port)) {
                        // connected: the public port was open during the rebuild
                    } catch (java.io.IOException refused) {
                        refusedMeanwhile[0] = true;
                    }
                    assertEquals("being rebuilt from the registry after damage: its LDAP ports are closed until it is done",
                            directory.probe(Duration.ofSeconds(3)));
                    try (LDAPConnection service = new LDAPConnection("127.0.0.1", fillPort, EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
                        new DirectoryPublisher(service, DIT).ensureLayout();
                        for (int i = 0; i < 20; i++) {
                            service.add(person(i, 100));
                        }
                    }
                } catch (com.unboundid.ldap.sdk.LDAPException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(refusedMeanwhile[0], "lookups are refused during the rebuild: the port is closed");
            assertTrue(Files.exists(damaged.resolve("partitions/certdir/certdir.db")));
            assertEquals(port, directory.ldapPort(), "the same port again");
            assertNull(directory.partitionFailure());
            assertNull(directory.probe(Duration.ofSeconds(3)));
            assertEquals(20, lookUp(port, 20));
        }
    }

    /**
     * Writes 8 KB of random bytes at the start and in the middle of the partition's JDBM file, as a failing disk or a
     * stray write would. Garbage in the middle alone goes unnoticed at start when no start-up read touches it (then the
     * first lookup that does reports it, see the test below); the start holds the file's header.
     */
    static void corrupt(Path instance) throws Exception {
        Path file = instance.resolve("partitions/certdir/certdir.db");
        long size = Files.size(file);
        byte[] junk = new byte[8192];
        new Random(3).nextBytes(junk);
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.seek(0);
            out.write(junk);
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
