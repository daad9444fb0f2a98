package org.certdir.aia.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.certdir.aia.TrustListFiles;

/**
 * {@code GET /trust/trust-list.p7c} (certs-only PKCS#7 of the trusted partner CAs) and {@code GET
 * /trust/trust-list.p7s} (the same bytes in a CMS SignedData signed by our root), both {@code application/pkcs7-mime}
 * with an ETag and 304 on If-None-Match. Short-lived in caches: the list changes when an admin changes it.
 */
public final class TrustRoutes {

    private final TrustListFiles files;

    public TrustRoutes(TrustListFiles files) {
        this.files = files;
    }

    public void register(Router router) {
        router.route("/trust/trust-list.p7c").method(HttpMethod.GET).method(HttpMethod.HEAD).blockingHandler(context -> serve(context, false), false);
        router.route("/trust/trust-list.p7s").method(HttpMethod.GET).method(HttpMethod.HEAD).blockingHandler(context -> serve(context, true), false);
    }

    private void serve(RoutingContext context, boolean signed) {
        TrustListFiles.Files current = files.current();
        byte[] body = signed ? current.signed() : current.bundle();
        if (body == null) {
            context.response().setStatusCode(503).putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store");
            ResponseBody.end(context, Buffer.buffer(new JsonObject().put("error",
                    "no trust-list signer: certdir holds no root CA key and certdir.trust.signer names none").encodePrettily() + "\n"));
            return;
        }
        String etag = signed ? current.signedTag() : current.bundleTag();
        context.response().putHeader("ETag", etag).putHeader("Cache-Control", "max-age=300, public, no-transform")
                .putHeader("X-Trust-List-Sequence", Long.toString(current.sequence()));
        String ifNoneMatch = context.request().getHeader("If-None-Match");
        if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.strip().equals("*"))) {
            context.response().setStatusCode(304).end();
            return;
        }
        context.response().putHeader("Content-Type", "application/pkcs7-mime");
        ResponseBody.end(context, Buffer.buffer(body));
    }
}
