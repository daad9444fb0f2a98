package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The admin commands of the CLI against a running service, as an admin types them. */
class AdminCliIT {

    @RegisterExtension
    static final DemoService DEMO = new DemoService();

    @TempDir
    static Path work;

    static Service service;
    static Path data;

    @BeforeAll
    static void start() {
        service = DEMO.service();
        data = DEMO.data();
    }

    private record Result(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private static Result certdir(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", service.adminUrl(), "--token-file", service.data().adminToken().toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private static String serialOf(String pemFile) throws Exception {
        return KeyFiles.readPem(data.resolve("demo").resolve(pemFile)).get(0).getSerialNumber().toString(16);
    }

    @Test
    void caList_showsShortNames() {
        Result result = certdir("ca", "list");
        assertEquals(0, result.code(), result.err());
        assertTrue(result.lines().get(1).startsWith("demo-root-ca             managed    "), result.out());
        assertTrue(result.lines().get(2).startsWith("demo-issuing-ca          managed    "), result.out());
    }

    @Test
    void revoke_thenStatus_byFileAndBySerial() throws Exception {
        String serial = serialOf("carol-signing.pem");
        Result revoke = certdir("revoke", "--ca", "demo-issuing-ca", "--serial", serial, "--reason", "affiliationChanged",
                "--invalidity-date", "2026-11-01");
        assertEquals(0, revoke.code(), revoke.err());
        assertEquals("demo-issuing-ca/" + serial + "  revoked", revoke.lines().get(0));
        assertTrue(revoke.out().contains("  invalid since 2026-11-01T00:00:00Z"), revoke.out());

        Result byFile = certdir("status", "--cert", data.resolve("demo/carol-signing.pem").toString());
        assertEquals(revoke.out(), byFile.out());
        Result bySerial = certdir("status", "--ca", "demo-issuing-ca", "--serial", serial);
        assertEquals(revoke.out(), bySerial.out());

        Result again = certdir("revoke", "--ca", "demo-issuing-ca", "--serial", serial, "--reason", "superseded");
        assertEquals(1, again.code());
        assertTrue(again.err().startsWith("certdir: certificate " + serial + " of CA 'demo-issuing-ca' is already revoked (affiliationChanged, since "),
                again.err());
        assertEquals(1, again.err().lines().count());
    }

    @Test
    void badInput_isOneLine() {
        Result serial = certdir("revoke", "--ca", "demo-issuing-ca", "--serial", "xyz", "--reason", "keyCompromise");
        assertEquals(1, serial.code());
        assertEquals("certdir: serial number 'xyz' is not hexadecimal\n", serial.err());
        Result reason = certdir("hold", "--ca", "demo-issuing-ca");
        assertEquals(2, reason.code());
        assertEquals("certdir: Missing required option: '--serial=HEX' (see 'certdir hold --help')\n", reason.err());
        Result ca = certdir("release", "--ca", "Nope!", "--serial", "1");
        assertEquals("certdir: CA name 'Nope!' must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'\n", ca.err());
    }

    @Test
    void holdAndRelease() throws Exception {
        String serial = serialOf("bob-signing.pem");
        Result hold = certdir("hold", "--ca", "demo-issuing-ca", "--serial", serial);
        assertEquals("demo-issuing-ca/" + serial + "  on-hold", hold.lines().get(0));
        Result release = certdir("release", "--ca", "demo-issuing-ca", "--serial", serial);
        assertEquals("demo-issuing-ca/" + serial + "  valid", release.lines().get(0));
    }

    @Test
    void certIssue_writesTheKeysWithMode0600_andPrintsTheGeneratedPassword() throws Exception {
        Path out = work.resolve("heidi.p12");
        Result issue = certdir("cert", "issue", "--mail", "heidi@example.com", "--name", "Heidi Example", "--out", out.toString());
        assertEquals(0, issue.code(), issue.err());
        assertEquals("issued for heidi@example.com by CA demo-issuing-ca:", issue.lines().get(0));
        String password = issue.lines().get(4).replace("  password    ", "");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(out)) {
            p12.load(in, password.toCharArray());
        }
        assertTrue(p12.isKeyEntry("encryption") && p12.isKeyEntry("signing"));

        Result exists = certdir("cert", "issue", "--mail", "heidi@example.com", "--name", "Heidi Example", "--out", out.toString());
        assertEquals("certdir: " + out + " exists already: give another --out or move it away\n", exists.err());

        Result list = certdir("cert", "list", "--mail", "heidi@example.com");
        assertEquals(4, list.lines().size(), list.out());
        assertEquals("1-2 of 2", list.lines().get(3));
    }

    @Test
    void audit_showsTheActions_butNoSecret() throws Exception {
        Result issue = certdir("cert", "issue", "--mail", "ivan@example.com", "--name", "Ivan Example", "--out", work.resolve("ivan.p12").toString());
        String password = issue.lines().get(4).replace("  password    ", "");
        Result audit = certdir("audit", "--since", "1h");
        assertEquals(0, audit.code(), audit.err());
        assertTrue(audit.out().contains("certdir  ca.create"), audit.out());
        assertTrue(audit.out().contains("admin    certificate.add"), audit.out());
        String token = Files.readString(service.data().adminToken()).strip();
        String passphrase = Files.readString(service.data().keysPassphrase()).strip();
        for (String secret : List.of(token, passphrase, password)) {
            assertTrue(!audit.out().contains(secret), "a secret is in the audit trail");
        }
    }
}
