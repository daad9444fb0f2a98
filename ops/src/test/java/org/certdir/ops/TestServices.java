package org.certdir.ops;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.certdir.ops.config.ServiceConfig;

/** Configurations for services started by tests: every listener on a free port of 127.0.0.1. */
final class TestServices {

    private TestServices() {
    }

    static ServiceConfig config(Path data, int sizeLimit) {
        ServiceConfig defaults = ServiceConfig.defaults();
        ServiceConfig.Ldap ldap = defaults.ldap();
        return new ServiceConfig(data,
                new ServiceConfig.Ldap("127.0.0.1", freePort(), freePort(), ldap.dit(), sizeLimit, Duration.ofSeconds(10),
                        ldap.maxPduSize(), 2, 1000),
                new ServiceConfig.Http("127.0.0.1", freePort(), defaults.http().baseUrl(), defaults.http().maxConnectionsPerAddress()),
                new ServiceConfig.Admin("127.0.0.1", freePort()),
                defaults.crl(),
                defaults.demo(),
                defaults.ocsp(),
                defaults.trust());
    }

    /**
     * As {@link #config}, with {@code certdir.http.base-url} on the public listener's own port: the URLs certdir writes
     * into the certificates it issues (CRL distribution points, AIA, OCSP) reach this service, for clients that follow them.
     */
    static ServiceConfig reachableConfig(Path data) {
        ServiceConfig config = config(data, 100);
        ServiceConfig.Http http = config.http();
        return new ServiceConfig(config.data(), config.ldap(),
                new ServiceConfig.Http(http.host(), http.port(), "http://127.0.0.1:" + http.port(), http.maxConnectionsPerAddress()),
                config.admin(), config.crl(), config.demo(), config.ocsp(), config.trust(), config.health());
    }

    /** The listeners of a certdir process a test starts, and the configuration file that sets them. */
    record ProcessConfig(int ldap, int ldaps, int http, int admin, Path file) {
        String adminUrl() {
            return "http://127.0.0.1:" + admin;
        }
    }

    /** Writes {@code file}: every listener of a certdir process on a free port, then {@code extra} settings (HOCON lines). */
    static ProcessConfig processConfig(Path file, String extra) throws IOException {
        ProcessConfig config = new ProcessConfig(freePort(), freePort(), freePort(), freePort(), file);
        java.nio.file.Files.writeString(file, """
                certdir.ldap.port = %d
                certdir.ldap.ldaps-port = %d
                certdir.http.port = %d
                certdir.admin.port = %d
                """.formatted(config.ldap(), config.ldaps(), config.http(), config.admin()) + extra);
        return config;
    }

    /** Ports handed out already: the OS may offer a port again that an earlier test still holds or just released. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new IllegalStateException("no free port on this machine", e);
            }
        }
        throw new IllegalStateException("no port that was not handed out before");
    }

    /** Waits up to 10 s for a server {@code process} to accept connections on {@code port}; fails with its logs if it exits. */
    static void awaitListening(Process process, int port, String what, java.nio.file.Path... logs) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                new java.net.Socket("127.0.0.1", port).close();
                return;
            } catch (java.io.IOException notYet) {
                if (!process.isAlive()) {
                    StringBuilder text = new StringBuilder(what + " exited:");
                    for (java.nio.file.Path log : logs) {
                        if (java.nio.file.Files.exists(log)) {
                            text.append('\n').append(java.nio.file.Files.readString(log));
                        }
                    }
                    throw new IllegalStateException(text.toString());
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException(what + " did not listen on port " + port);
    }

    /** Deletes {@code root} and everything under it. */
    static void deleteTree(Path root) throws IOException {
        java.nio.file.Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attributes) throws IOException {
                java.nio.file.Files.delete(file);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                java.nio.file.Files.delete(dir);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
    }
}
