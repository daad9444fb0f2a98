package org.certdir.ops.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code certdir audit}: who did what, when, from where. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Show the audit trail: every admin action with who (the token's name), when, what, why and from which address.")
final class AuditCommand implements Callable<Integer> {

    @ParentCommand
    CertdirCommand parent;

    @Mixin
    AdminConnection admin;

    @Option(names = "--since", paramLabel = "WHEN", description = "From this time on: 2026-11-20, 2026-11-20T08:30:00Z, or an age such as 2h or 7d. Default: the newest --limit records.")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N records (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        JsonArray records = admin.client().get(AdminClient.query("/admin/audit", "since", since == null ? null : resolve(since),
                "limit", Integer.toString(limit))).getJsonArray("audit");
        for (int i = 0; i < records.size(); i++) {
            JsonObject record = records.getJsonObject(i);
            parent.out.printf("%s  %-8s %-26s %-40s %s  [%s]%n", record.getString("at"), record.getString("actor"), record.getString("action"),
                    record.getString("target"), record.getString("detail"), record.getString("address"));
        }
        return 0;
    }

    /** An age like 2h or 7d becomes the instant that long ago; anything else goes to the server as it is. */
    static String resolve(String since) {
        if (since.matches("\\d+[smhd]")) {
            long amount = Long.parseLong(since.substring(0, since.length() - 1));
            Duration age = switch (since.charAt(since.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            return Instant.now().minus(age).toString();
        }
        try {
            return Instant.parse(since).toString();
        } catch (DateTimeParseException e) {
            return since;
        }
    }
}
