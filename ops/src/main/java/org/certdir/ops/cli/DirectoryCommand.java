package org.certdir.ops.cli;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code certdir directory ...}: operations on the directory publication. */
@Command(name = "directory", mixinStandardHelpOptions = true,
        description = "Operations on the directory publication of the registry.",
        subcommands = DirectoryCommand.Republish.class)
final class DirectoryCommand implements Runnable {

    @ParentCommand
    CertdirCommand parent;

    @Override
    public void run() {
        parent.out.println("certdir directory: give a subcommand, e.g. 'certdir directory republish'");
    }

    @Command(name = "republish", mixinStandardHelpOptions = true,
            description = {"Rebuild the whole directory publication (CAs, people and their encryption certificates) from the registry.",
                    "Asks the running service through its admin API."})
    static final class Republish implements Callable<Integer> {

        @ParentCommand
        DirectoryCommand parent;

        @Mixin
        AdminConnection admin;

        @Override
        public Integer call() {
            JsonObject result = admin.client().post("/admin/directory/republish");
            parent.parent.out.printf("republished %d CA(s) and %d people in %d ms%n",
                    result.getInteger("cas"), result.getInteger("people"), result.getLong("millis"));
            io.vertx.core.json.JsonArray refused = result.getJsonArray("refused", new io.vertx.core.json.JsonArray());
            for (int i = 0; i < refused.size(); i++) {
                JsonObject one = refused.getJsonObject(i);
                parent.parent.out.printf("the directory refused %s %s (skipped, the others are published): %s%n",
                        one.getString("topic"), one.getString("subject"), one.getString("error"));
            }
            // The republication itself succeeded; the refused records are in /health until they are fixed.
            return 0;
        }
    }
}
