package org.certdir.ops.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the connections one client address holds open on a listener: a connection over the bound is closed as
 * soon as it is accepted. Without it, one client that opens connections and never uses them takes every file
 * descriptor of the process (19,950 idle connections stopped HTTP, LDAP and the admin API at once). The count
 * is shared by every server of the listener (one per event loop), and an address leaves the map with its last
 * connection, so the map is bounded by the connections open.
 */
final class ConnectionCap implements Handler<HttpConnection> {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionCap.class);

    private final String listener;
    private final int max;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    ConnectionCap(String listener, int max) {
        this.listener = listener;
        this.max = max;
    }

    @Override
    public void handle(HttpConnection connection) {
        String address = connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
        int count = open.merge(address, 1, Integer::sum);
        connection.closeHandler(closed -> open.computeIfPresent(address, (key, n) -> n <= 1 ? null : n - 1));
        if (count > max) {
            if (count == max + 1) {
                // Once per crossing, not per refused connection: a flood must not flood the log too.
                LOG.warn("{}: {} holds {} connections, the most certdir.http.max-connections-per-address allows; closing the ones over it",
                        listener, address, max);
            }
            connection.close();
        }
    }
}
