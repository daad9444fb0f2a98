package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchScope;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.certdir.directory.embedded.EmbeddedDirectory;
import org.certdir.ops.config.ServiceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start finds no directory layout and republishes the registry; certdir is killed (kill -9) in the middle of it. The
 * layout, written first, is there at the next start, which used to take the directory for complete and serve the part
 * that was written. It must finish the republication instead: afterwards the directory matches the registry.
 */
class RepublishCrashIT {

    /** Enough that the republication (~150 entries a second) is still under way when the test kills it. */
    private static final int PEOPLE = 1500;
    private static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path work;

    @Test
    void republicationKilledPartway_isFinishedAtTheNextStart() throws Exception {
        TestServices.ProcessConfig ports = TestServices.processConfig(work.resolve("certdir.conf"), "");
        Path data = work.resolve("data");
        String[] demo = {"demo", "--data", data.toString(), "--config", ports.file().toString()};
        String publicUrl = "http://127.0.0.1:" + ports.http();

        try (CertdirProcess service = CertdirProcess.start(demo)) {
            service.awaitOutput("Stop with Ctrl-C.", START);
            BulkPeople.importAndPublish(AdminHttp.of(ports.adminUrl(), data.resolve("admin.token")), publicUrl, data, PEOPLE);
            service.terminate();
            assertEquals(143, service.awaitExit(Duration.ofSeconds(60)), "exit code after SIGTERM");
        }
        // A new or wiped directory: the next start republishes all of the registry into it.
        try (Stream<Path> instance = Files.walk(data.resolve("directory"))) {
            for (Path path : instance.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
        String password = Files.readString(data.resolve("ldap-admin.password")).strip();
        int atKill;
        try (CertdirProcess service = CertdirProcess.start(demo)) {
            atKill = awaitPeople(service, ports.ldap(), password, 100);
            service.kill();
        }
        assertTrue(atKill < PEOPLE, "killed while the republication was under way: " + atKill + " of " + PEOPLE + " people written");

        try (CertdirProcess service = CertdirProcess.start(demo)) {
            service.awaitOutput("Stop with Ctrl-C.", Duration.ofMinutes(5));
            service.terminate();
            assertEquals(143, service.awaitExit(Duration.ofSeconds(60)), "exit code after SIGTERM");
        }
        // What the restart left, read by a service in this JVM (which republishes nothing itself: the layout is there).
        ServiceConfig config = TestServices.config(data, 100);
        try (Service service = Service.start(config, true, Clock.systemUTC());
             LDAPConnection account = new LDAPConnection(Service.directoryConnectionOptions(), "127.0.0.1", URI.create(service.ldapUrl()).getPort(),
                     EmbeddedDirectory.SERVICE_ACCOUNT, password)) {
            DirectoryComparison comparison = new DirectoryComparison(service.registry(), config.ldap().dit(), true);
            // The CRLs reach the CA entries from the CRL publisher, which sends them again at every start: wait for it.
            List<String> differences = comparison.differences(account, Instant.now());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!differences.isEmpty() && differences.stream().allMatch(difference -> difference.contains("RevocationList"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
                differences = comparison.differences(account, Instant.now());
            }
            assertEquals(List.of(), differences.size() > 20 ? List.of(differences.size() + " differences, the first: " + differences.subList(0, 20))
                    : differences, "the directory after the restart, against the registry");
        }
    }

    /** Waits until the directory holds at least {@code enough} people; returns how many it held then. */
    private static int awaitPeople(CertdirProcess service, int port, String password, int enough) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (service.out().stream().anyMatch(line -> line.contains("Stop with Ctrl-C."))) {
                fail("the republication finished before the test could kill it: make PEOPLE larger");
            }
            try (LDAPConnection account = new LDAPConnection("127.0.0.1", port, EmbeddedDirectory.SERVICE_ACCOUNT, password)) {
                int people = account.search("ou=people,dc=example,dc=com", SearchScope.ONE, "(objectClass=*)", "1.1").getEntryCount();
                if (people >= enough) {
                    return people;
                }
            } catch (LDAPException notYet) {
                // not listening yet, or no ou=people yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the directory did not get " + enough + " people within " + START + "\nstdout: " + service.out()
                + "\nstderr: " + service.err());
    }
}
