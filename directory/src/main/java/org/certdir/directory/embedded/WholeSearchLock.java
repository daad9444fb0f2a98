package org.certdir.directory.embedded;

import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;
import org.apache.directory.api.ldap.model.message.SearchRequest;
import org.apache.directory.server.core.api.DirectoryService;
import org.apache.mina.core.service.IoHandler;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.FilterEvent;

/**
 * ApacheDS's LDAP handler, holding the directory's read lock for the whole of each search, as every write already holds
 * the write lock for the whole of its change.
 *
 * <p>Why: ApacheDS 2.0.0.AM27 takes the read lock of its operation manager only while a search builds its cursor and
 * while it fetches each entry; the entry filters then run with no lock. Those filters read the entry object the
 * partition caches, not only the copy the search returns ({@code ServerEntryUtils.filterContents} iterates over the
 * cached entry's attributes to drop the ones not asked for), and a modify changes that same object in place (JDBM's
 * page cache and the entry cache hand out one object per entry). A modify that adds or removes an attribute while a
 * search of the same entry is past its fetch fails the search with a {@code ConcurrentModificationException}, answered
 * {@code other}, or makes it return attributes the client did not ask for. {@code ConcurrentReadWriteIT} shows both.
 *
 * <p>Holding the lock here, around ApacheDS's whole search handler, makes a write wait for the searches under way and
 * a search wait for the write under way, which ApacheDS already does for each fetch; the lock is reentrant, so the
 * locks ApacheDS takes inside the search nest in it. Searches never wait for the network while they hold it: responses
 * are queued (and bounded by {@link QueueLimitedEncoder}), not written synchronously. The partition's entry cache is not
 * the cause and turning it off would not help: without it, every read and write still shares JDBM's cached object.
 */
final class WholeSearchLock implements IoHandler {

    private final IoHandler ldap;
    private final Supplier<DirectoryService> directory;

    /** {@code directory} is read at each search: the LDAP server gets its directory service after this handler exists. */
    WholeSearchLock(IoHandler ldap, Supplier<DirectoryService> directory) {
        this.ldap = ldap;
        this.directory = directory;
    }

    @Override
    public void messageReceived(IoSession session, Object message) throws Exception {
        if (!(message instanceof SearchRequest)) {
            ldap.messageReceived(session, message);
            return;
        }
        Lock read = directory.get().getOperationManager().getRWLock().readLock();
        read.lock();
        try {
            ldap.messageReceived(session, message);
        } finally {
            read.unlock();
        }
    }

    @Override
    public void sessionCreated(IoSession session) throws Exception {
        ldap.sessionCreated(session);
    }

    @Override
    public void sessionOpened(IoSession session) throws Exception {
        ldap.sessionOpened(session);
    }

    @Override
    public void sessionClosed(IoSession session) throws Exception {
        ldap.sessionClosed(session);
    }

    @Override
    public void sessionIdle(IoSession session, IdleStatus status) throws Exception {
        ldap.sessionIdle(session, status);
    }

    @Override
    public void exceptionCaught(IoSession session, Throwable cause) throws Exception {
        ldap.exceptionCaught(session, cause);
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
