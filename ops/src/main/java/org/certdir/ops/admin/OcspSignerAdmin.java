package org.certdir.ops.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.certdir.ops.http.HttpListeners;
import org.certdir.ops.issuance.ExternalOcspSigner;
import org.certdir.registry.CaName;

/**
 * The delegated OCSP signer of a CA certdir does not hold, through the admin API: {@code POST
 * /admin/ocsp/signer/{ca}/request} makes the key and answers the CSR, {@code POST /admin/ocsp/signer/{ca}/install}
 * with the certificate the CA issued (PEM or DER) as the body takes it; a certificate that does not fit is a 400 naming why.
 */
final class OcspSignerAdmin {

    private final ExternalOcspSigner signers;
    private final Runnable installed;

    /** {@code installed} runs after a signer is taken, so the responder answers with it at once. */
    OcspSignerAdmin(ExternalOcspSigner signers, Runnable installed) {
        this.signers = signers;
        this.installed = installed;
    }

    void register(Router admin) {
        admin.post("/admin/ocsp/signer/:ca/request").blockingHandler(this::request);
        admin.post("/admin/ocsp/signer/:ca/install").blockingHandler(this::install);
    }

    private void request(RoutingContext context) {
        CaName ca = ca(context);
        try {
            HttpListeners.json(context, 200, new JsonObject().put("ca", ca.value()).put("csr", signers.request(ca, AdminApi.actor(context))));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("ca", e.getMessage());
        }
    }

    private void install(RoutingContext context) {
        CaName ca = ca(context);
        byte[] file = context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes();
        if (file.length == 0) {
            throw new BadRequest("certificate", "the body is empty: send the OCSP signer certificate the CA issued (PEM or DER)");
        }
        ExternalOcspSigner.Installed done;
        try {
            done = signers.install(ca, file, AdminApi.actor(context));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("certificate", e.getMessage());
        }
        installed.run();
        JsonArray warnings = new JsonArray();
        done.warnings().forEach(warnings::add);
        HttpListeners.json(context, 200, new JsonObject().put("ca", ca.value()).put("subject", done.certificate().getSubjectX500Principal().getName())
                .put("serial", done.certificate().getSerialNumber().toString(16)).put("notAfter", done.certificate().getNotAfter().toInstant().toString())
                .put("warnings", warnings));
    }

    private static CaName ca(RoutingContext context) {
        try {
            return new CaName(context.pathParam("ca"));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("ca", e.getMessage());
        }
    }
}
