package org.certdir.directory.embedded;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.mina.core.service.IoHandler;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.FilterEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ApacheDS's LDAP handler with a cap on the connections open from one IP address, LDAP and LDAPS together: a connection past
 * the cap is closed as it is accepted, before any byte is read (and before a TLS handshake). Without it, 19,950 idle
 * connections from one client exhausted the file descriptors of the whole service.
 *
 * <p>It also hears of every exception a request ends with, and passes on those of the partition: JDBM reports a damaged
 * file with a plain {@code java.lang.Error} ("ERR_546 CRITICAL: page header magic ... not OK", "ERR_554 double get for
 * block 0") from a request thread, after which ApacheDS only disconnects clients with {@code protocolError}.
 */
final class ConnectionCap implements IoHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionCap.class);
    private static final String ADDRESS = ConnectionCap.class.getName() + ".address";
    private static final long WARN_EVERY_NANOS = 60_000_000_000L;

    private final IoHandler ldap;
    private final int maxPerAddress;
    private final ConcurrentMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    private final Consumer<Throwable> partitionFailures;
    private final int idleSeconds;
    private final Predicate<IoSession> boundAsNamedAccount;

    /**
     * {@code idleTimeout}: a connection that sends and receives nothing that long is closed, unless it is bound as a
     * named account (certdir's own publisher keeps pooled connections open between changes).
     */
    ConnectionCap(IoHandler ldap, int maxPerAddress, Duration idleTimeout, Predicate<IoSession> boundAsNamedAccount,
                  Consumer<Throwable> partitionFailures) {
        this.ldap = ldap;
        this.maxPerAddress = maxPerAddress;
        this.idleSeconds = Math.toIntExact(idleTimeout.toSeconds());
        this.boundAsNamedAccount = boundAsNamedAccount;
        this.partitionFailures = partitionFailures;
    }

    /** JDBM throws java.lang.Error itself; anything thrown from its classes counts too. */
    static boolean isPartitionFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t.getClass() == Error.class) {
                return true;
            }
            StackTraceElement[] stack = t.getStackTrace();
            if (stack.length > 0 && stack[0].getClassName().startsWith("jdbm.")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void sessionCreated(IoSession session) throws Exception {
        InetAddress address = session.getRemoteAddress() instanceof InetSocketAddress socket ? socket.getAddress() : null;
        int count = 0;
        if (address != null) {
            count = open.merge(address, 1, Integer::sum);
            session.setAttribute(ADDRESS, address);
        }
        ldap.sessionCreated(session);
        session.getConfig().setIdleTime(IdleStatus.BOTH_IDLE, idleSeconds);
        if (count > maxPerAddress) {
            warn(address);
            session.closeNow();
        }
    }

    /** One line a minute at most: a client hammering the listener must not fill the log. */
    private void warn(InetAddress address) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            LOG.warn("ldap client {} has {} connections open: more are closed at accept (certdir.ldap.max-connections-per-address)",
                    address.getHostAddress(), maxPerAddress);
        }
    }

    @Override
    public void sessionClosed(IoSession session) throws Exception {
        InetAddress address = (InetAddress) session.removeAttribute(ADDRESS);
        if (address != null) {
            open.computeIfPresent(address, (key, count) -> count == 1 ? null : count - 1);
        }
        ldap.sessionClosed(session);
    }

    /** Open connections from {@code address}, for tests. */
    int open(InetAddress address) {
        return open.getOrDefault(address, 0);
    }

    @Override
    public void sessionOpened(IoSession session) throws Exception {
        ldap.sessionOpened(session);
    }

    @Override
    public void sessionIdle(IoSession session, IdleStatus status) throws Exception {
        if (status == IdleStatus.BOTH_IDLE && !boundAsNamedAccount.test(session)) {
            // Without this an anonymous client holds its connections, and their file descriptors, for ever.
            LOG.debug("ldap client {} idle for {} s: closed (certdir.ldap.idle-timeout)", session.getRemoteAddress(), idleSeconds);
            session.closeNow();
            return;
        }
        ldap.sessionIdle(session, status);
    }

    @Override
    public void exceptionCaught(IoSession session, Throwable cause) throws Exception {
        if (isPartitionFailure(cause)) {
            partitionFailures.accept(cause);
        }
        ldap.exceptionCaught(session, cause);
    }

    @Override
    public void messageReceived(IoSession session, Object message) throws Exception {
        ldap.messageReceived(session, message);
    }

    @Override
    public void messageSent(IoSession session, Object message) throws Exception {
        ldap.messageSent(session, message);
    }

    @Override
    public void inputClosed(IoSession session) throws Exception {
        ldap.inputClosed(session);
    }

    @Override
    public void event(IoSession session, FilterEvent event) throws Exception {
        ldap.event(session, event);
    }
}
