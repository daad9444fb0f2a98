package org.certdir.directory.embedded;

import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolEncoder;
import org.apache.mina.filter.codec.ProtocolEncoderOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ApacheDS's LDAP encoder with a bound on the response bytes queued for one connection. ApacheDS reads requests as fast
 * as they come and queues every response in memory until the client reads it: a client that sends searches and never
 * reads made the server hold ~178 MB per connection. Past the bound the connection is closed, which frees its queue;
 * the queue can exceed the bound by one response (a search's entries are written one message each).
 */
final class QueueLimitedEncoder implements ProtocolEncoder {

    private static final Logger LOG = LoggerFactory.getLogger(QueueLimitedEncoder.class);

    private final ProtocolEncoder ldap;
    private final long maxQueuedBytes;

    QueueLimitedEncoder(ProtocolEncoder ldap, long maxQueuedBytes) {
        this.ldap = ldap;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    @Override
    public void encode(IoSession session, Object message, ProtocolEncoderOutput out) throws Exception {
        long queued = session.getScheduledWriteBytes();
        if (queued > maxQueuedBytes && session.getScheduledWriteMessages() > 1) {
            if (!session.isClosing()) {
                LOG.info("ldap client {} disconnected: {} bytes of responses wait unread, more than {} (certdir.ldap.max-queued-bytes)",
                        session.getRemoteAddress(), queued, maxQueuedBytes);
                session.closeNow();
            }
            return;
        }
        ldap.encode(session, message, out);
    }

    @Override
    public void dispose(IoSession session) throws Exception {
        ldap.dispose(session);
    }
}
