package org.certdir.ops.cli;

import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code certdir serve}: runs the service until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the service (directory, registry, HTTP listeners) from a configuration file until stopped.")
final class ServeCommand implements Callable<Integer> {

    @ParentCommand
    CertdirCommand parent;

    @Mixin
    DataOptions options;

    @Override
    public Integer call() {
        return Serving.serve(options.load(), false, parent.out, Clock.systemDefaultZone());
    }
}
