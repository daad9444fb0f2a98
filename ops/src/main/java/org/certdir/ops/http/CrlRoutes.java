package org.certdir.ops.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.certdir.aia.http.ConditionalGet;
import org.certdir.crl.distribution.HttpPoint;

/**
 * {@code GET /crl/<ca>.crl} and {@code /crl/<ca>-delta.crl}: DER, {@code application/pkix-crl} (RFC 2585), with
 * Last-Modified (thisUpdate), ETag (the CRL number), Expires (nextUpdate) and Cache-Control up to nextUpdate,
 * and 304 on If-None-Match or If-Modified-Since, so caches and CDNs can carry them. Served from memory on the
 * event loop: no blocking work.
 */
public final class CrlRoutes {

    private final HttpPoint point;

    public CrlRoutes(HttpPoint point) {
        this.point = point;
    }

    public void register(Router router) {
        // HEAD too: caches and CDNs check Last-Modified and ETag with it (Vert.x sends no body for HEAD).
        router.route("/crl/:file").method(io.vertx.core.http.HttpMethod.GET).method(io.vertx.core.http.HttpMethod.HEAD).handler(this::serve);
    }

    private void serve(RoutingContext context) {
        String file = context.pathParam("file");
        var served = point.served(file).orElse(null);
        if (served == null) {
            HttpListeners.error(context, 404, "no CRL named " + file + " is published here ('certdir ca list' shows the CA names)");
            return;
        }
        Instant now = Instant.now();
        long maxAge = Math.max(0, Duration.between(now, served.nextUpdate()).toSeconds());
        var response = context.response()
                .putHeader("Last-Modified", http(served.thisUpdate()))
                .putHeader("Expires", http(served.nextUpdate()))
                .putHeader("ETag", served.etag())
                .putHeader("Cache-Control", "max-age=" + maxAge + ", public, no-transform, must-revalidate");
        if (ConditionalGet.notModified(context, served.etag(), served.thisUpdate())) {
            response.setStatusCode(304).end();
            return;
        }
        response.putHeader("Content-Type", "application/pkix-crl");
        org.certdir.aia.http.ResponseBody.end(context, Buffer.buffer(served.der()));
    }

    private static String http(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }
}
