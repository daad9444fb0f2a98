package org.certdir.ops.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to a request whose body could not be read, on every route of a listener: a broken chunked encoding (a
 * chunk size that is not hex, say) is a 400 naming what is wrong, and the connection closes; a client that hung up
 * before its body ended gets nothing, as nobody is left to answer. Either way no route has run: the body is read
 * whole before a route acts on it.
 *
 * <p>Vert.x's BodyHandler reports a broken request stream by failing the route with the stream's exception and the
 * response's status so far, 200 (400 for a Netty DecoderException). Left to the router, the client got "200 OK";
 * left to the admin API's own failure handler, a 500. A failure that carries a cause and a status below 500 comes
 * from there: routes fail with an exception alone, which Vert.x counts as a 500.
 */
final class UnreadableBody implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(UnreadableBody.class);
    /** The most of a refused body read and dropped before the connection is closed regardless. */
    private static final int DRAIN_LIMIT = 1024 * 1024;

    @Override
    public void handle(RoutingContext context) {
        Throwable failure = context.failure();
        if (failure == null || context.statusCode() < 0 || context.statusCode() >= 500) {
            context.next();
            return;
        }
        HttpServerRequest request = context.request();
        if (failure instanceof HttpClosedException || context.response().closed()) {
            LOG.debug("{} {} from {}: the client closed the connection before its body ended", request.method(), request.path(),
                    request.remoteAddress());
            return;
        }
        LOG.debug("{} {} from {}: unreadable body: {}", request.method(), request.path(), request.remoteAddress(), String.valueOf(failure));
        context.response().putHeader("Connection", "close");
        String reason = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        HttpListeners.error(context, 400, "the request body could not be read (" + reason + "): send the request again with a well-formed body");
        // The connection ends with this request, but only once the refused body has come in: closing with unread bytes
        // makes TCP reset the connection, and the client may lose the answer. BodyHandler stopped reading, so the rest
        // is read and dropped here, up to DRAIN_LIMIT; the listener's idle timeout ends a client that never sends it.
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
}
