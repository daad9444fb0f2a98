package org.certdir.ops.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Lets a request through only with {@code Authorization: Bearer <token>}, compared in constant time so the
 * answer's timing tells nothing about how much of a guess was right. Anything else is a 401.
 */
final class BearerToken implements Handler<RoutingContext> {

    private final byte[] expected;

    BearerToken(String token) {
        this.expected = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(RoutingContext context) {
        String header = context.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            context.response().putHeader("WWW-Authenticate", "Bearer realm=\"certdir admin\"");
            HttpListeners.error(context, 401, "missing bearer token: send 'Authorization: Bearer <token>' with the token from DATA/admin.token");
            return;
        }
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, given)) {
            context.response().putHeader("WWW-Authenticate", "Bearer realm=\"certdir admin\", error=\"invalid_token\"");
            HttpListeners.error(context, 401, "wrong bearer token: use the token from DATA/admin.token");
            return;
        }
        context.next();
    }
}
