package org.certdir.ops.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import org.certdir.ops.CliFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code certdir crl publish | status}: the CRLs of the managed CAs and where they are published. */
@Command(name = "crl", mixinStandardHelpOptions = true, description = "Issue CRLs now and show every CA's CRLs at every distribution point.",
        subcommands = {CrlCommand.Publish.class, CrlCommand.Status.class, CrlCommand.Mirror.class})
final class CrlCommand implements Runnable {

    @ParentCommand
    CertdirCommand parent;

    @Override
    public void run() {
        parent.out.println("certdir crl: give a subcommand: publish, status or mirror");
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

    /** {@code certdir crl mirror push | fetch | status}: the CRLs of CAs certdir does not hold, taken and published as they are. */
    @Command(name = "mirror", mixinStandardHelpOptions = true,
            description = "Take the CRLs of a CA certdir does not hold (registered by its certificate only): checked, applied to its certificates' "
                    + "statuses and published to every point as they are.",
            subcommands = {Mirror.Push.class, Mirror.Fetch.class, Mirror.Status.class})
    static final class Mirror implements Runnable {

        @ParentCommand
        CrlCommand parent;

        @Override
        public void run() {
            parent.parent.out.println("certdir crl mirror: give a subcommand: push, fetch or status");
        }

        static void print(java.io.PrintWriter out, JsonObject answer) {
            JsonArray results = answer.getJsonArray("results");
            for (int i = 0; i < results.size(); i++) {
                JsonObject result = results.getJsonObject(i);
                out.printf("%s: CRL number %d%s, %d entries%s%n", result.getString("ca"), result.getLong("number"),
                        result.getLong("baseNumber") == null ? "" : " (delta on " + result.getLong("baseNumber") + ")", result.getInteger("entries"),
                        result.getBoolean("unchanged") ? ", mirrored already" : ": " + result.getInteger("revoked") + " revoked, " + result.getInteger("held")
                                + " held, " + result.getInteger("released") + " released, " + result.getInteger("unregistered") + " serials not registered");
            }
        }

        @Command(name = "push", mixinStandardHelpOptions = true, description = "Give certdir one CRL of the CA (DER or PEM file).")
        static final class Push implements Callable<Integer> {

            @ParentCommand
            Mirror parent;

            @Mixin
            AdminConnection admin;

            @Option(names = "--ca", required = true, paramLabel = "NAME", description = "The CA whose CRL it is ('certdir ca list').")
            String ca;

            @picocli.CommandLine.Parameters(paramLabel = "FILE", description = "The CRL, DER or PEM.")
            java.nio.file.Path file;

            @Override
            public Integer call() {
                byte[] crl;
                try {
                    crl = java.nio.file.Files.readAllBytes(file);
                } catch (java.io.IOException e) {
                    throw new CliFailure("cannot read " + file + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
                }
                print(parent.parent.parent.out, admin.client().post("/admin/crl/mirror/" + AdminClient.segment(ca), crl));
                return 0;
            }
        }

        @Command(name = "fetch", mixinStandardHelpOptions = true, description = "Fetch the CA's CRLs from its configured URLs now.")
        static final class Fetch implements Callable<Integer> {

            @ParentCommand
            Mirror parent;

            @Mixin
            AdminConnection admin;

            @Option(names = "--ca", required = true, paramLabel = "NAME", description = "The CA, as configured in certdir.crl.mirror.cas.")
            String ca;

            @Override
            public Integer call() {
                print(parent.parent.parent.out, admin.client().post("/admin/crl/mirror/" + AdminClient.segment(ca) + "/fetch"));
                return 0;
            }
        }

        @Command(name = "status", mixinStandardHelpOptions = true, description = "Each mirrored CA's newest CRL, where it came from, and the last failure.")
        static final class Status implements Callable<Integer> {

            @ParentCommand
            Mirror parent;

            @Mixin
            AdminConnection admin;

            @Override
            public Integer call() {
                JsonArray cas = admin.client().get("/admin/crl/mirror").getJsonArray("cas");
                for (int i = 0; i < cas.size(); i++) {
                    JsonObject ca = cas.getJsonObject(i);
                    parent.parent.parent.out.printf("%s: %s%s%n", ca.getString("ca"), ca.getLong("number") == null ? "no CRL yet"
                            : "CRL number " + ca.getLong("number") + " from " + ca.getString("source") + ", next update " + ca.getString("nextUpdate"),
                            ca.containsKey("lastError") ? "; FAILING: " + ca.getString("lastError") : "");
                }
                return 0;
            }
        }
    }
}
