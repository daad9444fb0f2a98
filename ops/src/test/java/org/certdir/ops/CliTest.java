package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CliTest {

    @TempDir
    Path work;

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "demo", "serve", "directory", "directory republish", "trust", "trust add", "trust remove", "trust list", "ca", "ca list",
            "ca create", "ca install", "ca import", "ca renew"})
    void help_isOfferedByEveryCommand(String command) {
        String[] args = (command.isEmpty() ? "--help" : command + " --help").split(" ");
        Result result = run(args);
        assertEquals(0, result.code());
        assertTrue(result.out().startsWith("Usage: certdir" + (command.isEmpty() ? "" : " " + command)), result.out());
    }

    @Test
    void certIssue_intoAFolderThatDoesNotExist_isRefusedBeforeAnythingIsIssued() {
        Path out = work.resolve("missing").resolve("alice.p12");
        // No service listens on port 9: the command must stop before it asks for keys it could not store.
        Result result = run("cert", "issue", "--mail", "alice@example.com", "--name", "Alice", "--out", out.toString(),
                "--url", "http://127.0.0.1:9", "--token-file", work.resolve("token").toString());
        assertEquals(1, result.code());
        assertEquals("certdir: cannot write " + out + ": " + work.resolve("missing") + " is not a writable folder; give another --out\n", result.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nosuch --help", "nosuch"})
    void unknownCommand_isNamed_withExitCode2_evenWithHelp(String command) {
        Result result = run(command.split(" "));
        assertEquals(2, result.code());
        assertEquals("", result.out());
        assertEquals("certdir: unknown command 'nosuch' (see 'certdir --help')\n", result.err());
        Result sub = run("trust", "nosuch", "--help");
        assertEquals(2, sub.code());
        assertEquals("certdir: unknown command 'nosuch' (see 'certdir trust --help')\n", sub.err());
    }

    @Test
    void unknownOption_isOneLine_withExitCode2() {
        Result result = run("serve", "--colour");
        assertEquals(2, result.code());
        assertEquals("certdir: Unknown option: '--colour' (see 'certdir serve --help')\n", result.err());
    }

    @Test
    void brokenConfig_listsEveryProblem_inOneLine() throws Exception {
        Path config = work.resolve("bad.conf");
        Files.writeString(config, "certdir.ldap.port = 70000\ncertdir.ldap.sizelimit = 5\ncertdir.http.base-url = \"ftp://x\"\n");
        Result result = run("serve", "--config", config.toString(), "--data", work.resolve("data").toString());
        assertEquals(1, result.code());
        assertEquals("certdir: config file " + config + ": certdir.ldap.sizelimit is not a certdir setting (line 2; reference.conf lists them all); "
                + "certdir.ldap.port must be a port number between 1 and 65535, was 70000; "
                + "certdir.http.base-url: 'ftp://x' must be an http:// URL with a host (clients fetch CRLs and OCSP over plain HTTP)\n", result.err());
    }

    @Test
    void externalLdapPoint_withoutSuffixOrBindDn_isRefused() throws Exception {
        Path config = work.resolve("points.conf");
        Files.writeString(config, "certdir.crl.points = [ { name = partner, type = ldap, target = \"ldap://ldap.example.org:389\" } ]\n");
        Result noSuffix = run("serve", "--config", config.toString(), "--data", work.resolve("data").toString());
        assertEquals(1, noSuffix.code());
        assertEquals("certdir: config file " + config + ": certdir.crl.points: point partner: target ldap://ldap.example.org:389 needs the "
                + "directory's suffix as its DN, e.g. ldap://ldap.example.org:389/dc=example,dc=com\n", noSuffix.err());

        Files.writeString(config, "certdir.crl.points = [ { name = partner, type = ldap, target = \"ldap://ldap.example.org/dc=example,dc=org\" } ]\n");
        Result noUser = run("serve", "--config", config.toString(), "--data", work.resolve("data").toString());
        assertEquals("certdir: config file " + config + ": certdir.crl.points: point partner: an external directory needs user (the bind DN) "
                + "and password-file\n", noUser.err());
    }

    @Test
    void unparsableConfig_isOneLine() throws Exception {
        Path config = work.resolve("bad.conf");
        Files.writeString(config, "certdir { ldap {\n");
        Result result = run("serve", "--config", config.toString());
        assertEquals(1, result.code());
        assertTrue(result.err().startsWith("certdir: config file " + config + " cannot be parsed: "), result.err());
        assertEquals(1, result.err().lines().count(), result.err());
    }

    @Test
    void dataDirectoryThatCannotBeCreated_isOneLine() throws Exception {
        Path file = Files.writeString(work.resolve("a-file"), "x");
        Result result = run("serve", "--data", file.resolve("data").toString());
        assertEquals(1, result.code());
        assertTrue(result.err().startsWith("certdir: data directory " + file.resolve("data") + " cannot be created ("), result.err());
        assertTrue(result.err().endsWith("): choose another with --data\n"), result.err());
    }

    @Test
    void republish_withoutARunningService_saysSo() throws Exception {
        Files.writeString(work.resolve("token"), "t\n");
        Result result = run("directory", "republish", "--url", "http://127.0.0.1:" + TestServices.freePort(), "--token-file", work.resolve("token").toString());
        assertEquals(1, result.code());
        assertTrue(result.err().startsWith("certdir: no certdir service answers at http://127.0.0.1:"), result.err());
    }
}
