package org.certdir.ops;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.certdir.directory.embedded.EmbeddedDirectory;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the embedded directory from the registry when its partition fails while the service runs (a damaged JDBM
 * file fails every read from then on). Run periodically; it does nothing while the directory is well. The rebuild
 * closes the LDAP ports until the registry is published again: at ~150 entries a second, minutes for a large
 * directory, during which clients are refused rather than given a half-filled directory.
 */
final class DirectoryRepair implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryRepair.class);

    private final EmbeddedDirectory directory;
    private final Registry registry;
    private final String password;
    private final ResumableRepublication republication;
    private final Runnable afterRebuild;
    private final Path instance;
    private final long minFreeSpace;
    /** Set once a failed rebuild is logged: the next runs, every 5 s, log theirs at debug until one works. */
    private boolean failureLogged;
    /** Set once the wait for free space is logged. */
    private boolean waitLogged;

    /**
     * {@code republication} fills the new instance (a start after a crash during it republishes again); {@code afterRebuild}
     * puts back what the registry's publication does not hold (the CRLs on the CA entries). A rebuild waits until the file
     * system of {@code instance} has {@code minFreeSpace} bytes free: a partition that failed on a full disk would fail
     * again at once, and each attempt moves instances about on the full disk.
     */
    DirectoryRepair(EmbeddedDirectory directory, Registry registry, String password, ResumableRepublication republication, Runnable afterRebuild,
                    Path instance, long minFreeSpace) {
        this.directory = directory;
        this.registry = registry;
        this.password = password;
        this.republication = republication;
        this.afterRebuild = afterRebuild;
        this.instance = instance;
        this.minFreeSpace = minFreeSpace;
    }

    /** Usable bytes where the instance lives (its parent while a failed rebuild left none); unknown counts as enough. */
    private long freeSpace() {
        Path where = Files.exists(instance) ? instance : instance.toAbsolutePath().getParent();
        try {
            return Files.getFileStore(where).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public void run() {
        String failure = directory.partitionFailure();
        if (failure == null) {
            return;
        }
        long free = freeSpace();
        if (free < minFreeSpace) {
            if (!waitLogged) {
                waitLogged = true;
                LOG.warn("the directory is rebuilt from the registry once its file system has {} bytes free (certdir.health.min-free-space); "
                        + "it has {}: free space on it", minFreeSpace, free);
            }
            return;
        }
        waitLogged = false;
        try {
            Path damaged = directory.rebuild(port -> {
                try (LDAPConnection connection = new LDAPConnection(Service.directoryConnectionOptions(), "127.0.0.1", port,
                        EmbeddedDirectory.SERVICE_ACCOUNT, password)) {
                    DirectoryPublisher.Republication result = republication.run(new DirectoryPublisher(connection, directory.dit(), registry.clock()),
                            registry);
                    LOG.info("directory rebuilt from the registry: {} people published, {} refused", result.people(), result.refused().size());
                } catch (LDAPException e) {
                    throw new IllegalStateException("cannot publish into the rebuilt directory: " + e.getMessage(), e);
                }
            });
            LOG.warn("directory partition failed ({}); the damaged instance is in {}", failure, damaged);
            failureLogged = false;
            afterRebuild.run();
        } catch (RuntimeException e) {
            // Run by a scheduler: a throw would cancel the next runs. The next run tries again; on a full disk it fails the
            // same way until space is freed, so only the first failure is logged.
            if (!failureLogged) {
                failureLogged = true;
                LOG.error("rebuilding the directory failed, tried again every 5 s (logged again once it works): {}", e.getMessage());
                LOG.debug("rebuilding the directory failed", e);
            } else {
                LOG.debug("rebuilding the directory failed again: {}", e.getMessage(), e);
            }
        }
    }
}
