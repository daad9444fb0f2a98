package org.certdir.ops.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.certdir.ops.CliFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code certdir trust add|remove|list}: the partner CAs on the trust list. */
@Command(name = "trust", mixinStandardHelpOptions = true, description = "The trust list: partner CAs published to the directory and as a signed list.",
        subcommands = {TrustCommand.Add.class, TrustCommand.Remove.class, TrustCommand.ListTrusted.class})
final class TrustCommand implements Runnable {

    @ParentCommand
    CertdirCommand parent;

    @Override
    public void run() {
        parent.out.println("certdir trust: give a subcommand: add, remove, list");
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Trust a partner CA: its certificate (PEM, DER or PKCS#7 with one certificate).")
    static final class Add implements Callable<Integer> {

        @ParentCommand
        TrustCommand parent;

        @Mixin
        AdminConnection admin;

        @Parameters(index = "0", paramLabel = "FILE", description = "The partner CA's certificate.")
        Path file;

        @Option(names = "--name", required = true, description = "A short name for it (a-z, 0-9, '-'), used to remove it.")
        String name;

        @Override
        public Integer call() {
            byte[] certificate;
            try {
                certificate = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new CliFailure("cannot read " + file + " (" + e.getClass().getSimpleName() + "): give the path of the partner CA's certificate");
            }
            JsonObject added = admin.client().post(AdminClient.query("/admin/trust", "name", name), certificate);
            parent.parent.out.printf("trusted %s as %s (sha256 %s)%n", added.getString("subject"), added.getString("name"), added.getString("sha256"));
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Take a partner CA off the trust list.")
    static final class Remove implements Callable<Integer> {

        @ParentCommand
        TrustCommand parent;

        @Mixin
        AdminConnection admin;

        @Parameters(index = "0", paramLabel = "NAME", description = "The name it was added under ('certdir trust list').")
        String name;

        @Override
        public Integer call() {
            JsonObject removed = admin.client().delete("/admin/trust/" + AdminClient.segment(name));
            parent.parent.out.printf("removed %s (%s) from the trust list%n", removed.getString("name"), removed.getString("subject"));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the trusted partner CAs.")
    static final class ListTrusted implements Callable<Integer> {

        @ParentCommand
        TrustCommand parent;

        @Mixin
        AdminConnection admin;

        @Override
        public Integer call() {
            JsonObject list = admin.client().get("/admin/trust");
            JsonArray cas = list.getJsonArray("cas");
            var out = parent.parent.out;
            out.printf("trust list sequence %d, %d CA(s)%n", list.getLong("sequence"), cas.size());
            out.printf("%-24s %-12s %s%n", "NAME", "NOT AFTER", "SUBJECT");
            for (int i = 0; i < cas.size(); i++) {
                JsonObject ca = cas.getJsonObject(i);
                out.printf("%-24s %-12s %s%n", ca.getString("name"), ca.getString("notAfter").substring(0, 10), ca.getString("subject"));
            }
            return 0;
        }
    }
}
