package org.certdir.ops.ca;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bouncycastle.asn1.x500.X500Name;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.PendingCa;
import org.certdir.registry.Registry;

/**
 * What keeps a CA's names its own: its short name (its URLs and its key file {@code keys/<name>.p12}) and its subject
 * CN (its directory entry {@code cn=<CN>,ou=CAs}, and the LDAP URL in the CRL distribution points of what it issues).
 */
final class CaNames {

    /** Held by every creation and installation: two at once could both find a name free. */
    static final Object CHANGES = new Object();

    private CaNames() {
    }

    /** The CA's key file, relative to the data directory, as the demo has always named it. */
    static String keyFile(CaName name) {
        return "keys/" + name + ".p12";
    }

    /**
     * Refuses a {@code name} another CA (registered or pending) has, a {@code commonName} another CA has, and a key file
     * left on disk under the name: a CA's key is never overwritten.
     */
    static void requireFree(Registry registry, Path dataDirectory, CaName name, String commonName) {
        if (registry.ca(name).isPresent()) {
            throw new InvalidCaRequest("name", "a CA named '" + name + "' is already registered ('certdir ca list' shows them): give the new CA another name");
        }
        for (PendingCa pending : registry.pendingCas()) {
            if (pending.name().equals(name)) {
                throw new InvalidCaRequest("name", "a CA named '" + name + "' is pending (its certificate is to come: 'certdir ca install'):"
                        + " give the new CA another name");
            }
        }
        requireCommonNameFree(registry, commonName, null);
        Path key = dataDirectory.resolve(keyFile(name));
        if (Files.exists(key)) {
            throw new InvalidCaRequest("name", "key file " + key + " exists though no CA named '" + name + "' is registered (left from an earlier"
                    + " attempt?): certdir never overwrites a key; move the file away or give the new CA another name");
        }
    }

    /** Refuses a {@code commonName} that a CA other than {@code self} has (registered or pending). */
    static void requireCommonNameFree(Registry registry, String commonName, CaName self) {
        for (CaRecord ca : registry.cas()) {
            if (!ca.name().equals(self) && commonName.equals(ca.certificate().commonName())) {
                throw new InvalidCaRequest("subject", "CA '" + ca.name() + "' has the CN '" + commonName + "' already: a CA's directory entry is"
                        + " cn=<CN>,ou=CAs, so give the new CA another CN");
            }
        }
        for (PendingCa pending : registry.pendingCas()) {
            String pendingName = CaRequest.commonName(X500Name.getInstance(new javax.security.auth.x500.X500Principal(pending.subject()).getEncoded()));
            if (!pending.name().equals(self) && commonName.equals(pendingName)) {
                throw new InvalidCaRequest("subject", "pending CA '" + pending.name() + "' has the CN '" + commonName + "' already: a CA's directory"
                        + " entry is cn=<CN>,ou=CAs, so give the new CA another CN");
            }
        }
    }
}
