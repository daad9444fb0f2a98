package org.certdir.aia;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.certdir.directory.publication.CertsOnlyPkcs7;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.Registry;

/**
 * What a client following a certificate's AIA caIssuers URL gets (RFC 5280 §4.2.2.1): the CA's certificate (DER),
 * and its chain up to the root as a certs-only PKCS#7 (RFC 2585 {@code .p7c}). The chain is built from the CAs in
 * the registry: each certificate's issuer is the CA whose subject is its issuer name and whose key verifies its
 * signature, so two CAs with one name (a re-keyed CA) are told apart. Kept for a minute, so a CA imported later
 * completes a chain soon after.
 */
public final class CaChains {

    /** The bytes served for one CA, with the validator HTTP caches use. */
    public record Published(byte[] certificate, String certificateTag, byte[] chain, String chainTag, int chainLength, Instant lastModified) {
    }

    /** A chain longer than this is a loop or a mistake, not a PKI. */
    private static final int MAX_DEPTH = 10;

    private final Registry registry;
    private final Cache<CaName, Optional<Published>> cache = Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1)).maximumSize(1000).build();

    public CaChains(Registry registry) {
        this.registry = registry;
    }

    /** The published form of {@code ca}; empty when the registry holds no such CA. Reads the registry: not on an event loop. */
    public Optional<Published> of(CaName ca) {
        return cache.get(ca, name -> registry.ca(name).map(record -> publish(record, registry.cas())));
    }

    private static Published publish(CaRecord ca, List<CaRecord> all) {
        List<X509Certificate> chain = chain(ca, all);
        byte[] certificate = ca.certificate().der();
        byte[] p7c = CertsOnlyPkcs7.encode(chain);
        // A chain changes only when a certificate joins it: the newest notBefore is its modification time.
        Instant lastModified = chain.stream().map(each -> each.getNotBefore().toInstant()).max(Instant::compareTo).orElseThrow();
        return new Published(certificate, EntityTag.of(certificate), p7c, EntityTag.of(p7c), chain.size(), lastModified);
    }

    /** {@code ca} first, then each issuer up to a self-signed root or the first issuer the registry does not hold. */
    static List<X509Certificate> chain(CaRecord ca, List<CaRecord> all) {
        List<X509Certificate> chain = new ArrayList<>();
        X509Certificate current = ca.certificate().certificate();
        chain.add(current);
        while (chain.size() < MAX_DEPTH && !selfIssued(current)) {
            X509Certificate issuer = issuerOf(current, all);
            if (issuer == null || chain.contains(issuer)) {
                break;
            }
            chain.add(issuer);
            current = issuer;
        }
        return chain;
    }

    private static X509Certificate issuerOf(X509Certificate certificate, List<CaRecord> all) {
        for (CaRecord candidate : all) {
            X509Certificate issuer = candidate.certificate().certificate();
            if (issuer.getSubjectX500Principal().equals(certificate.getIssuerX500Principal()) && !issuer.equals(certificate)) {
                try {
                    certificate.verify(issuer.getPublicKey());
                    return issuer;
                } catch (GeneralSecurityException notThisOne) {
                    // Same name, another key: keep looking.
                }
            }
        }
        return null;
    }

    private static boolean selfIssued(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
    }
}
