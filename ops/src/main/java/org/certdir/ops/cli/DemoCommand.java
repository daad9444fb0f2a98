package org.certdir.ops.cli;

import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code certdir demo}: serves with a demo PKI, created on the first run and kept afterwards. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the service with a demo PKI: a root and an issuing CA, and alice, bob, carol and mallory",
                "@example.com with encryption and signing certificates (mallory's encryption certificate revoked).",
                "Created on the first run in DATA/demo and DATA/keys, kept on restart."})
final class DemoCommand implements Callable<Integer> {

    @ParentCommand
    CertdirCommand parent;

    @Mixin
    DataOptions options;

    @Override
    public Integer call() {
        return Serving.serve(options.load(), true, parent.out, Clock.systemDefaultZone());
    }
}
