package org.certdir.ocsp.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import org.certdir.ocsp.OcspMetrics.Outcome;
import org.certdir.ocsp.OcspResponder;
import org.certdir.ocsp.OcspResponder.Answer;

/**
 * {@code POST /ocsp} and {@code GET /ocsp/{base64 request}} on the public listener (RFC 6960 Appendix A,
 * RFC 9919 §2.1).
 *
 * <p>OCSP-level errors ({@code malformedRequest}, {@code unauthorized}, {@code tryLater}) are answered with
 * HTTP 200 and the unsigned OCSP status, as OpenSSL's and most other responders do: OpenSSL and GnuTLS clients
 * read the OCSP status only from a 200 answer. HTTP statuses are kept for what is wrong at the HTTP level: a
 * POST body over 64 KiB (413), a content type that is not {@code application/ocsp-request} (415), a request line
 * over the listener's limit (414, from the HTTP server itself), a POST body that cannot be read, such as broken
 * chunked encoding (400).
 */
public final class OcspRoutes {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OcspRoutes.class);

    /** RFC 6960 requests are small; a body larger than this is not one. */
    public static final int MAX_BODY = 64 * 1024;
    /** The most of a refused body read and dropped before the connection is closed regardless. */
    private static final int DRAIN_LIMIT = 1024 * 1024;
    private static final String RESPONSE_TYPE = "application/ocsp-response";
    private static final String REQUEST_TYPE = "application/ocsp-request";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final OcspResponder responder;
    private final Clock clock;
    private final java.util.Map<java.time.Instant, String> httpDates = new java.util.concurrent.ConcurrentHashMap<>();

    public OcspRoutes(OcspResponder responder, Clock clock) {
        this.responder = responder;
        this.clock = clock;
    }

    public void register(Router router) {
        for (String path : new String[] {"/ocsp", "/ocsp/"}) {
            router.post(path).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY)).handler(this::post).failureHandler(this::bodyFailed);
        }
        router.get("/ocsp/*").handler(this::get);
    }

    private void post(RoutingContext context) {
        String type = context.request().getHeader("Content-Type");
        // Clients that send no type at all are served; one that names another type has sent something else.
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith(REQUEST_TYPE)) {
            send(context, 415, Answer.error(Outcome.MALFORMED_REQUEST), false);
            return;
        }
        answer(context, context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes(), false);
    }

    /**
     * A POST whose body could not be read. Vert.x's BodyHandler fails the route with the response's status so far,
     * 200, when the request stream breaks (a chunk size that is not hex, say): left to the default handler, the
     * client got "200 OK" and the text "OK". The HTTP message is broken, so the answer is an HTTP 400, with the
     * OCSP malformedRequest body as for 415; a body over the limit keeps BodyHandler's 413 and gets the same body.
     */
    private void bodyFailed(RoutingContext context) {
        int status = context.statusCode();
        if (status == -1 || status >= 500) {
            context.next();
            return;
        }
        LOG.debug("unreadable OCSP POST from {}: {}", context.request().remoteAddress(), String.valueOf(context.failure()));
        context.response().putHeader("Connection", "close");
        send(context, status < 400 ? 400 : status, Answer.error(Outcome.MALFORMED_REQUEST), false);
        // The connection ends with this request, but only once the refused body has come in: closing with unread
        // bytes makes TCP reset the connection, and the client may lose the answer. BodyHandler stopped reading,
        // so the rest is read and dropped here, up to DRAIN_LIMIT; the listener's idle timeout ends a client that
        // never sends it.
        io.vertx.core.http.HttpServerRequest request = context.request();
        if (!request.isEnded()) {
            long[] drained = {0};
            request.handler(chunk -> {
                drained[0] += chunk.length();
                if (drained[0] > DRAIN_LIMIT) {
                    request.connection().close();
                }
            });
            request.endHandler(end -> request.connection().close());
            request.resume();
        }
    }

    private void get(RoutingContext context) {
        // "/ocsp/*" matches "/ocsp" too: a GET without a request is malformed, like one with a broken one.
        String path = context.request().path();
        String raw = path.length() > "/ocsp/".length() ? path.substring("/ocsp/".length()) : "";
        byte[] request = decode(raw);
        if (request == null) {
            send(context, 200, Answer.error(Outcome.MALFORMED_REQUEST), false);
            return;
        }
        answer(context, request, true);
    }

    private void answer(RoutingContext context, byte[] request, boolean get) {
        java.util.concurrent.CompletableFuture<Answer> answer = responder.respond(request);
        if (answer.isDone() && !answer.isCompletedExceptionally()) {
            // A cached answer or an error: already on the event loop, no need to hop back to it.
            send(context, 200, answer.join(), get);
            return;
        }
        Future.fromCompletionStage(answer, context.vertx().getOrCreateContext())
                .onComplete(done -> send(context, 200, done.succeeded() ? done.result() : Answer.error(Outcome.INTERNAL_ERROR), get));
    }

    /** Answers share their thisUpdate and nextUpdate second by second: format each once. */
    private String httpDate(java.time.Instant instant) {
        String formatted = httpDates.get(instant);
        if (formatted == null) {
            if (httpDates.size() > 10_000) {
                httpDates.clear();
            }
            formatted = HTTP_DATE.format(instant);
            httpDates.put(instant, formatted);
        }
        return formatted;
    }

    private void send(RoutingContext context, int status, Answer answer, boolean get) {
        HttpServerResponse response = context.response();
        if (response.ended()) {
            return;
        }
        response.putHeader("Content-Type", RESPONSE_TYPE);
        if (get && answer.cacheable()) {
            // RFC 9919 §2.2.1: caches may keep the answer until nextUpdate, and must not serve it after.
            long maxAge = Math.max(0, Duration.between(clock.instant(), answer.nextUpdate()).toSeconds());
            response.putHeader("Cache-Control", "max-age=" + maxAge + ", public, no-transform, must-revalidate")
                    .putHeader("Last-Modified", httpDate(answer.thisUpdate()))
                    .putHeader("Expires", httpDate(answer.nextUpdate()))
                    .putHeader("ETag", answer.etag());
            if (answer.etag().equals(context.request().getHeader("If-None-Match"))) {
                response.setStatusCode(304).end();
                return;
            }
        } else {
            response.putHeader("Cache-Control", "no-store");
        }
        response.setStatusCode(status);
        if (context.request().method() == io.vertx.core.http.HttpMethod.HEAD) {
            // HEAD (RFC 9110 §9.3.2; certdir's listener adds it to every GET route): the headers of the GET, the body's
            // length included, and no body. Vert.x leaves Content-Length out of a HEAD answer unless it is set.
            response.putHeader("Content-Length", Integer.toString(answer.der().length)).end();
            return;
        }
        response.end(io.vertx.core.buffer.Buffer.buffer(answer.der()));
    }

    /**
     * The request in a GET path: base64, URL-encoded as RFC 6960 asks, or as clients actually send it, unencoded
     * (with '/' in the path) or in the base64url alphabet, with or without padding. Null when it is none of these.
     */
    static byte[] decode(String path) {
        String text = percentDecode(path);
        if (text == null || text.isEmpty()) {
            return null;
        }
        text = text.replace('-', '+').replace('_', '/').replace(" ", "+");
        int pad = (4 - text.length() % 4) % 4;
        if (!text.endsWith("=") && pad > 0 && pad < 3) {
            text = text + "=".repeat(pad);
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** %XX escapes only: a '+' is a base64 digit here, not a space. Null for a broken escape. */
    private static String percentDecode(String text) {
        try {
            return java.net.URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

}
