package org.certdir.directory.embedded;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.directory.api.ldap.model.entry.Entry;
import org.apache.directory.api.ldap.model.exception.LdapException;
import org.apache.directory.api.ldap.model.exception.LdapServiceUnavailableException;
import org.apache.directory.api.ldap.model.message.ResultCodeEnum;
import org.apache.directory.api.ldap.model.schema.SchemaManager;
import org.apache.directory.server.core.api.DnFactory;
import org.apache.directory.server.core.api.filtering.EntryFilteringCursor;
import org.apache.directory.server.core.api.interceptor.context.AddOperationContext;
import org.apache.directory.server.core.api.interceptor.context.DeleteOperationContext;
import org.apache.directory.server.core.api.interceptor.context.HasEntryOperationContext;
import org.apache.directory.server.core.api.interceptor.context.LookupOperationContext;
import org.apache.directory.server.core.api.interceptor.context.ModifyOperationContext;
import org.apache.directory.server.core.api.interceptor.context.MoveAndRenameOperationContext;
import org.apache.directory.server.core.api.interceptor.context.MoveOperationContext;
import org.apache.directory.server.core.api.interceptor.context.RenameOperationContext;
import org.apache.directory.server.core.api.interceptor.context.SearchOperationContext;
import org.apache.directory.server.core.api.partition.PartitionTxn;
import org.apache.directory.server.core.api.partition.PartitionWriteTxn;
import org.apache.directory.server.core.partition.impl.btree.jdbm.JdbmPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The suffix's JDBM partition, stopped at its first failure: from then on every read and write of it is refused with
 * {@code unavailable} until the instance is rebuilt from the registry.
 *
 * <p>Design notes. Two failures are recorded: a write whose commit fails (a full disk: "No space left on device"),
 * seen here, and a damaged file (JDBM's {@code java.lang.Error}), which {@link ConnectionCap} reports. After either,
 * what the partition answers cannot be trusted. ApacheDS AM27 puts a modified entry into its entry cache before the
 * transaction commits, and the rollback after a failed commit leaves it there: reads then show a change that is not on
 * disk, and a retried write finds nothing to change and is taken as done, though the disk never got it. A damaged file
 * fails only the requests that reach a damaged page; the others are still answered, from a file known to be bad. So
 * the partition refuses everything, clients get a clear LDAP error, and the directory is rebuilt from the registry
 * ({@code DirectoryRepair} in ops). Other exceptions from reads are not taken for damage: ApacheDS throws and handles
 * some in its normal work (a NullPointerException from an entry read while it starts, for one).
 */
final class FailStopPartition extends JdbmPartition {

    private static final Logger LOG = LoggerFactory.getLogger(FailStopPartition.class);

    /** The failure, shared with the directory's LDAP handler and the repair; null while the partition is well. */
    private final AtomicReference<String> failure;

    FailStopPartition(SchemaManager schemaManager, DnFactory dnFactory, AtomicReference<String> failure) {
        super(schemaManager, dnFactory);
        this.failure = failure;
    }

    /** Records {@code cause} as the partition's failure, once: the first one is what broke it. */
    static void record(AtomicReference<String> failure, Throwable cause, String doing) {
        if (failure.compareAndSet(null, cause.toString())) {
            LOG.error("the directory partition failed {}: {}; its lookups are refused until it is rebuilt from the registry", doing, cause.toString());
        }
    }

    private void refuseIfFailed() throws LdapException {
        String failed = failure.get();
        if (failed != null) {
            throw new LdapServiceUnavailableException(ResultCodeEnum.UNAVAILABLE, "the directory is unavailable: its partition threw " + failed
                    + "; it is being rebuilt from the registry, try again later");
        }
    }

    @Override
    public PartitionWriteTxn beginWriteTransaction() {
        PartitionWriteTxn transaction = super.beginWriteTransaction();
        return new PartitionWriteTxn() {
            @Override
            public void commit() throws IOException {
                try {
                    transaction.commit();
                } catch (IOException | Error e) {
                    // Error: JDBM reports a damaged file with java.lang.Error; VirtualMachineError is not about the partition.
                    if (!(e instanceof VirtualMachineError)) {
                        record(failure, e, "writing");
                    }
                    throw e;
                }
            }

            @Override
            public void abort() throws IOException {
                transaction.abort();
            }

            @Override
            public boolean isClosed() {
                return transaction.isClosed();
            }

            @Override
            public void close() throws IOException {
                // JDBM's close commits.
                commit();
            }
        };
    }

    /**
     * Nothing is written from a failed partition: its memory may hold what never reached the disk, and the instance is
     * replaced by the rebuild. On a full disk the write would fail too, and ApacheDS's shutdown stops at a failed sync
     * before it closes the partition's files, which then stay open, their space held even after they are deleted.
     */
    @Override
    public void sync() throws LdapException {
        if (failure.get() == null) {
            super.sync();
        }
    }

    @Override
    public void saveContextCsn(PartitionTxn transaction) throws LdapException {
        if (failure.get() == null) {
            super.saveContextCsn(transaction);
        }
    }

    @Override
    public EntryFilteringCursor search(SearchOperationContext context) throws LdapException {
        refuseIfFailed();
        return super.search(context);
    }

    @Override
    public Entry lookup(LookupOperationContext context) throws LdapException {
        refuseIfFailed();
        return super.lookup(context);
    }

    @Override
    public boolean hasEntry(HasEntryOperationContext context) throws LdapException {
        refuseIfFailed();
        return super.hasEntry(context);
    }

    @Override
    public void add(AddOperationContext context) throws LdapException {
        refuseIfFailed();
        super.add(context);
    }

    @Override
    public Entry delete(DeleteOperationContext context) throws LdapException {
        refuseIfFailed();
        return super.delete(context);
    }

    @Override
    public void modify(ModifyOperationContext context) throws LdapException {
        refuseIfFailed();
        super.modify(context);
    }

    @Override
    public void move(MoveOperationContext context) throws LdapException {
        refuseIfFailed();
        super.move(context);
    }

    @Override
    public void moveAndRename(MoveAndRenameOperationContext context) throws LdapException {
        refuseIfFailed();
        super.moveAndRename(context);
    }

    @Override
    public void rename(RenameOperationContext context) throws LdapException {
        refuseIfFailed();
        super.rename(context);
    }
}
