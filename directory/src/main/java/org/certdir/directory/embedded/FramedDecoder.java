package org.certdir.directory.embedded;

import java.nio.ByteBuffer;
import java.util.function.Predicate;
import org.apache.directory.api.ldap.codec.api.LdapDecoder;
import org.apache.directory.api.ldap.codec.api.LdapMessageContainer;
import org.apache.directory.api.ldap.model.message.OpaqueExtendedResponse;
import org.apache.directory.api.ldap.model.message.ResultCodeEnum;
import org.apache.directory.api.ldap.model.message.SearchResultDoneImpl;
import org.apache.directory.api.ldap.model.message.extended.NoticeOfDisconnect;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolDecoderException;
import org.apache.mina.filter.codec.ProtocolDecoderOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ApacheDS's LDAP decoder behind a {@link RequestFraming}: a message the framing finds a problem with never reaches
 * the decoder whole. A search whose filter nests too deep, or that has too many elements, is answered
 * {@code unwillingToPerform} naming the limit, and the connection goes on; any other such message, or bytes that are not
 * BER, end the connection with a notice of disconnection ({@code protocolError}, RFC 4511 §4.4.1).
 */
final class FramedDecoder implements ProtocolDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(FramedDecoder.class);
    private static final String FRAMING = FramedDecoder.class.getName() + ".framing";
    /** Set once a connection is being dropped: whatever else it sends is ignored. */
    private static final String DROPPED = FramedDecoder.class.getName() + ".dropped";

    private final ProtocolDecoder ldap;
    private final int maxFilterDepth;
    private final long maxAnonymousRequestBytes;
    private final Predicate<IoSession> boundAsNamedAccount;

    /**
     * @param boundAsNamedAccount whether a connection has bound as a named account (certdir's own publisher, an
     *                            admin); the others, anonymous mail clients and everyone before a bind, may send
     *                            messages up to {@code maxAnonymousRequestBytes}
     */
    FramedDecoder(ProtocolDecoder ldap, int maxFilterDepth, long maxAnonymousRequestBytes, Predicate<IoSession> boundAsNamedAccount) {
        this.ldap = ldap;
        this.maxFilterDepth = maxFilterDepth;
        this.maxAnonymousRequestBytes = maxAnonymousRequestBytes;
        this.boundAsNamedAccount = boundAsNamedAccount;
    }

    @Override
    public void decode(IoSession session, IoBuffer in, ProtocolDecoderOutput out) throws Exception {
        ByteBuffer buffer = in.buf();
        int position = buffer.position();
        int limit = buffer.limit();
        // MINA calls again while bytes remain: everything handed in is consumed here, one way or another.
        in.position(limit);
        if (session.containsAttribute(DROPPED)) {
            return;
        }
        RequestFraming framing = (RequestFraming) session.getAttribute(FRAMING);
        if (framing == null) {
            framing = new RequestFraming(maxFilterDepth, ClientLimits.MAX_ELEMENTS_PER_REQUEST);
            session.setAttribute(FRAMING, framing);
        }
        // Asked per read, not per message: a client that pipelines a large request behind its bind, before the bind's
        // answer, is held to the anonymous size. Clients wait for the bind result (RFC 4511 §4.2.1 asks them to).
        framing.limitMessageBytes(boundAsNamedAccount.test(session) ? Long.MAX_VALUE : maxAnonymousRequestBytes);
        while (true) {
            if (framing.problem() != null) {
                position += framing.skip(limit - position);
                if (framing.problem() != null) {
                    return; // the rest of the refused message is still to come
                }
                refuseSearch(session, framing);
            }
            if (position == limit) {
                return;
            }
            int stop = framing.scan(buffer, position, limit);
            if (stop > position) {
                decodeWhole(session, buffer, position, stop, out);
            }
            position = stop;
            RequestFraming.Problem problem = framing.problem();
            if (problem != null) {
                // The decoder holds the start of this message: forget it, the rest is skipped.
                container(session).clean();
                if (problem == RequestFraming.Problem.TOO_LARGE) {
                    dropTooLarge(session, framing);
                    return;
                }
                if (problem == RequestFraming.Problem.MALFORMED || !framing.refusedSearch()) {
                    drop(session, problem);
                    return;
                }
            }
        }
    }

    /** Hands complete or partial messages without a problem to ApacheDS's decoder. */
    private void decodeWhole(IoSession session, ByteBuffer buffer, int from, int to, ProtocolDecoderOutput out) throws Exception {
        ByteBuffer part = buffer.duplicate();
        part.limit(to).position(from);
        try {
            ldap.decode(session, IoBuffer.wrap(part), out);
        } catch (Exception e) {
            // ApacheDS's decoder drops the rest of what it was given and starts afresh with the next read: so do we.
            restart(session);
            throw e;
        } catch (StackOverflowError e) {
            // Never expected behind the framing; if it happens, it costs this connection, not the I/O thread and
            // every connection on it (MINA rethrows errors, which ends the thread).
            restart(session);
            throw new ProtocolDecoderException("request too complex to decode (stack overflow)");
        }
    }

    private void restart(IoSession session) {
        container(session).clean();
        session.removeAttribute(FRAMING);
    }

    private void refuseSearch(IoSession session, RequestFraming framing) {
        String reason = framing.refusedProblem() == RequestFraming.Problem.FILTER_TOO_DEEP
                ? "search filter nested deeper than " + framing.maxFilterDepth() + " levels: refused (certdir.ldap.max-filter-depth)"
                : "search request with more than " + framing.maxElements() + " elements: refused";
        LOG.debug("ldap client {}: {}", session.getRemoteAddress(), reason);
        SearchResultDoneImpl done = new SearchResultDoneImpl(framing.refusedMessageId());
        done.getLdapResult().setResultCode(ResultCodeEnum.UNWILLING_TO_PERFORM);
        done.getLdapResult().setDiagnosticMessage(reason);
        session.write(done);
    }

    private static void drop(IoSession session, RequestFraming.Problem problem) {
        LOG.debug("ldap client {} disconnected: {} request", session.getRemoteAddress(), problem);
        session.setAttribute(DROPPED, Boolean.TRUE);
        session.removeAttribute(FRAMING);
        session.write(NoticeOfDisconnect.PROTOCOLERROR);
        session.closeOnFlush();
    }

    /**
     * A request over the anonymous size: the connection ends, with a notice that names the limit, rather than reading
     * (up to max-pdu-size) bytes only to throw them away.
     */
    private static void dropTooLarge(IoSession session, RequestFraming framing) {
        String reason = "LDAP request larger than " + framing.maxMessageBytes() + " bytes from a client not bound as certdir's "
                + "own account: refused, connection closed (certdir.ldap.max-anonymous-request-size)";
        LOG.debug("ldap client {} disconnected: {}", session.getRemoteAddress(), reason);
        session.setAttribute(DROPPED, Boolean.TRUE);
        session.removeAttribute(FRAMING);
        OpaqueExtendedResponse notice = new OpaqueExtendedResponse(0, NoticeOfDisconnect.EXTENSION_OID);
        notice.getLdapResult().setResultCode(ResultCodeEnum.ADMIN_LIMIT_EXCEEDED);
        notice.getLdapResult().setDiagnosticMessage(reason);
        session.write(notice);
        session.closeOnFlush();
    }

    private static LdapMessageContainer<?> container(IoSession session) {
        return (LdapMessageContainer<?>) session.getAttribute(LdapDecoder.MESSAGE_CONTAINER_ATTR);
    }

    @Override
    public void finishDecode(IoSession session, ProtocolDecoderOutput out) throws Exception {
        ldap.finishDecode(session, out);
    }

    @Override
    public void dispose(IoSession session) throws Exception {
        ldap.dispose(session);
    }
}
