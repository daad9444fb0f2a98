package org.certdir.ops.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.directory.publication.PublicationException;
import org.certdir.registry.Actor;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Admin API routes of the foundation: health (with the same report as the public one) and directory republication. */
public final class AdminRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);

    private final Registry registry;
    private final DirectoryPublisher publisher;

    public AdminRoutes(Registry registry, DirectoryPublisher publisher) {
        this.registry = registry;
        this.publisher = publisher;
    }

    public void register(Router admin, HealthCheck health) {
        admin.get("/admin/health").blockingHandler(health::handle, false);
        admin.post("/admin/directory/republish").blockingHandler(this::republish);
    }

    private void republish(RoutingContext context) {
        Actor actor = new Actor(BearerToken.ACTOR, context.request().remoteAddress().hostAddress());
        long started = System.nanoTime();
        try {
            int people = publisher.republish(registry);
            long millis = (System.nanoTime() - started) / 1_000_000;
            registry.recordAction(actor, "directory.republish", "directory", people + " people in " + millis + " ms");
            LOG.info("AUDIT {} republished the directory: {} people in {} ms", actor.name(), people, millis);
            HttpListeners.json(context, 200, new JsonObject().put("people", people).put("cas", registry.cas().size()).put("millis", millis));
        } catch (PublicationException e) {
            HttpListeners.error(context, 502, "the directory refused the republication: " + e.getMessage());
        }
    }
}
