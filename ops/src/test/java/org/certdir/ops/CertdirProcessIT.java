package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** certdir as a separate process: start-up output, the data directory lock, ports in use, SIGTERM, restart. */
class CertdirProcessIT {

    private static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path work;

    private record Ports(int ldap, int ldaps, int http, int admin) {
        static Ports free() {
            return new Ports(TestServices.freePort(), TestServices.freePort(), TestServices.freePort(), TestServices.freePort());
        }
    }

    private Path config(Ports ports) throws Exception {
        Path file = work.resolve("certdir-" + ports.ldap() + ".conf");
        Files.writeString(file, """
                certdir.ldap.port = %d
                certdir.ldap.ldaps-port = %d
                certdir.http.port = %d
                certdir.admin.port = %d
                """.formatted(ports.ldap(), ports.ldaps(), ports.http(), ports.admin()));
        return file;
    }

    @Test
    void demo_isLocked_holdsItsPorts_stopsOnSigterm_andRestartKeepsData() throws Exception {
        Ports ports = Ports.free();
        Path config = config(ports);
        Path data = work.resolve("data");
        byte[] aliceBefore;
        try (CertdirProcess demo = CertdirProcess.start("demo", "--data", data.toString(), "--config", config.toString())) {
            demo.awaitOutput("Stop with Ctrl-C.", START);
            assertTrue(demo.out().contains("Demo PKI created in " + data.toRealPath().resolve("demo") + " (README.txt there lists more to try)."), demo.out().toString());
            String ldapsearch = "  ldapsearch -x -H ldap://127.0.0.1:" + ports.ldap()
                    + " -b dc=example,dc=com '(mail=alice@example.com)' 'userCertificate;binary'";
            assertTrue(demo.out().contains(ldapsearch), demo.out().toString());
            aliceBefore = aliceCertificate(ports.ldap());
            assertArrayEquals(KeyFiles.readPem(data.resolve("demo/alice-encryption.pem")).get(0).getEncoded(), aliceBefore);

            try (CertdirProcess second = CertdirProcess.start("serve", "--data", data.toString(), "--config", config.toString())) {
                assertEquals(1, second.awaitExit(START));
                Path real = data.toRealPath();
                assertEquals(List.of("certdir: data directory " + real + " is in use by another certdir process (lock on "
                        + real.resolve("certdir.lock") + "): stop that process or use another --data"), second.errorLines());
            }

            try (CertdirProcess clash = CertdirProcess.start("serve", "--data", work.resolve("other").toString(), "--config", config.toString())) {
                assertEquals(1, clash.awaitExit(START));
                assertEquals(List.of("certdir: LDAP port " + ports.ldap() + " on 127.0.0.1 is in use: stop the program using it or set "
                        + "certdir.ldap.port / certdir.ldap.ldaps-port"), clash.errorLines());
            }

            demo.terminate();
            assertEquals(143, demo.awaitExit(Duration.ofSeconds(30)), "exit code after SIGTERM");
            assertTrue(demo.err().stream().anyMatch(line -> line.contains("directory stopped")), demo.err().toString());
        }

        try (CertdirProcess again = CertdirProcess.start("demo", "--data", data.toString(), "--config", config.toString())) {
            again.awaitOutput("Stop with Ctrl-C.", START);
            assertTrue(again.out().contains("Demo PKI in " + data.toRealPath().resolve("demo") + " (README.txt there lists more to try)."), again.out().toString());
            assertArrayEquals(aliceBefore, aliceCertificate(ports.ldap()), "restart keeps the published certificate");
        }
    }

    @Test
    void httpPortInUse_isOneLine() throws Exception {
        Ports ports = Ports.free();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(ports.http(), 1, java.net.InetAddress.getByName("127.0.0.1"));
             CertdirProcess serve = CertdirProcess.start("serve", "--data", work.resolve("data").toString(), "--config", config(ports).toString())) {
            assertTrue(taken.isBound());
            assertEquals(1, serve.awaitExit(START));
            assertEquals(List.of("certdir: public HTTP port " + ports.http() + " on 127.0.0.1 is in use: stop the program using it or set certdir.http.port"),
                    serve.errorLines());
        }
    }

    private static byte[] aliceCertificate(int port) throws Exception {
        try (LDAPConnection ldap = new LDAPConnection("127.0.0.1", port)) {
            SearchResultEntry alice = ldap.searchForEntry("dc=example,dc=com", SearchScope.SUB,
                    Filter.createEqualityFilter("mail", "alice@example.com"), "userCertificate;binary");
            return alice.getAttributeValueBytes("userCertificate;binary");
        }
    }
}
