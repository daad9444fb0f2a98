package org.certdir.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real nginx with its WebDAV module taking PUTs under /crl/ with basic authentication, on a port of 127.0.0.1. */
final class Nginx implements AutoCloseable {

    private final Path directory;
    private final int port;
    private Process process;

    Nginx(Path directory, int port, String user, String password) throws IOException {
        this.directory = directory;
        this.port = port;
        Files.createDirectories(directory.resolve("www/crl"));
        Files.createDirectories(directory.resolve("body"));
        Files.writeString(directory.resolve("htpasswd"), user + ":{PLAIN}" + password + "\n");
        boolean root = "root".equals(System.getProperty("user.name"));
        Files.writeString(directory.resolve("nginx.conf"), """
                %s
                worker_processes 1;
                error_log %s/error.log;
                pid %s/nginx.pid;
                events { worker_connections 64; }
                http {
                  client_body_temp_path %s/body;
                  access_log %s/access.log;
                  server {
                    listen 127.0.0.1:%d;
                    location /crl/ {
                      root %s/www;
                      dav_methods PUT;
                      create_full_put_path on;
                      dav_access user:rw group:r all:r;
                      client_max_body_size 512m;
                      limit_except GET HEAD {
                        auth_basic "crl";
                        auth_basic_user_file %s/htpasswd;
                      }
                    }
                  }
                }
                """.formatted(root ? "user root;" : "", directory, directory, directory, directory, port, directory, directory));
    }

    void start() throws Exception {
        process = new ProcessBuilder("nginx", "-p", directory.toString(), "-c", directory.resolve("nginx.conf").toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(directory.resolve("stdout.log").toFile()).start();
        TestServices.awaitListening(process, port, "nginx", directory.resolve("stdout.log"), directory.resolve("error.log"));
    }

    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    Path received(String file) {
        return directory.resolve("www/crl").resolve(file);
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
