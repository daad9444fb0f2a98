package org.certdir.directory.embedded;

import java.nio.file.Path;
import java.time.Duration;
import org.certdir.schemas.Dit;

/**
 * How the embedded directory runs.
 *
 * @param instance       the instance directory (partitions, schema); kept across restarts
 * @param host           the address both listeners bind to
 * @param ldapPort       plain LDAP port (0 picks a free one)
 * @param ldapsPort      LDAPS port (0 picks a free one); ignored without a TLS key store
 * @param tlsKeyStore    PKCS#12 with exactly one key entry whose key password is the store password; null: no LDAPS
 * @param tlsPassword    the key store's password
 * @param adminPassword  the password of the service's own account, {@code uid=admin,ou=system}
 * @param sizeLimit      most entries a search returns to anyone but the service account
 * @param timeLimit      longest a search may run for anyone but the service account
 * @param maxPduSize     largest request accepted, in octets
 * @param requestThreads threads answering requests
 * @param entryCache     entries the suffix partition caches: read speed depends on it
 * @param clientLimits   what one client may cost: filter depth, unread response bytes, connections per address
 */
public record DirectorySettings(
        Path instance,
        Dit dit,
        String host,
        int ldapPort,
        int ldapsPort,
        Path tlsKeyStore,
        String tlsPassword,
        String adminPassword,
        int sizeLimit,
        Duration timeLimit,
        int maxPduSize,
        int requestThreads,
        int entryCache,
        ClientLimits clientLimits) {

    /** Settings with the default {@link ClientLimits}. */
    public DirectorySettings(Path instance, Dit dit, String host, int ldapPort, int ldapsPort, Path tlsKeyStore, String tlsPassword,
                             String adminPassword, int sizeLimit, Duration timeLimit, int maxPduSize, int requestThreads, int entryCache) {
        this(instance, dit, host, ldapPort, ldapsPort, tlsKeyStore, tlsPassword, adminPassword, sizeLimit, timeLimit, maxPduSize,
                requestThreads, entryCache, ClientLimits.DEFAULTS);
    }
}
