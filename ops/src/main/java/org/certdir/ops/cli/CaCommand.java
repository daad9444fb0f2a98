package org.certdir.ops.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code certdir ca list}: the CAs the registry knows and their short names. */
@Command(name = "ca", mixinStandardHelpOptions = true, description = "The CAs in the registry.", subcommands = CaCommand.ListCas.class)
final class CaCommand implements Runnable {

    @ParentCommand
    CertdirCommand parent;

    @Override
    public void run() {
        parent.out.println("certdir ca: give a subcommand: list");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the CAs: short name (used in URLs and commands), managed or published only, subject.")
    static final class ListCas implements Callable<Integer> {

        @ParentCommand
        CaCommand parent;

        @Mixin
        AdminConnection admin;

        @Override
        public Integer call() {
            JsonArray cas = admin.client().get("/admin/cas").getJsonArray("cas");
            var out = parent.parent.out;
            out.printf("%-24s %-10s %-12s %s%n", "NAME", "KEY", "NOT AFTER", "SUBJECT");
            for (int i = 0; i < cas.size(); i++) {
                JsonObject ca = cas.getJsonObject(i);
                out.printf("%-24s %-10s %-12s %s%n", ca.getString("name"), ca.getBoolean("managed") ? "managed" : "external",
                        ca.getString("notAfter").substring(0, 10), ca.getString("subject"));
            }
            return 0;
        }
    }
}
