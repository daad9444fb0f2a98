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
 * (its chain to the root, certs-only PKCS#7, {@code application/pkcs7-mime}) and, when other CAs cross-certified it,
 * {@code GET /aia/<ca>-cross.p7c} (those cross-certificates); RFC 2585 media types, with ETag,
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
        // HEAD too: caches and link checkers ask for the headers alone (Vert.x sends no body for HEAD).
        router.route("/aia/:file").method(io.vertx.core.http.HttpMethod.GET).method(io.vertx.core.http.HttpMethod.HEAD)
                .blockingHandler(this::serve, false);
    }

    private void serve(RoutingContext context) {
        String file = context.pathParam("file");
        boolean cross = file.endsWith("-cross.p7c");
        boolean chain = !cross && file.endsWith(".p7c");
        if (!cross && !chain && !file.endsWith(".crt")) {
            notFound(context, file);
            return;
        }
        String name = file.substring(0, file.length() - (cross ? "-cross.p7c".length() : 4));
        Optional<CaChains.Published> published = isCaName(name) ? chains.of(new CaName(name)) : Optional.empty();
        if (published.isEmpty() || (cross && published.get().crossCertificates() == null)) {
            notFound(context, file);
            return;
        }
        CaChains.Published ca = published.get();
        byte[] body = cross ? ca.crossCertificates() : chain ? ca.chain() : ca.certificate();
        String etag = cross ? ca.crossTag() : chain ? ca.chainTag() : ca.certificateTag();
        HttpServerResponse response = context.response().putHeader("ETag", etag).putHeader("Cache-Control", CACHE_CONTROL);
        // A cross-certificate may join long after its notBefore: no date tells when, so that file has only its ETag.
        java.time.Instant lastModified = cross ? java.time.Instant.MAX : ca.lastModified();
        if (!cross) {
            response.putHeader("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(lastModified.atOffset(ZoneOffset.UTC)));
        }
        if (ConditionalGet.notModified(context, etag, lastModified)) {
            response.setStatusCode(304).end();
            return;
        }
        response.putHeader("Content-Type", cross || chain ? "application/pkcs7-mime" : "application/pkix-cert");
        ResponseBody.end(context, Buffer.buffer(body));
    }

    /** Whether {@code name} follows the rule of {@link CaName} (no leading or trailing '-', at most 64): anything else names no CA. */
    private static boolean isCaName(String name) {
        try {
            new CaName(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void notFound(RoutingContext context, String file) {
        context.response().setStatusCode(404).putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store");
        ResponseBody.end(context, Buffer.buffer(new JsonObject().put("error", "no CA certificate named " + file + " is published here: ask for <ca>.crt, "
                + "<ca>.p7c or <ca>-cross.p7c, where <ca> is a name 'certdir ca list' shows").encodePrettily() + "\n"));
    }
}
