package org.certdir.ops.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.registry.Registry;

/**
 * {@code GET /health}: whether the registry answers and the directory holds its layout. 200 with status
 * {@code ok}, or 503 with status {@code down} and the failing part's error. Runs off the event loop.
 */
public final class HealthCheck {

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
        boolean ok = "ok".equals(registryStatus.getString("status")) && "ok".equals(directoryStatus.getString("status"));
        return new JsonObject().put("status", ok ? "ok" : "down").put("registry", registryStatus).put("directory", directoryStatus);
    }

    /** The route handler; register with {@code blockingHandler}, as it does LDAP and database I/O. */
    public void handle(RoutingContext context) {
        JsonObject report = report();
        HttpListeners.json(context, "ok".equals(report.getString("status")) ? 200 : 503, report);
    }
}
