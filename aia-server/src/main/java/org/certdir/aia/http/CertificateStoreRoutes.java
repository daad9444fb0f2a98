package org.certdir.aia.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.certdir.aia.CertificateStore;
import org.certdir.registry.CertificateDetails;

/**
 * {@code GET /certs/search.cgi?<attribute>=<value>} (RFC 4387 §3): one matching certificate is answered as
 * {@code application/pkix-cert}; several as {@code multipart/mixed}, one {@code application/pkix-cert} part each;
 * none as 404; a query that is not exactly one known attribute with a well-formed value as 400.
 */
public final class CertificateStoreRoutes {

    private final CertificateStore store;

    public CertificateStoreRoutes(CertificateStore store) {
        this.store = store;
    }

    public void register(Router router) {
        router.get("/certs/search.cgi").blockingHandler(this::search, false);
    }

    private void search(RoutingContext context) {
        String query = context.request().query();
        if (query == null || query.isEmpty() || query.contains("&") || !query.contains("=")) {
            error(context, 400, "give exactly one attribute=value, e.g. /certs/search.cgi?uri=alice@example.com (RFC 4387 §3)");
            return;
        }
        String attribute = query.substring(0, query.indexOf('='));
        String value = percentDecode(query.substring(query.indexOf('=') + 1));
        List<CertificateDetails> found;
        try {
            if (value == null) {
                throw new IllegalArgumentException("the value of " + attribute + " has a broken %-escape");
            }
            found = store.search(attribute, value);
        } catch (IllegalArgumentException e) {
            error(context, 400, e.getMessage());
            return;
        }
        if (found.isEmpty()) {
            error(context, 404, "no valid certificate matches " + attribute + "=" + value);
            return;
        }
        // Short-lived: a revocation must take a certificate out of the answers soon.
        context.response().putHeader("Cache-Control", "max-age=60, public, no-transform");
        if (found.size() == 1) {
            context.response().putHeader("Content-Type", "application/pkix-cert");
            ResponseBody.end(context, Buffer.buffer(found.get(0).der()));
            return;
        }
        String boundary = "certdir-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (CertificateDetails certificate : found) {
            body.writeBytes(("--" + boundary + "\r\nContent-Type: application/pkix-cert\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(certificate.der());
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        context.response().putHeader("Content-Type", "multipart/mixed; boundary=" + boundary);
        ResponseBody.end(context, Buffer.buffer(body.toByteArray()));
    }

    /** %XX escapes only: a '+' in these values is a base64 digit, not a form-encoded space. Null for a broken escape. */
    private static String percentDecode(String text) {
        try {
            return java.net.URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void error(RoutingContext context, int status, String message) {
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store");
        ResponseBody.end(context, Buffer.buffer(new JsonObject().put("error", message).encodePrettily() + "\n"));
    }
}
