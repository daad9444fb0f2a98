package org.certdir.aia.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Ends an answer with its body, or, for HEAD, with the same headers and no body (RFC 9110 §9.3.2): Vert.x writes
 * whatever body it is given, HEAD or not.
 */
public final class ResponseBody {

    private ResponseBody() {
    }

    public static void end(RoutingContext context, Buffer body) {
        if (context.request().method() == HttpMethod.HEAD) {
            context.response().putHeader("Content-Length", Integer.toString(body.length())).end();
        } else {
            context.response().end(body);
        }
    }
}
