package org.certdir.ops.cli;

import java.nio.file.Path;
import org.certdir.ops.config.ServiceConfig;
import picocli.CommandLine.Option;

/** {@code --config} and {@code --data}, shared by the commands that read the configuration. */
final class DataOptions {

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (HOCON); defaults are documented in reference.conf.")
    Path config;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (registry, directory, keys, secrets). Default: ./data, or certdir.data of the config.")
    Path data;

    ServiceConfig load() {
        ServiceConfig loaded = config == null ? ServiceConfig.defaults() : ServiceConfig.load(config);
        return data == null ? loaded : loaded.withData(data);
    }
}
