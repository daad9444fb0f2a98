package org.certdir.ops.ca;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.bouncycastle.asn1.x500.X500Name;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.issuance.KeyFiles.KeyEntry;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews a CA certdir holds with the same key: {@code certdir ca renew NAME}. A root signs its new certificate itself; a
 * CA under a CA certdir holds gets it from that CA; a CA under a root kept elsewhere gets a PKCS#10 request for its key
 * ({@link #request}), and {@code certdir ca install} takes the certificate that root issues ({@link CaInstallation}).
 *
 * <p>Design notes. As AD CS's "Renew CA certificate" without a new key: same subject (byte for byte, so issuer names
 * of what the CA signed still match) and same key, so every certificate and CRL the CA signed before still verifies
 * with the new certificate, OCSP CertIDs (hashes of the issuer's name and key) stay the same, and the CA keeps its row,
 * its name, its URLs and its CRL numbers: nothing it issued needs to change. The new certificate keeps the old one's
 * path length and carries what {@link CertificateIssuer} gives every CA certificate. From its recording on, issuance and
 * AIA use it; the registry keeps the old one, which the directory's CA entry holds beside the new while it is valid. The
 * key file gets the new chain first (its key unchanged), then the registry records the renewal ({@code ca.renew}); a
 * crash between the two leaves a key file whose certificate the registry does not have yet, for the same key and name,
 * which signs the same. The new certificate of a CA under another is recorded as one of its parent's certificates,
 * so the parent's CRLs and OCSP cover it.
 */
public final class CaRenewal {

    private static final Logger LOG = LoggerFactory.getLogger(CaRenewal.class);

    /** The CA with its new certificate, and the certificate it replaced. */
    public record Renewed(CaRecord record, CertificateDetails previous) {
    }

    private final DataDirectory data;
    private final Registry registry;
    private final CertificateIssuer issuer;
    private final Clock clock;
    private final Consumer<CaRecord> activation;

    /** {@code activation} hears of each renewed CA once recorded (to serve its new certificate at once); it must not throw. */
    public CaRenewal(DataDirectory data, Registry registry, CertificateIssuer issuer, Clock clock, Consumer<CaRecord> activation) {
        this.data = data;
        this.registry = registry;
        this.issuer = issuer;
        this.clock = clock;
        this.activation = activation;
    }

    /**
     * Gives CA {@code name} a new certificate for its key, valid {@code validityDays} (null: 7300 days for a root, 3650
     * below one, but never past the parent's notAfter).
     */
    public Renewed renew(CaName name, Integer validityDays, Actor actor) {
        synchronized (CaNames.CHANGES) {
            CaRecord ca = managed(name);
            X509Certificate current = ca.certificate().certificate();
            KeyEntry key = readKey(ca);
            Integer pathLength = current.getBasicConstraints() == Integer.MAX_VALUE ? null : current.getBasicConstraints();
            X500Name subject = X500Name.getInstance(current.getSubjectX500Principal().getEncoded());
            List<X509Certificate> chain = new ArrayList<>();
            String how;
            if (CaInstallation.selfSigned(current)) {
                Duration validity = validity(validityDays, CaRequest.DEFAULT_ROOT_DAYS, null);
                chain.add(issuer.rootCa(subject, new KeyPair(current.getPublicKey(), key.key()), validity, pathLength));
                how = "self-signed, " + validity.toDays() + " days";
            } else {
                CaRecord parent = parent(ca);
                if (!parent.managed()) {
                    throw new InvalidCaRequest("csr", "CA '" + name + "' is issued by '" + parent.name() + "', whose key certdir does not hold: give --csr FILE"
                            + " (\"csr\": true) for that CA to sign a renewal, then 'certdir ca install --cert ISSUED.pem'");
                }
                Duration validity = validity(validityDays, CaRequest.DEFAULT_CA_DAYS, parent);
                KeyEntry parentKey = readKey(parent);
                chain.add(issuer.subordinateCa(new SigningCa(parent.name(), parent.certificate().certificate(), parentKey.key()), subject,
                        current.getPublicKey(), validity, pathLength));
                chain.addAll(parentKey.chain().isEmpty() ? List.of(parent.certificate().certificate()) : parentKey.chain());
                how = "issued by " + parent.name() + ", " + validity.toDays() + " days";
                registry.addCertificate(parent, CaCreation.details(chain.get(0)), actor);
            }
            return store(ca, key, chain, how, actor);
        }
    }

    /**
     * A PKCS#10 request for the key and subject of CA {@code name}, whose certificate a CA certdir does not hold the key
     * of issued (a root kept elsewhere), with the extensions of {@link CaCreation#request} and its current path length.
     * Nothing changes until {@code certdir ca install} takes the certificate issued for it. Audited as
     * {@code ca.renew-request}.
     */
    public String request(CaName name, Actor actor) {
        synchronized (CaNames.CHANGES) {
            CaRecord ca = managed(name);
            X509Certificate current = ca.certificate().certificate();
            if (CaInstallation.selfSigned(current)) {
                throw new InvalidCaRequest("csr", "CA '" + name + "' is a root (self-signed): certdir renews it itself; leave out --csr");
            }
            CaRecord parent = parent(ca);
            if (parent.managed()) {
                throw new InvalidCaRequest("csr", "CA '" + name + "' is issued by '" + parent.name() + "', whose key certdir holds: leave out --csr,"
                        + " certdir renews it itself");
            }
            KeyEntry key = readKey(ca);
            byte[] csr = CaCreation.csr(name, X500Name.getInstance(current.getSubjectX500Principal().getEncoded()), current.getBasicConstraints(),
                    new KeyPair(current.getPublicKey(), key.key()));
            registry.recordAction(actor, "ca.renew-request", name.value(), ca.certificate().subject() + " (same key; CSR written for '"
                    + parent.name() + "' to sign)");
            LOG.info("wrote the renewal CSR of CA {} ({}) for {} to sign", name, ca.certificate().subject(), parent.name());
            return CaCreation.csrPem(csr);
        }
    }

    /**
     * The managed CA whose current certificate certifies the key of {@code certificate} and has its subject, if any, unless
     * {@code certificate} is that current one: a certificate {@code certdir ca install} is given for such a CA renews it
     * ({@link #install}).
     */
    Optional<CaRecord> renewedBy(X509Certificate certificate) {
        String sha256 = CaCreation.details(certificate).sha256();
        return registry.cas().stream().filter(CaRecord::managed).filter(ca -> !ca.certificate().sha256().equals(sha256))
                .filter(ca -> java.util.Arrays.equals(ca.certificate().certificate().getPublicKey().getEncoded(), certificate.getPublicKey().getEncoded())
                        && ca.certificate().certificate().getSubjectX500Principal().equals(certificate.getSubjectX500Principal()))
                .findFirst();
    }

    /** Refuses, before anything is stored, a certificate for CA {@code ca}'s key that is not a renewal of it. */
    void requireRenewal(CaRecord ca, X509Certificate certificate) {
        CertificateDetails renewed = CaCreation.details(certificate);
        if (!renewed.issuer().equals(ca.certificate().issuer())) {
            throw new InvalidCaRequest("certificate", "the certificate for the key of CA '" + ca.name() + "' is issued by " + renewed.issuer()
                    + ", not by " + ca.certificate().issuer() + " as its current one: a renewal comes from the same CA");
        }
    }

    /**
     * Records {@code path} (the new certificate, then its issuers up to the root, checked by the caller with
     * {@link #requireRenewal} and as an installation) as CA {@code ca}'s renewal, after {@link #request}: called by
     * {@link CaInstallation} under {@link CaNames#CHANGES}.
     */
    Renewed install(CaRecord ca, List<X509Certificate> path, CaRecord issuerRecord, Actor actor) {
        CertificateDetails renewed = CaCreation.details(path.get(0));
        registry.addCertificate(issuerRecord, renewed, actor);
        return store(ca, readKey(ca), path, "issued by " + issuerRecord.name() + " for the renewal CSR", actor);
    }

    private Renewed store(CaRecord ca, KeyEntry key, List<X509Certificate> chain, String how, Actor actor) {
        CertificateDetails previous = ca.certificate();
        CertificateDetails renewed = CaCreation.details(chain.get(0));
        Path file = data.root().resolve(ca.keyFile());
        try {
            KeyFiles.writePkcs12(file, passphrase(), List.of(new KeyEntry(ca.name().value(), key.key(), chain)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the new certificate into the key file of CA '" + ca.name() + "' (" + file + "): "
                    + e.getMessage(), e);
        }
        CaRecord record = registry.renewCa(ca, renewed, renewed.subject() + " (same key, " + how + ", until " + renewed.notAfter()
                + "; replaces sha256 " + previous.sha256() + ", valid until " + previous.notAfter() + ")", actor);
        LOG.info("renewed CA {} ({}) with the same key, {}: valid until {}", ca.name(), renewed.subject(), how, renewed.notAfter());
        try {
            activation.accept(record);
        } catch (RuntimeException e) {
            LOG.warn("CA {} is renewed but its new certificate not yet served everywhere: {}; the CRL schedule and the hourly OCSP signer refresh"
                    + " retry", record.name(), e.getMessage(), e);
        }
        return new Renewed(record, previous);
    }

    /** The CA certdir holds the key of, named {@code name}; each other case refused with what to do. */
    private CaRecord managed(CaName name) {
        Optional<CaRecord> ca = registry.ca(name);
        if (ca.isEmpty()) {
            boolean pending = registry.pendingCas().stream().anyMatch(each -> each.name().equals(name));
            throw new InvalidCaRequest("ca", pending
                    ? "CA '" + name + "' is pending: its first certificate is still to come ('certdir ca install'), there is nothing to renew"
                    : "no CA named '" + name + "' is registered ('certdir ca list' shows them)");
        }
        if (!ca.get().managed()) {
            throw new InvalidCaRequest("ca", "CA '" + name + "' is registered for publication only: certdir holds no key to renew it with; it is renewed"
                    + " where its key is");
        }
        return ca.get();
    }

    /** The registered CA whose key signed {@code ca}'s current certificate. */
    private CaRecord parent(CaRecord ca) {
        X509Certificate current = ca.certificate().certificate();
        for (CaRecord candidate : registry.cas()) {
            X509Certificate certificate = candidate.certificate().certificate();
            if (candidate.id() != ca.id() && certificate.getSubjectX500Principal().equals(current.getIssuerX500Principal())) {
                try {
                    current.verify(certificate.getPublicKey());
                    return candidate;
                } catch (GeneralSecurityException notThisOne) {
                    // same name, another key: keep looking
                }
            }
        }
        throw new InvalidCaRequest("ca", "the issuer of CA '" + ca.name() + "' (" + ca.certificate().issuer() + ") is not registered: register its"
                + " certificate ('certdir cert import') before renewing");
    }

    /** The validity asked for or the default, never past {@code parent}'s notAfter (a default is shortened to fit, a given one refused). */
    private Duration validity(Integer days, int defaultDays, CaRecord parent) {
        if (days != null && (days < 1 || days > CaRequest.MAX_DAYS)) {
            throw new InvalidCaRequest("validityDays", "validityDays must be between 1 and " + CaRequest.MAX_DAYS + ", was " + days);
        }
        Duration validity = Duration.ofDays(days != null ? days : defaultDays);
        if (parent == null) {
            return validity;
        }
        Instant now = clock.instant();
        Instant parentEnd = parent.certificate().notAfter();
        if (!parentEnd.isAfter(now)) {
            throw new InvalidCaRequest("ca", "parent CA '" + parent.name() + "' expired on " + parentEnd + ": renew it first");
        }
        if (now.plus(validity).isAfter(parentEnd)) {
            if (days == null) {
                // A second short: the certificate's notAfter, in whole seconds, then never passes the parent's.
                return Duration.between(now, parentEnd).minusSeconds(1);
            }
            throw new InvalidCaRequest("validityDays", "validityDays " + days + " would end on " + now.plus(validity) + ", after parent CA '"
                    + parent.name() + "' expires (" + parentEnd + "): at most " + Duration.between(now, parentEnd).toDays());
        }
        return validity;
    }

    private KeyEntry readKey(CaRecord ca) {
        try {
            return KeyFiles.readPkcs12(data.root().resolve(ca.keyFile()), passphrase());
        } catch (IOException e) {
            throw new IllegalStateException("the key of CA '" + ca.name() + "' cannot be read: " + e.getMessage(), e);
        }
    }

    private char[] passphrase() {
        return DataDirectory.secret(data.keysPassphrase()).toCharArray();
    }
}
