package org.certdir.ops.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.certdir.directory.publication.DirectoryPublisher;
import java.time.Duration;
import java.time.Instant;
import org.certdir.registry.Outbox;
import org.certdir.registry.Registry;

/**
 * {@code GET /health}: whether the registry answers, the directory holds its layout, and the publication
 * queue keeps up. Status {@code ok}; {@code degraded} (still 200) when publication tasks failed or wait longer
 * than a minute; {@code down} (503) when the registry or the directory does not answer. Runs off the event loop.
 */
public final class HealthCheck {

    private static final Duration LAG_TOLERATED = Duration.ofMinutes(1);

    private final Registry registry;
    private final DirectoryPublisher publisher;
    private final String directoryUrl;

    public HealthCheck(Registry registry, DirectoryPublisher publisher, String directoryUrl) {
        this.registry = registry;
        this.publisher = publisher;
        this.directoryUrl = directoryUrl;
    }

    public JsonObject report() {
        JsonObject registryStatus = new JsonObject().put("file", registry.file().toString());
        try {
            registry.check();
            registryStatus.put("status", "ok").put("cas", registry.cas().size());
        } catch (RuntimeException e) {
            registryStatus.put("status", "down").put("error", e.getMessage());
        }
        JsonObject directoryStatus = new JsonObject().put("url", directoryUrl);
        try {
            boolean present = publisher.layoutPresent();
            directoryStatus.put("status", present ? "ok" : "down");
            if (!present) {
                directoryStatus.put("error", "the directory layout is missing: run 'certdir directory republish'");
            }
        } catch (RuntimeException e) {
            directoryStatus.put("status", "down").put("error", e.getMessage());
        }
        JsonObject publication = new JsonObject();
        try {
            Outbox.Stats queue = registry.outbox().stats(Outbox.DIRECTORY_PERSON, Outbox.DIRECTORY_CA);
            long age = queue.oldest() == null ? 0 : Duration.between(queue.oldest(), Instant.now()).toSeconds();
            boolean behind = queue.failing() > 0 || age > LAG_TOLERATED.toSeconds();
            publication.put("status", behind ? "degraded" : "ok").put("depth", queue.depth()).put("oldestAgeSeconds", age)
                    .put("failing", queue.failing());
        } catch (RuntimeException e) {
            publication.put("status", "down").put("error", e.getMessage());
        }
        boolean up = "ok".equals(registryStatus.getString("status")) && "ok".equals(directoryStatus.getString("status"));
        String status = !up ? "down" : "ok".equals(publication.getString("status")) ? "ok" : "degraded";
        return new JsonObject().put("status", status).put("registry", registryStatus).put("directory", directoryStatus)
                .put("publication", publication);
    }

    /** The route handler; register with {@code blockingHandler}, as it does LDAP and database I/O. */
    public void handle(RoutingContext context) {
        JsonObject report = report();
        HttpListeners.json(context, "down".equals(report.getString("status")) ? 503 : 200, report);
    }
}
