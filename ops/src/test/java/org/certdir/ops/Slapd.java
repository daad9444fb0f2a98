package org.certdir.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real OpenLDAP slapd (mdb backend, the Debian schema files) on a port of 127.0.0.1, holding an empty suffix,
 * as an organisation's own directory would before certdir publishes into it.
 */
final class Slapd implements AutoCloseable {

    static final String SUFFIX = "dc=partner,dc=test";
    static final String ADMIN = "cn=admin," + SUFFIX;

    private final Path directory;
    private final int port;
    private Process process;

    Slapd(Path directory, int port, String password) throws IOException {
        this.directory = directory;
        this.port = port;
        Files.createDirectories(directory.resolve("db"));
        String modules = Files.isDirectory(Path.of("/usr/lib/ldap")) ? "modulepath /usr/lib/ldap\nmoduleload back_mdb\n" : "";
        Files.writeString(directory.resolve("slapd.conf"), """
                include /etc/ldap/schema/core.schema
                include /etc/ldap/schema/cosine.schema
                include /etc/ldap/schema/inetorgperson.schema
                pidfile %s/slapd.pid
                %s
                database mdb
                suffix "%s"
                rootdn "%s"
                rootpw %s
                directory %s/db
                index objectClass eq
                """.formatted(directory, modules, SUFFIX, ADMIN, password, directory));
    }

    void start() throws Exception {
        process = new ProcessBuilder("slapd", "-f", directory.resolve("slapd.conf").toString(), "-h", url(), "-d", "0")
                .redirectErrorStream(true).redirectOutput(directory.resolve("slapd.log").toFile()).start();
        TestServices.awaitListening(process, port, "slapd", directory.resolve("slapd.log"));
    }

    long pid() {
        return process.pid();
    }

    String url() {
        return "ldap://127.0.0.1:" + port + "/";
    }

    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
