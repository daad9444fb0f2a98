package org.certdir.ops;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
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

    /**
     * {@code republication} fills the new instance (a start after a crash during it republishes again); {@code afterRebuild}
     * puts back what the registry's publication does not hold (the CRLs on the CA entries).
     */
    DirectoryRepair(EmbeddedDirectory directory, Registry registry, String password, ResumableRepublication republication, Runnable afterRebuild) {
        this.directory = directory;
        this.registry = registry;
        this.password = password;
        this.republication = republication;
        this.afterRebuild = afterRebuild;
    }

    @Override
    public void run() {
        String failure = directory.partitionFailure();
        if (failure == null) {
            return;
        }
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
            afterRebuild.run();
        } catch (RuntimeException e) {
            // Run by a scheduler: a throw would cancel the next runs. The next run tries again.
            LOG.error("rebuilding the directory failed: {}", e.getMessage(), e);
        }
    }
}
