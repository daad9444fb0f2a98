package org.certdir.ops.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.certdir.ops.CliFailure;
import org.certdir.ops.config.ServiceConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the admin API of the running service is and the token to use: by default the admin listener of the
 * configuration and {@code DATA/admin.token}; {@code --url} and {@code --token-file} override both.
 */
final class AdminConnection {

    @Mixin
    DataOptions data;

    @Option(names = "--url", paramLabel = "URL", description = "Admin API base URL. Default: from the configuration (http://127.0.0.1:8081).")
    String url;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the admin bearer token. Default: DATA/admin.token.")
    Path tokenFile;

    AdminClient client() {
        ServiceConfig config = data.load();
        String base = url != null ? url : "http://" + config.admin().host() + ":" + config.admin().port();
        Path file = tokenFile != null ? tokenFile : config.data().resolve("admin.token");
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new CliFailure("cannot read the admin token from " + file + " (" + e.getClass().getSimpleName()
                    + "): give --data of the running service or --token-file");
        }
        return new AdminClient(base, token);
    }
}
