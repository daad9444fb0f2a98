package org.certdir.ops.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.certdir.crl.mirror.CrlMirror;
import org.certdir.crl.mirror.MirrorRefused;
import org.certdir.crl.mirror.MirrorResult;
import org.certdir.crl.mirror.MirrorState;
import org.certdir.ops.http.HttpListeners;
import org.certdir.registry.CaName;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRL mirror through the admin API: {@code POST /admin/crl/mirror/{ca}} with one CRL (DER or PEM) as the body,
 * {@code POST /admin/crl/mirror/{ca}/fetch} to fetch the configured URLs now, {@code GET /admin/crl/mirror}. A CRL
 * the mirror refuses is a 422 with the reason; nothing of it was stored.
 */
final class MirrorAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorAdmin.class);

    private final Registry registry;
    private final CrlMirror mirror;

    MirrorAdmin(Registry registry, CrlMirror mirror) {
        this.registry = registry;
        this.mirror = mirror;
    }

    void register(Router admin) {
        admin.get("/admin/crl/mirror").blockingHandler(this::list, false);
        admin.post("/admin/crl/mirror/:ca").blockingHandler(this::push);
        admin.post("/admin/crl/mirror/:ca/fetch").blockingHandler(this::fetch);
    }

    private void push(RoutingContext context) {
        CaName ca = ca(context);
        byte[] crl = context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes();
        if (crl.length == 0) {
            throw new BadRequest("crl", "the body is empty: send the CA's CRL (DER or PEM) as the body");
        }
        registry.requireCa(ca);
        try {
            MirrorResult result = mirror.accept(ca, crl, "push");
            LOG.info("AUDIT {} pushed CRL {} of CA {}", AdminApi.actor(context).name(), result.number(), ca);
            HttpListeners.json(context, 200, new JsonObject().put("results", new JsonArray().add(json(result))));
        } catch (MirrorRefused e) {
            HttpListeners.json(context, 422, new JsonObject().put("error", e.getMessage()));
        }
    }

    private void fetch(RoutingContext context) {
        CaName ca = ca(context);
        registry.requireCa(ca);
        try {
            List<MirrorResult> results = mirror.fetch(ca);
            JsonArray json = new JsonArray();
            results.forEach(result -> json.add(json(result)));
            HttpListeners.json(context, 200, new JsonObject().put("results", json));
        } catch (MirrorRefused e) {
            HttpListeners.json(context, 422, new JsonObject().put("error", e.getMessage()));
        }
    }

    private void list(RoutingContext context) {
        JsonArray cas = new JsonArray();
        mirror.states().forEach(state -> cas.add(json(state)));
        HttpListeners.json(context, 200, new JsonObject().put("cas", cas));
    }

    private static CaName ca(RoutingContext context) {
        try {
            return new CaName(context.pathParam("ca"));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("ca", e.getMessage());
        }
    }

    static JsonObject json(MirrorState state) {
        JsonObject json = new JsonObject().put("ca", state.ca().value()).put("number", state.number());
        if (state.thisUpdate() != null) {
            json.put("thisUpdate", state.thisUpdate().toString()).put("nextUpdate", state.nextUpdate().toString());
        }
        json.put("source", state.source());
        if (state.lastAttempt() != null) {
            json.put("lastAttempt", state.lastAttempt().toString());
        }
        if (state.lastError() != null) {
            json.put("lastError", state.lastError());
        }
        return json;
    }

    private static JsonObject json(MirrorResult result) {
        return new JsonObject().put("ca", result.ca().value()).put("number", result.number()).put("baseNumber", result.baseNumber())
                .put("entries", result.entries()).put("revoked", result.revoked()).put("held", result.held()).put("released", result.released())
                .put("unregistered", result.unregistered()).put("unchanged", result.unchanged());
    }
}
