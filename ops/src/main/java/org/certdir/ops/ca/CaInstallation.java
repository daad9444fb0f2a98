package org.certdir.ops.ca;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.certdir.ops.admin.DirectoryValues;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.issuance.KeyFiles.KeyEntry;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.PendingCa;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes a pending CA ({@link CaCreation#request}) with the certificate a root kept elsewhere issued for its CSR:
 * {@code certdir ca install --cert issued.pem [--chain root.pem]}.
 *
 * <p>Design notes. Before anything is written, the certificate must certify the pending key (compared with the key
 * in the CSR the registry kept), be a CA certificate (basicConstraints cA, keyUsage keyCertSign and cRLSign: RFC 5280
 * §4.2.1.3, §4.2.1.9) with a CN for its directory entry, and chain to a self-signed root, each link found among the
 * certificates given with it and the CAs the registry holds and verified by the JDK's PKIX validator (signatures,
 * validity now, issuers' basicConstraints, path lengths and key usage; revocation is not checked: the root's CRL is
 * not ours). CAs of the chain the registry does not know are registered as published only, as {@code cert import}
 * registers them, so the directory and the AIA chain hold the whole path; the new CA's certificate is recorded under
 * its issuer. Then the key file gets the real chain in place of the key holder certificate, and the registry moves
 * the CA from pending to managed in one transaction; {@code activation} serves it at once, as after a creation.
 */
public final class CaInstallation {

    private static final Logger LOG = LoggerFactory.getLogger(CaInstallation.class);
    /** A chain longer than this is a loop or a mistake, not a PKI. */
    private static final int MAX_DEPTH = 10;

    /**
     * The CA now managed, and the CAs of its chain registered now (published only); {@code renewal} when the certificate
     * renewed a managed CA ({@link CaRenewal#request}) rather than completing a pending one.
     */
    public record Installed(CaRecord record, List<CaRecord> chainAdded, boolean renewal) {
    }

    private final DataDirectory data;
    private final Registry registry;
    private final Clock clock;
    private final Consumer<CaRecord> activation;
    private final CaRenewal renewal;

    /** {@code renewal} takes the certificates issued for renewal CSRs ({@link CaRenewal#request}). */
    public CaInstallation(DataDirectory data, Registry registry, Clock clock, Consumer<CaRecord> activation, CaRenewal renewal) {
        this.data = data;
        this.registry = registry;
        this.clock = clock;
        this.activation = activation;
        this.renewal = renewal;
    }

    /**
     * Installs {@code certificate} for the pending CA {@code name} (null: the pending CA whose key it certifies), with
     * {@code chain} the CA certificates above it that certdir does not hold (its root at least, unless registered).
     */
    public Installed install(CaName name, X509Certificate certificate, List<X509Certificate> chain, Actor actor) {
        synchronized (CaNames.CHANGES) {
            Optional<CaRecord> renewed = renewal.renewedBy(certificate).filter(ca -> name == null || ca.name().equals(name));
            if (renewed.isPresent()) {
                return renew(renewed.get(), certificate, chain, actor);
            }
            PendingCa pending = pending(name, certificate.getPublicKey());
            CertificateDetails details = caCertificate(certificate);
            CaNames.requireCommonNameFree(registry, details.commonName(), pending.name());
            List<X509Certificate> path = path(certificate, chain);
            validate(path);
            List<CertificateDetails> unknown = unknownCas(path);
            List<CaRecord> added = new ArrayList<>();
            for (CertificateDetails ca : unknown) {
                added.add(registry.addCa(CaName.fromCommonName(ca.commonName()), ca, null, actor));
            }
            CaRecord issuer = registry.caBySha256(CertificateDetails.parse(encoded(path.get(1))).sha256()).orElseThrow();
            registry.addCertificate(issuer, details, actor);
            writeKey(pending, path);
            CaRecord record = registry.installPendingCa(pending.name(), details, actor);
            LOG.info("installed CA {} ({}), issued by {}{}", record.name(), details.subject(), details.issuer(),
                    added.isEmpty() ? "" : "; registered its chain's " + added.stream().map(ca -> ca.name().value()).toList() + " as published only");
            try {
                activation.accept(record);
            } catch (RuntimeException e) {
                LOG.warn("CA {} is installed but not yet served: {}; the CRL schedule and the hourly OCSP signer refresh retry", record.name(),
                        e.getMessage(), e);
            }
            return new Installed(record, List.copyOf(added), false);
        }
    }

    /** A certificate for the key and subject of managed CA {@code ca}: its renewal, checked as an installation. */
    private Installed renew(CaRecord ca, X509Certificate certificate, List<X509Certificate> chain, Actor actor) {
        renewal.requireRenewal(ca, certificate);
        caCertificate(certificate);
        List<X509Certificate> path = path(certificate, chain);
        validate(path);
        List<CaRecord> added = new ArrayList<>();
        for (CertificateDetails unknown : unknownCas(path)) {
            added.add(registry.addCa(CaName.fromCommonName(unknown.commonName()), unknown, null, actor));
        }
        CaRecord issuer = registry.caBySha256(CertificateDetails.parse(encoded(path.get(1))).sha256()).orElseThrow();
        return new Installed(renewal.install(ca, path, issuer, actor).record(), List.copyOf(added), true);
    }

    /** The pending CA the certificate is for: the named one, whose key it must certify, or the one whose key it certifies. */
    private PendingCa pending(CaName name, PublicKey key) {
        List<PendingCa> pending = registry.pendingCas();
        if (name != null) {
            PendingCa named = pending.stream().filter(each -> each.name().equals(name)).findFirst().orElseThrow(() -> new InvalidCaRequest("name",
                    registry.ca(name).isPresent() ? "CA '" + name + "' is not pending: its certificate is installed already ('certdir ca list')"
                            : "no CA named '" + name + "' is pending ('certdir ca list' shows them)"));
            if (!sameKey(named, key)) {
                throw new InvalidCaRequest("certificate", "the certificate does not match the key of pending CA '" + name + "': it was not issued for"
                        + " the CSR 'certdir ca create --csr' wrote for it");
            }
            return named;
        }
        if (pending.isEmpty()) {
            throw new InvalidCaRequest("certificate", "no CA is pending: 'certdir ca create --csr FILE' makes a CA's key and the CSR for a root kept"
                    + " elsewhere, then this installs the certificate the root issued");
        }
        return pending.stream().filter(each -> sameKey(each, key)).findFirst()
                .orElseThrow(() -> new InvalidCaRequest("certificate", "the certificate does not match the key of any pending CA ("
                        + String.join(", ", pending.stream().map(each -> each.name().value()).toList()) + "): it was not issued for a CSR"
                        + " 'certdir ca create --csr' wrote"));
    }

    private static boolean sameKey(PendingCa pending, PublicKey key) {
        try {
            byte[] requested = new PKCS10CertificationRequest(pending.csr()).getSubjectPublicKeyInfo().getEncoded();
            return Arrays.equals(requested, key.getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException("the registry holds an unreadable CSR for pending CA " + pending.name(), e);
        }
    }

    /** The checks of a CA certificate, each naming what is missing. */
    private CertificateDetails caCertificate(X509Certificate certificate) {
        CertificateDetails details = CertificateDetails.parse(encoded(certificate));
        if (certificate.getBasicConstraints() < 0) {
            throw new InvalidCaRequest("certificate", "the certificate " + details.subject() + " is not a CA certificate: its basicConstraints"
                    + " does not say cA (RFC 5280 §4.2.1.9); have the root issue it as a CA, e.g. with basicConstraints=critical,CA:TRUE,pathlen:0");
        }
        boolean[] usage = certificate.getKeyUsage();
        List<String> missing = new ArrayList<>();
        if (usage == null || !usage[5]) {
            missing.add("keyCertSign");
        }
        if (usage == null || !usage[6]) {
            missing.add("cRLSign");
        }
        if (!missing.isEmpty()) {
            throw new InvalidCaRequest("certificate", "the certificate " + details.subject() + " lacks keyUsage " + String.join(" and ", missing)
                    + ": a CA certdir runs signs certificates (keyCertSign) and CRLs (cRLSign), RFC 5280 §4.2.1.3; have the root issue it with"
                    + " keyUsage=critical,keyCertSign,cRLSign");
        }
        String problem = DirectoryValues.nameProblem("the certificate's subject CN", details.commonName(), DirectoryValues.MAX_NAME);
        if (problem != null) {
            throw new InvalidCaRequest("certificate", problem + ": it names the CA's directory entry");
        }
        return details;
    }

    /** {@code certificate} then each issuer up to a self-signed root, from {@code given} and the registered CAs. */
    private List<X509Certificate> path(X509Certificate certificate, List<X509Certificate> given) {
        List<X509Certificate> candidates = new ArrayList<>(given);
        registry.cas().forEach(ca -> candidates.add(ca.certificate().certificate()));
        List<X509Certificate> path = new ArrayList<>(List.of(certificate));
        X509Certificate current = certificate;
        while (!selfSigned(current)) {
            Optional<X509Certificate> issuer = issuerOf(current, candidates);
            if (issuer.isEmpty() || path.contains(issuer.get())) {
                throw new InvalidCaRequest("chain", "the issuer of " + current.getSubjectX500Principal().getName() + " ("
                        + current.getIssuerX500Principal().getName() + ") is neither in the chain given nor a CA certdir holds: give its certificate,"
                        + " up to the root, with --chain");
            }
            path.add(issuer.get());
            current = issuer.get();
            if (path.size() > MAX_DEPTH) {
                throw new InvalidCaRequest("chain", "the chain is longer than " + MAX_DEPTH + " certificates");
            }
        }
        if (path.size() == 1) {
            throw new InvalidCaRequest("certificate", "the certificate " + certificate.getSubjectX500Principal().getName() + " is self-signed: a CA"
                    + " made with --csr is signed by a root kept elsewhere; give the certificate that root issued");
        }
        return path;
    }

    private static Optional<X509Certificate> issuerOf(X509Certificate certificate, List<X509Certificate> candidates) {
        for (X509Certificate candidate : candidates) {
            if (candidate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal()) && !candidate.equals(certificate)) {
                try {
                    certificate.verify(candidate.getPublicKey());
                    return Optional.of(candidate);
                } catch (GeneralSecurityException notThisOne) {
                    // same name, another key: keep looking
                }
            }
        }
        return Optional.empty();
    }

    static boolean selfSigned(X509Certificate certificate) {
        if (!certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
            return false;
        }
        try {
            certificate.verify(certificate.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The JDK's PKIX validation of the path to its root (revocation off: the root's CRLs are not certdir's to have). */
    private void validate(List<X509Certificate> path) {
        X509Certificate root = path.get(path.size() - 1);
        try {
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(clock.instant()));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path.subList(0, path.size() - 1)),
                    parameters);
        } catch (CertPathValidatorException e) {
            X509Certificate at = e.getIndex() >= 0 && e.getIndex() < path.size() ? path.get(e.getIndex()) : path.get(0);
            throw new InvalidCaRequest("certificate", "the chain to root " + root.getSubjectX500Principal().getName() + " does not validate at "
                    + at.getSubjectX500Principal().getName() + ": " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot validate certificate paths: " + e.getMessage(), e);
        }
    }

    /** The CAs above the new CA that the registry does not hold, root first; each must get a name of its own. */
    private List<CertificateDetails> unknownCas(List<X509Certificate> path) {
        List<CertificateDetails> unknown = new ArrayList<>();
        for (int i = path.size() - 1; i >= 1; i--) {
            CertificateDetails ca = CertificateDetails.parse(encoded(path.get(i)));
            if (registry.caBySha256(ca.sha256()).isPresent()) {
                continue;
            }
            String problem = DirectoryValues.nameProblem("the subject CN of " + ca.subject(), ca.commonName(), DirectoryValues.MAX_NAME);
            if (problem != null) {
                throw new InvalidCaRequest("chain", problem + ": it names the CA's directory entry");
            }
            CaName name;
            try {
                name = CaName.fromCommonName(ca.commonName());
            } catch (IllegalArgumentException e) {
                throw new InvalidCaRequest("chain", e.getMessage());
            }
            if (registry.ca(name).isPresent() || registry.pendingCas().stream().anyMatch(each -> each.name().equals(name))) {
                throw new InvalidCaRequest("chain", "CA " + ca.subject() + " of the chain would be registered as '" + name + "', the name of another"
                        + " CA: register it first under another name ('certdir cert import' names CAs after their CN)");
            }
            CaNames.requireCommonNameFree(registry, ca.commonName(), null);
            unknown.add(ca);
        }
        return unknown;
    }

    private void writeKey(PendingCa pending, List<X509Certificate> path) {
        char[] passphrase = DataDirectory.secret(data.keysPassphrase()).toCharArray();
        java.nio.file.Path file = data.root().resolve(pending.keyFile());
        try {
            KeyEntry key = KeyFiles.readPkcs12(file, passphrase);
            KeyFiles.writePkcs12(file, passphrase, List.of(new KeyEntry(pending.name().value(), key.key(), path)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the certificate into the key file of CA '" + pending.name() + "' (" + file + "): "
                    + e.getMessage(), e);
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode " + certificate.getSubjectX500Principal(), e);
        }
    }
}
