package org.certdir.ops.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.certdir.ops.ca.CaCreation;
import org.certdir.ops.ca.CaInstallation;
import org.certdir.ops.ca.CaRequest;
import org.certdir.ops.http.HttpListeners;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.PendingCa;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CAs through the admin API: {@code GET /admin/cas} (registered and pending), {@code POST /admin/cas} to create a root,
 * a CA under a managed one, or (with {@code "csr": true}) a pending CA and its CSR, and {@code POST /admin/cas/install}
 * with the certificate a root kept elsewhere issued for that CSR. Refusals ({@link org.certdir.ops.ca.InvalidCaRequest})
 * are 400s naming the field.
 */
final class CaAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(CaAdmin.class);

    private final Registry registry;
    private final CaCreation creation;
    private final CaInstallation installation;

    CaAdmin(Registry registry, CaCreation creation, CaInstallation installation) {
        this.registry = registry;
        this.creation = creation;
        this.installation = installation;
    }

    /** On the admin router, whose requests come with their body read ({@link AdminApi#register}). */
    void register(Router admin) {
        admin.get("/admin/cas").blockingHandler(this::list, false);
        admin.post("/admin/cas").blockingHandler(this::create);
        admin.post("/admin/cas/install").blockingHandler(this::install);
    }

    private void list(RoutingContext context) {
        JsonArray cas = new JsonArray();
        registry.cas().forEach(ca -> cas.add(CertificateJson.ca(ca)));
        JsonArray pending = new JsonArray();
        registry.pendingCas().forEach(ca -> pending.add(pending(ca)));
        HttpListeners.json(context, 200, new JsonObject().put("cas", cas).put("pending", pending));
    }

    /** {@code {"subject", "name"?, "keyAlgorithm"?, "validityDays"?, "pathLength"?, "parent"?, "csr"?}}. */
    private void create(RoutingContext context) {
        JsonObject body = AdminApi.jsonBody(context);
        Actor actor = AdminApi.actor(context);
        Object csr = body.getValue("csr");
        if (csr != null && !(csr instanceof Boolean)) {
            throw new BadRequest("csr", "csr must be true or false");
        }
        CaRequest request = CaRequest.parse(AdminApi.string(body, "name"), AdminApi.string(body, "subject"), AdminApi.string(body, "keyAlgorithm"),
                AdminApi.integer(body, "validityDays"), AdminApi.integer(body, "pathLength"), AdminApi.string(body, "parent"), Boolean.TRUE.equals(csr));
        if (request.csr()) {
            CaCreation.Requested requested = creation.request(request, actor);
            LOG.info("AUDIT {} created pending CA {} ({}) and its CSR", actor.name(), request.name(), requested.pending().subject());
            HttpListeners.json(context, 201, new JsonObject().put("pending", pending(requested.pending())).put("csr", requested.csrPem()));
            return;
        }
        CaCreation.Created created = creation.create(request, actor);
        LOG.info("AUDIT {} created CA {} ({}){}", actor.name(), request.name(), created.record().certificate().subject(),
                request.parent() == null ? ", self-signed" : ", issued by " + request.parent());
        HttpListeners.json(context, 201, new JsonObject().put("ca", CertificateJson.ca(created.record())));
    }

    /** {@code {"certificate", "chain"?, "name"?}}: each file as PEM text or base64 (PEM, DER or PKCS#7). */
    private void install(RoutingContext context) {
        JsonObject body = AdminApi.jsonBody(context);
        Actor actor = AdminApi.actor(context);
        List<X509Certificate> certificate = certificates(body, "certificate", true);
        if (certificate.size() != 1) {
            throw new BadRequest("certificate", "certificate holds " + certificate.size() + " certificates: give the CA's own one there and the"
                    + " others as chain");
        }
        List<X509Certificate> chain = certificates(body, "chain", false);
        String name = AdminApi.string(body, "name");
        CaName caName;
        try {
            caName = name == null ? null : new CaName(name);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("name", e.getMessage());
        }
        CaInstallation.Installed installed = installation.install(caName, certificate.get(0), chain, actor);
        LOG.info("AUDIT {} installed CA {} ({}), issued by {}", actor.name(), installed.record().name(), installed.record().certificate().subject(),
                installed.record().certificate().issuer());
        HttpListeners.json(context, 200, new JsonObject().put("ca", CertificateJson.ca(installed.record()))
                .put("casAdded", new JsonArray(installed.chainAdded().stream().map(CertificateJson::ca).toList())));
    }

    private static List<X509Certificate> certificates(JsonObject body, String field, boolean required) {
        String value = AdminApi.string(body, field);
        if (value == null || value.isBlank()) {
            if (required) {
                throw new BadRequest(field, field + " is missing: give the certificate file as PEM text or base64");
            }
            return List.of();
        }
        byte[] file;
        if (value.contains("-----BEGIN ")) {
            file = value.getBytes(StandardCharsets.US_ASCII);
        } else {
            try {
                file = Base64.getMimeDecoder().decode(value);
            } catch (IllegalArgumentException e) {
                throw new BadRequest(field, field + " is neither PEM nor base64: " + e.getMessage());
            }
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            for (byte[] der : CertificateFiles.read(file)) {
                certificates.add(CertificateDetails.parse(der).certificate());
            }
        } catch (IllegalArgumentException e) {
            throw new BadRequest(field, field + ": " + e.getMessage());
        }
        return certificates;
    }

    private static JsonObject pending(PendingCa ca) {
        return new JsonObject().put("name", ca.name().value()).put("subject", ca.subject()).put("createdAt", ca.createdAt().toString())
                .put("csr", CaCreation.csrPem(ca.csr()));
    }
}
