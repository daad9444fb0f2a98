package org.certdir.ops.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code certdir crl publish | status}: the CRLs of the managed CAs and where they are published. */
@Command(name = "crl", mixinStandardHelpOptions = true, description = "Issue CRLs now and show every CA's CRLs at every distribution point.",
        subcommands = {CrlCommand.Publish.class, CrlCommand.Status.class})
final class CrlCommand implements Runnable {

    @ParentCommand
    CertdirCommand parent;

    @Override
    public void run() {
        parent.out.println("certdir crl: give a subcommand: publish or status");
    }

    @Command(name = "publish", mixinStandardHelpOptions = true, description = "Issue a full CRL now (for one CA or every managed CA) and send it to every point.")
    static final class Publish implements Callable<Integer> {

        @ParentCommand
        CrlCommand parent;

        @Mixin
        AdminConnection admin;

        @Option(names = "--ca", paramLabel = "NAME", description = "Only this CA. Default: every CA certdir holds a key for.")
        String ca;

        @Override
        public Integer call() {
            JsonArray crls = admin.client().post(AdminClient.query("/admin/crl/publish", "ca", ca)).getJsonArray("crls");
            for (int i = 0; i < crls.size(); i++) {
                JsonObject crl = crls.getJsonObject(i);
                parent.parent.out.printf("%s: CRL number %d, %d entries, next update %s%n", crl.getString("ca"), crl.getLong("number"),
                        crl.getInteger("entries"), crl.getString("nextUpdate"));
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Every managed CA's newest CRLs and what each distribution point holds.")
    static final class Status implements Callable<Integer> {

        @ParentCommand
        CrlCommand parent;

        @Mixin
        AdminConnection admin;

        @Override
        public Integer call() {
            var out = parent.parent.out;
            JsonArray cas = admin.client().get("/admin/crl/status").getJsonArray("cas");
            for (int i = 0; i < cas.size(); i++) {
                JsonObject ca = cas.getJsonObject(i);
                JsonObject full = ca.getJsonObject("full");
                JsonObject delta = ca.getJsonObject("delta");
                out.printf("%s%n", ca.getString("ca"));
                out.printf("  full   %s%n", full == null ? "none yet" : "number " + full.getLong("number") + ", " + full.getInteger("entries")
                        + " entries, this update " + full.getString("thisUpdate") + ", next update " + full.getString("nextUpdate"));
                out.printf("  delta  %s%n", delta == null ? "none yet" : "number " + delta.getLong("number") + " on base " + delta.getLong("baseNumber")
                        + ", " + delta.getInteger("entries") + " entries, next update " + delta.getString("nextUpdate"));
                JsonArray points = ca.getJsonArray("points");
                for (int j = 0; j < points.size(); j++) {
                    JsonObject point = points.getJsonObject(j);
                    out.printf("  %-12s full %-6s delta %-6s %s%n", point.getString("point"), String.valueOf(point.getLong("fullNumber")),
                            String.valueOf(point.getLong("deltaNumber")),
                            point.containsKey("lastError") ? "FAILING since " + point.getString("attemptedAt") + ": " + point.getString("lastError")
                                    : point.containsKey("publishedAt") ? "published " + point.getString("publishedAt") : "nothing published yet");
                }
            }
            return 0;
        }
    }
}
