package org.certdir.ops.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.certdir.ops.http.HttpListeners;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.certdir.registry.TrustList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust list through the admin API: {@code POST /admin/trust?name=N} with one CA certificate (PEM, DER or a
 * one-certificate PKCS#7) as the body, {@code DELETE /admin/trust/N}, {@code GET /admin/trust}.
 */
final class TrustAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(TrustAdmin.class);

    private final Registry registry;

    TrustAdmin(Registry registry) {
        this.registry = registry;
    }

    /** On the admin router, whose requests come with their body read ({@link AdminApi#register}). */
    void register(Router admin) {
        admin.get("/admin/trust").blockingHandler(this::list, false);
        admin.post("/admin/trust").blockingHandler(this::add);
        admin.delete("/admin/trust/:name").blockingHandler(this::remove);
    }

    private void list(RoutingContext context) {
        TrustList.Snapshot snapshot = registry.trustList().snapshot();
        JsonArray cas = new JsonArray();
        snapshot.cas().forEach(ca -> cas.add(json(ca)));
        HttpListeners.json(context, 200, new JsonObject().put("sequence", snapshot.sequence()).put("cas", cas));
    }

    private void add(RoutingContext context) {
        CaName name = name(context.request().getParam("name"));
        byte[] file = context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes();
        List<byte[]> certificates;
        CertificateDetails certificate;
        try {
            certificates = CertificateFiles.read(file);
            if (certificates.size() != 1) {
                throw new IllegalArgumentException("the file holds " + certificates.size() + " certificates: give one CA certificate per name");
            }
            certificate = CertificateDetails.parse(certificates.get(0));
            // Its CN names the partner's directory entry (cn=<CN>,ou=trust).
            String problem = DirectoryValues.nameProblem("the certificate's subject CN", certificate.commonName(), DirectoryValues.MAX_NAME);
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": it names the partner CA's directory entry");
            }
            ownCaNamed(certificate).ifPresent(own -> {
                // Chain builders look an issuer up by its name: two CAs of one name make them pick the wrong one.
                throw new org.certdir.registry.StatusConflictException("the subject " + certificate.subject() + " is that of our own CA '"
                        + own.name() + "': clients that look issuers up by name would take one for the other; a partner CA needs a name of its own");
            });
            TrustList.TrustedCa added = registry.trustList().add(name, certificate, actor(context));
            LOG.info("AUDIT {} added {} to the trust list as {}", actor(context).name(), certificate.subject(), name);
            HttpListeners.json(context, 200, json(added));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("certificate", e.getMessage());
        }
    }

    /** The CA of ours (one certdir holds the key of) with the same subject, compared as RFC 5280 §7.1 does (canonical form). */
    private java.util.Optional<org.certdir.registry.CaRecord> ownCaNamed(CertificateDetails certificate) {
        javax.security.auth.x500.X500Principal subject = certificate.certificate().getSubjectX500Principal();
        return registry.cas().stream().filter(ca -> ca.managed() && ca.certificate().certificate().getSubjectX500Principal().equals(subject)).findFirst();
    }

    private void remove(RoutingContext context) {
        TrustList.TrustedCa removed = registry.trustList().remove(name(context.pathParam("name")), actor(context));
        LOG.info("AUDIT {} removed {} ({}) from the trust list", actor(context).name(), removed.name(), removed.certificate().subject());
        HttpListeners.json(context, 200, json(removed));
    }

    private static CaName name(String name) {
        if (name == null || name.isBlank()) {
            throw new BadRequest("name", "name is missing: give the partner CA a short name of a-z, 0-9 and '-', e.g. ?name=partner-ca");
        }
        try {
            return new CaName(name);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("name", e.getMessage());
        }
    }

    private static JsonObject json(TrustList.TrustedCa ca) {
        return new JsonObject().put("name", ca.name().value()).put("subject", ca.certificate().subject())
                .put("notAfter", ca.certificate().notAfter().toString()).put("sha256", ca.certificate().sha256())
                .put("addedAt", ca.addedAt().toString());
    }

    private static Actor actor(RoutingContext context) {
        return new Actor(HttpListeners.ADMIN_ACTOR, context.request().remoteAddress().hostAddress());
    }
}
