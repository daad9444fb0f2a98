package org.certdir.directory.embedded;

import org.apache.directory.server.ldap.LdapServer;
import org.apache.mina.core.service.IoHandler;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFactory;
import org.apache.mina.filter.codec.ProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolEncoder;

/**
 * ApacheDS's LDAP server with certdir's {@link ClientLimits}, whose searches hold the directory's read lock throughout
 * ({@link WholeSearchLock}). ApacheDS builds each listener's MINA chain inside
 * {@code start()} from {@link #getProtocolCodecFactory()} and {@link #getHandler()}; overriding the two puts the
 * limits in place before the first connection is accepted, on every start (the listeners can be stopped and started
 * again), with no window in which a connection gets the chain without them.
 */
final class LimitedLdapServer extends LdapServer {

    private final ProtocolCodecFactory codec;
    private final ConnectionCap handler;

    /** {@code partitionFailures} hears of every error the directory partition throws while answering a client. */
    LimitedLdapServer(ClientLimits limits, java.util.function.Consumer<Throwable> partitionFailures) {
        ProtocolCodecFactory ldap = super.getProtocolCodecFactory();
        ProtocolDecoder decoder;
        ProtocolEncoder encoder;
        try {
            // ApacheDS's codec keeps no state of its own (a connection's is in its session): one of each serves all.
            decoder = new FramedDecoder(ldap.getDecoder(null), limits.maxFilterDepth(), limits.maxAnonymousRequestBytes(),
                    this::boundAsNamedAccount);
            encoder = new QueueLimitedEncoder(ldap.getEncoder(null), limits.maxQueuedBytes());
        } catch (Exception e) {
            // Exception: the interface declares it; ApacheDS's factory only returns its two instances.
            throw new IllegalStateException("ApacheDS's LDAP codec is not available: " + e.getMessage(), e);
        }
        this.codec = new ProtocolCodecFactory() {
            @Override
            public ProtocolEncoder getEncoder(IoSession session) {
                return encoder;
            }

            @Override
            public ProtocolDecoder getDecoder(IoSession session) {
                return decoder;
            }
        };
        this.handler = new ConnectionCap(new WholeSearchLock(super.getHandler(), this::getDirectoryService), limits.maxConnectionsPerAddress(),
                limits.idleTimeout(), this::boundAsNamedAccount, partitionFailures);
    }

    private boolean boundAsNamedAccount(IoSession session) {
        org.apache.directory.server.ldap.LdapSession ldapSession = getLdapSessionManager().getLdapSession(session);
        return ldapSession != null && ldapSession.isAuthenticated();
    }

    @Override
    public ProtocolCodecFactory getProtocolCodecFactory() {
        return codec;
    }

    @Override
    public IoHandler getHandler() {
        return handler;
    }

    ConnectionCap connectionCap() {
        return handler;
    }
}
