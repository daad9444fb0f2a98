package org.certdir.ops.admin;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.certdir.ops.ca.CaRenewal;
import org.certdir.ops.http.HttpListeners;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/cas/{ca}/renew} with {@code {"validityDays"?, "csr"?}}: a new certificate for the same key of a CA
 * certdir holds ({@link CaRenewal}), or with {@code "csr": true} the request for the CA kept elsewhere that issued it.
 */
final class CaRenewalAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(CaRenewalAdmin.class);

    private final CaRenewal renewal;

    CaRenewalAdmin(CaRenewal renewal) {
        this.renewal = renewal;
    }

    /** On the admin router, whose requests come with their body read ({@link AdminApi#register}). */
    void register(Router admin) {
        admin.post("/admin/cas/:ca/renew").blockingHandler(this::renew);
    }

    private void renew(RoutingContext context) {
        CaName name;
        try {
            name = new CaName(context.pathParam("ca"));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("ca", e.getMessage());
        }
        JsonObject body = AdminApi.jsonBody(context);
        Actor actor = AdminApi.actor(context);
        Object csr = body.getValue("csr");
        if (csr != null && !(csr instanceof Boolean)) {
            throw new BadRequest("csr", "csr must be true or false");
        }
        Integer validityDays = AdminApi.integer(body, "validityDays");
        if (Boolean.TRUE.equals(csr)) {
            if (validityDays != null) {
                throw new BadRequest("validityDays", "validityDays cannot go with csr: the CA that signs the renewal CSR decides the validity");
            }
            String pem = renewal.request(name, actor);
            LOG.info("AUDIT {} wrote the renewal CSR of CA {}", actor.name(), name);
            HttpListeners.json(context, 200, new JsonObject().put("ca", name.value()).put("csr", pem));
            return;
        }
        CaRenewal.Renewed renewed = renewal.renew(name, validityDays, actor);
        LOG.info("AUDIT {} renewed CA {} ({}) with the same key, until {}", actor.name(), name, renewed.record().certificate().subject(),
                renewed.record().certificate().notAfter());
        HttpListeners.json(context, 200, new JsonObject().put("ca", CertificateJson.ca(renewed.record()))
                .put("previous", new JsonObject().put("sha256", renewed.previous().sha256()).put("notAfter", renewed.previous().notAfter().toString())));
    }
}
