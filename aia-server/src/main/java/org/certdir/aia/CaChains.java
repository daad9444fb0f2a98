package org.certdir.aia;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
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
 * its chain up to the root as a certs-only PKCS#7 (RFC 2585 {@code .p7c}), and the cross-certificates other CAs
 * issued for it, when there are any, as another. The chain is built from the CAs in
 * the registry: each certificate's issuer is the CA whose subject is its issuer name and whose key verifies its
 * signature, so two CAs with one name (a re-keyed CA) are told apart. Built for each request (a few CAs, a few
 * milliseconds), so a CA or cross-certificate imported a moment ago is in the next answer.
 */
public final class CaChains {

    /** The bytes served for one CA, with the validator HTTP caches use. */
    public record Published(byte[] certificate, String certificateTag, byte[] chain, String chainTag, int chainLength, Instant lastModified,
                            byte[] crossCertificates, String crossTag) {
    }

    /** A chain longer than this is a loop or a mistake, not a PKI. */
    private static final int MAX_DEPTH = 10;

    private final Registry registry;

    public CaChains(Registry registry) {
        this.registry = registry;
    }

    /** The published form of {@code ca}; empty when the registry holds no such CA. Reads the registry: not on an event loop. */
    public Optional<Published> of(CaName ca) {
        return registry.ca(ca).map(record -> publish(record, registry.cas(), registry.crossCertificates(ca)));
    }

    private static Published publish(CaRecord ca, List<CaRecord> all, List<org.certdir.registry.CertificateDetails> crossCertificates) {
        List<X509Certificate> chain = chain(ca, all);
        byte[] certificate = ca.certificate().der();
        byte[] p7c = CertsOnlyPkcs7.encode(chain);
        // A chain changes only when a certificate joins it: the newest notBefore is its modification time.
        Instant lastModified = chain.stream().map(each -> each.getNotBefore().toInstant()).max(Instant::compareTo).orElseThrow();
        byte[] cross = crossCertificates.isEmpty() ? null
                : CertsOnlyPkcs7.encode(crossCertificates.stream().map(org.certdir.registry.CertificateDetails::certificate).toList());
        return new Published(certificate, EntityTag.of(certificate), p7c, EntityTag.of(p7c), chain.size(), lastModified, cross,
                cross == null ? null : EntityTag.of(cross));
    }

    /**
     * {@code ca} first, then each issuer up to a self-signed root or the first issuer the registry does not hold, each
     * the CA's current certificate (after a renewal, the new one): also the chain issuance hands out with a certificate.
     */
    public static List<X509Certificate> chain(CaRecord ca, List<CaRecord> all) {
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
