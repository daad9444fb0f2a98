package org.certdir.aia.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.certdir.aia.CaChains;
import org.certdir.registry.CaName;

/**
 * {@code GET /aia/<ca>.crt} (the CA certificate, DER, {@code application/pkix-cert}) and {@code GET /aia/<ca>.p7c}
 * (its chain to the root, certs-only PKCS#7, {@code application/pkcs7-mime}), RFC 2585 media types, with ETag,
 * Last-Modified and 304 on If-None-Match or If-Modified-Since. CA certificates change rarely: caches may keep
 * them an hour.
 */
public final class AiaRoutes {

    private static final String CACHE_CONTROL = "max-age=3600, public, no-transform";

    private final CaChains chains;

    public AiaRoutes(CaChains chains) {
        this.chains = chains;
    }

    public void register(Router router) {
        router.get("/aia/:file").blockingHandler(this::serve, false);
    }

    private void serve(RoutingContext context) {
        String file = context.pathParam("file");
        boolean chain = file.endsWith(".p7c");
        if (!chain && !file.endsWith(".crt")) {
            notFound(context, file);
            return;
        }
        String name = file.substring(0, file.length() - 4);
        Optional<CaChains.Published> published = name.matches("[a-z0-9-]+") ? chains.of(new CaName(name)) : Optional.empty();
        if (published.isEmpty()) {
            notFound(context, file);
            return;
        }
        CaChains.Published ca = published.get();
        String etag = chain ? ca.chainTag() : ca.certificateTag();
        HttpServerResponse response = context.response()
                .putHeader("ETag", etag)
                .putHeader("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(ca.lastModified().atOffset(ZoneOffset.UTC)))
                .putHeader("Cache-Control", CACHE_CONTROL);
        if (ConditionalGet.notModified(context, etag, ca.lastModified())) {
            response.setStatusCode(304).end();
            return;
        }
        response.putHeader("Content-Type", chain ? "application/pkcs7-mime" : "application/pkix-cert")
                .end(Buffer.buffer(chain ? ca.chain() : ca.certificate()));
    }

    private static void notFound(RoutingContext context, String file) {
        context.response().setStatusCode(404).putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                .end(new JsonObject().put("error", "no CA certificate named " + file + " is published here: ask for <ca>.crt or <ca>.p7c, "
                        + "where <ca> is a name 'certdir ca list' shows").encodePrettily() + "\n");
    }
}
