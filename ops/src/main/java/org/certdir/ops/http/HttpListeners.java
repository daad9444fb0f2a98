package org.certdir.ops.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.certdir.ops.StartupFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two HTTP listeners: the public one (OCSP, CRLs, AIA, trust list, certificate lookup, health) and the
 * admin API on its own port, every request of which must carry the bearer token.
 *
 * <p>Routes are added to {@link #publicRouter()} and {@link #adminRouter()} before {@link #start}, which makes every
 * GET route answer HEAD too; the admin router checks the token before any route runs. A request whose body cannot be
 * read is a 400 ({@link UnreadableBody}); anything else a route did not handle ends as a short JSON error, never a
 * stack trace.
 */
public final class HttpListeners implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpListeners.class);
    /** The audit trail's name for whoever holds the admin token. */
    public static final String ADMIN_ACTOR = "admin";

    private final Vertx vertx;
    private final Router publicRouter;
    private final Router adminRouter;
    /** One public server per core, sharing the port: Vert.x hands connections to them in turn, each on its own event loop. */
    private final java.util.List<HttpServer> publicServers = new java.util.ArrayList<>();
    private HttpServer adminServer;
    private final ConnectionCap publicCap;
    private final ConnectionCap adminCap;

    public HttpListeners(Vertx vertx, String adminToken) {
        this(vertx, adminToken, Integer.MAX_VALUE);
    }

    /** With at most {@code maxConnectionsPerAddress} connections open per client address on each listener. */
    public HttpListeners(Vertx vertx, String adminToken, int maxConnectionsPerAddress) {
        this.vertx = vertx;
        this.publicCap = new ConnectionCap("public HTTP", maxConnectionsPerAddress);
        this.adminCap = new ConnectionCap("admin API", maxConnectionsPerAddress);
        this.publicRouter = Router.router(vertx);
        this.adminRouter = Router.router(vertx);
        adminRouter.route().handler(new BearerToken(adminToken));
        for (Router router : new Router[] {publicRouter, adminRouter}) {
            router.errorHandler(404, context -> error(context, 404, "no such resource: " + context.request().path()));
            router.errorHandler(405, context -> error(context, 405, context.request().method() + " is not allowed on " + context.request().path()));
            router.errorHandler(500, context -> {
                LOG.error("request {} {} failed", context.request().method(), context.request().path(), context.failure());
                error(context, 500, "internal error; the server log has the details");
            });
        }
    }

    public Router publicRouter() {
        return publicRouter;
    }

    public Router adminRouter() {
        return adminRouter;
    }

    /** Binds both listeners; a port in use is a {@link StartupFailure} naming it and the setting to change. */
    public void start(String publicHost, int publicPort, String adminHost, int adminPort) {
        for (Router router : new Router[] {publicRouter, adminRouter}) {
            for (Route route : router.getRoutes()) {
                // RFC 9110 §9.1: a server supports HEAD wherever it supports GET; caches, CDNs and link checkers ask for
                // the headers alone. Routes end their answers through ResponseBody, which gives HEAD the Content-Length.
                if (route.methods() != null && route.methods().contains(HttpMethod.GET)) {
                    route.method(HttpMethod.HEAD);
                }
            }
            // After every route's own failure handler (OCSP answers an unreadable body with malformedRequest), so added last.
            router.route().failureHandler(new UnreadableBody());
        }
        HttpServer first = listen(publicRouter, publicCap, publicHost, publicPort, "public HTTP", "certdir.http.port");
        publicServers.add(first);
        for (int i = 1; i < Runtime.getRuntime().availableProcessors(); i++) {
            publicServers.add(listen(publicRouter, publicCap, publicHost, first.actualPort(), "public HTTP", "certdir.http.port"));
        }
        adminServer = listen(adminRouter, adminCap, adminHost, adminPort, "admin API", "certdir.admin.port");
    }

    private HttpServer listen(Router router, ConnectionCap cap, String host, int port, String what, String setting) {
        HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
                // Slow or idle clients are cut off rather than holding connections forever.
                .setIdleTimeout(30).setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setMaxInitialLineLength(8192).setMaxHeaderSize(16384)
                // Without h2c, Vert.x makes a connection an HTTP connection as soon as it is accepted, not at its first
                // bytes, so the per-address cap sees the idle ones too; OCSP and CRL clients speak HTTP/1.1.
                .setHttp2ClearTextEnabled(false);
        HttpServer server = vertx.createHttpServer(options).connectionHandler(cap).requestHandler(router);
        try {
            return await(server.listen());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BindException || String.valueOf(cause.getMessage()).contains("Address already in use")) {
                throw new StartupFailure(what + " port " + port + " on " + host + " is in use: stop the program using it or set " + setting);
            }
            throw new StartupFailure(what + " cannot listen on " + host + ":" + port + ": " + cause.getMessage(), cause);
        }
    }

    public int publicPort() {
        return publicServers.get(0).actualPort();
    }

    public int adminPort() {
        return adminServer.actualPort();
    }

    /** Stops accepting, lets requests in flight finish for up to {@code grace}, then closes. */
    public void shutdown(Duration grace) {
        java.util.List<HttpServer> servers = new java.util.ArrayList<>(publicServers);
        servers.add(adminServer);
        for (HttpServer server : servers) {
            if (server != null) {
                try {
                    await(server.shutdown(grace));
                } catch (ExecutionException e) {
                    LOG.warn("HTTP listener on port {} did not shut down cleanly: {}", server.actualPort(), e.getCause().getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }

    static void error(RoutingContext context, int status, String message) {
        json(context, status, new JsonObject().put("error", message));
    }

    public static void json(RoutingContext context, int status, JsonObject body) {
        if (context.response().ended()) {
            return;
        }
        context.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store");
        org.certdir.aia.http.ResponseBody.end(context, io.vertx.core.buffer.Buffer.buffer(body.encodePrettily() + "\n"));
    }

    private static <T> T await(Future<T> future) throws ExecutionException {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecutionException("interrupted", e);
        } catch (TimeoutException e) {
            throw new ExecutionException("no answer within 30 s", e);
        }
    }
}
