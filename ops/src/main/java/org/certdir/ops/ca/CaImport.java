package org.certdir.ops.ca;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.certdir.ops.admin.CertificateFiles;
import org.certdir.ops.admin.CertificateImport;
import org.certdir.ops.admin.DirectoryValues;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.issuance.KeyFiles.KeyEntry;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.certdir.registry.Serial;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports an existing CA with its key ({@code certdir ca import}): from then on certdir issues from it, signs its CRLs
 * continuing its CRL numbers, and answers OCSP for it.
 *
 * <p>Design notes. Everything that can be wrong is checked before anything is stored: the certificate is a CA's
 * (basicConstraints cA, RFC 5280 §4.2.1.9), the key is its private key (a test signature verifies with the certificate's
 * key), the last CRL is the CA's own (issuer and signature) and its number is below the next one asked for, and every
 * serial the CRL lists is among the certificates given or registered under the CA, so the registry knows every
 * revocation. Then: CAs of the chain above it that the registry does
 * not know are registered as published only, and so is the CA itself (audited {@code ca.add}) unless it is already (a
 * CA imported earlier as a certificate keeps its name and certificates); its certificates go through {@code cert
 * import}'s {@link CertificateImport}; each revocation of the CRL becomes the registry's, with its date, reason and
 * invalidity date, audited as {@code certificate.revoke-imported}. Only then does the registry make the CA managed, with
 * the last CRL number it used ({@link Registry#importCa}, audited {@code ca.import}), its key written just before to
 * {@code DATA/keys/<name>.p12} under the data directory's passphrase like the keys of the CAs certdir makes (the source
 * password is kept nowhere). The CRL publisher signs nothing for
 * it before every revocation is recorded, so certdir's first CRL of it, numbered after its last, lists them all. Last,
 * {@code activation} serves the CA at once, as after a creation: its OCSP signer, and a CRL at every point.
 */
public final class CaImport {

    private static final Logger LOG = LoggerFactory.getLogger(CaImport.class);

    /**
     * What to import: the key and chain, the CA's certificates (files as {@code cert import} takes them), its last full
     * CRL (null: none) and the number its next CRL is to have (null: the last CRL's plus one); {@code name} null to
     * name the CA after its CN (or keep the name it has as a published-only CA).
     */
    public record Request(CaName name, ImportedKey key, List<CertificateImport.Source> certificates, byte[] lastCrl, Long nextCrlNumber) {
    }

    /**
     * The CA now managed, the CAs of its chain registered now (published only), the certificate import's report, and how
     * many revocations of the last CRL were recorded.
     */
    public record Imported(CaRecord record, boolean wasPublishedOnly, List<CaRecord> chainAdded, CertificateImport.Report certificates, int revocations,
                           long nextCrlNumber) {
    }

    private final DataDirectory data;
    private final Registry registry;
    private final Consumer<CaRecord> activation;

    public CaImport(DataDirectory data, Registry registry, Consumer<CaRecord> activation) {
        this.data = data;
        this.registry = registry;
        this.activation = activation;
    }

    public Imported run(Request request, Actor actor) {
        synchronized (CaNames.CHANGES) {
            return runNow(request, actor);
        }
    }

    private Imported runNow(Request request, Actor actor) {
        X509Certificate certificate = request.key().certificate();
        CertificateDetails details = CertificateDetails.parse(encoded(certificate));
        if (certificate.getBasicConstraints() < 0) {
            throw new InvalidCaRequest("certificate", "the certificate " + details.subject() + " is not a CA certificate: its basicConstraints does not"
                    + " say cA (RFC 5280 §4.2.1.9); give the certificate of the CA whose key this is");
        }
        if (!request.key().matches(certificate)) {
            throw new InvalidCaRequest("key", "the key does not match the certificate " + details.subject() + ": it is not the private key of the"
                    + " certificate's public key; give the CA's own key");
        }
        String problem = DirectoryValues.nameProblem("the certificate's subject CN", details.commonName(), DirectoryValues.MAX_NAME);
        if (problem != null) {
            throw new InvalidCaRequest("certificate", problem + ": it names the CA's directory entry");
        }
        CaRecord published = registry.caBySha256(details.sha256()).orElse(null);
        if (published != null && published.managed()) {
            throw new InvalidCaRequest("certificate", "CA '" + published.name() + "' (" + details.subject() + ") is managed already: its key is in "
                    + published.keyFile());
        }
        CaName name = name(request, published, details);
        LastCrl lastCrl = request.lastCrl() == null ? null : LastCrl.read(request.lastCrl(), certificate);
        long lastNumber = lastCrlNumber(request, lastCrl);
        List<CertificateDetails> given = certificates(request.certificates());
        if (lastCrl != null) {
            requireEveryRevokedCertificate(lastCrl, given, published, details);
        }

        // Checked: from here on, store. The CA signs nothing until the last step: while its certificates and revocations are
        // recorded it is published only, so its first CRL from certdir (numbered after its last) lists every revocation.
        CertificateImport importer = new CertificateImport(registry);
        List<X509Certificate> above = request.key().chain().subList(1, request.key().chain().size());
        List<CaRecord> chainAdded = above.isEmpty() ? List.of()
                : importer.run(above.stream().map(ca -> new CertificateImport.Source("chain", encoded(ca))).toList(), actor).casAdded();
        CaRecord record = published;
        if (record == null) {
            record = registry.addCa(name, details, null, actor);
            recordUnderIssuer(details, actor);
        }
        CertificateImport.Report report = importer.run(request.certificates(), actor);
        int revocations = 0;
        if (lastCrl != null) {
            String source = "CRL number " + lastCrl.number() + " of " + details.subject() + " (" + lastCrl.thisUpdate() + ")";
            for (LastCrl.Entry entry : lastCrl.entries()) {
                registry.importRevocation(record.name(), entry.serial(), entry.revokedAt(), entry.reason(), entry.invalidityDate(), source, actor);
                revocations++;
            }
        }
        String keyFile = CaNames.keyFile(name);
        writeKey(keyFile, name, request.key());
        record = registry.importCa(details, keyFile, lastNumber, actor);
        LOG.info("imported CA {} ({}) with its key{}: {} certificates recorded, {} known, {} rejected; {} revocations from its last CRL; its next CRL"
                        + " is number {}", record.name(), details.subject(), published == null ? "" : " (published only until now)", report.imported().size(),
                report.known().size(), report.rejected().size(), revocations, lastNumber + 1);
        try {
            activation.accept(record);
        } catch (RuntimeException e) {
            LOG.warn("CA {} is imported but not yet served: {}; the CRL schedule and the hourly OCSP signer refresh retry", record.name(),
                    e.getMessage(), e);
        }
        return new Imported(record, published != null, chainAdded, report, revocations, lastNumber + 1);
    }

    /** The name asked for, else the published-only CA's name, else one from the CN; a new CA's name and CN must be free. */
    private CaName name(Request request, CaRecord published, CertificateDetails details) {
        if (published != null) {
            if (request.name() != null && !request.name().equals(published.name())) {
                throw new InvalidCaRequest("name", "the CA is registered already as '" + published.name() + "' (published only): its key is imported"
                        + " under that name; leave the name out or give '" + published.name() + "'");
            }
            java.nio.file.Path key = data.root().resolve(CaNames.keyFile(published.name()));
            if (java.nio.file.Files.exists(key)) {
                throw new InvalidCaRequest("name", "key file " + key + " exists though CA '" + published.name() + "' is published only (left from an"
                        + " earlier attempt?): certdir never overwrites a key; move the file away");
            }
            return published.name();
        }
        CaName name;
        try {
            name = request.name() != null ? request.name() : CaName.fromCommonName(details.commonName());
        } catch (IllegalArgumentException e) {
            throw new InvalidCaRequest("name", e.getMessage() + ": give the CA a name with --name");
        }
        CaNames.requireFree(registry, data.root(), name, details.commonName());
        return name;
    }

    /** The last number the CA used: the last CRL's, or the one before the next asked for; never going backwards. */
    private static long lastCrlNumber(Request request, LastCrl lastCrl) {
        Long next = request.nextCrlNumber();
        if (next != null && next < 1) {
            throw new InvalidCaRequest("nextCrlNumber", "the next CRL number is " + next + ": CRL numbers are positive (RFC 5280 §5.2.3)");
        }
        if (lastCrl == null) {
            if (next == null) {
                throw new InvalidCaRequest("nextCrlNumber", "give the CA's last CRL (--last-crl) or the number its next CRL is to have"
                        + " (--next-crl-number): certdir's CRLs of the CA continue its CRL numbers");
            }
            return next - 1;
        }
        if (next != null && next <= lastCrl.number()) {
            throw new InvalidCaRequest("nextCrlNumber", "the next CRL number " + next + " is not above the last CRL's number " + lastCrl.number()
                    + ": a CA's CRL numbers only grow (RFC 5280 §5.2.3); give at least " + (lastCrl.number() + 1) + " or leave it out");
        }
        return next != null ? next - 1 : lastCrl.number();
    }

    /** The certificates of the files given (what cannot be read is left to the certificate import to report). */
    private static List<CertificateDetails> certificates(List<CertificateImport.Source> sources) {
        List<CertificateDetails> certificates = new ArrayList<>();
        for (CertificateImport.Source source : sources) {
            try {
                for (byte[] der : CertificateFiles.read(source.content())) {
                    certificates.add(CertificateDetails.parse(der));
                }
            } catch (IllegalArgumentException e) {
                // reported by the import, file by file
            }
        }
        return certificates;
    }

    /** Every serial the CRL lists is a certificate given (issued by the CA) or registered under it: the registry records revocations of certificates it has. */
    private void requireEveryRevokedCertificate(LastCrl crl, List<CertificateDetails> given, CaRecord published, CertificateDetails ca) {
        Set<Serial> known = new HashSet<>();
        for (CertificateDetails certificate : given) {
            if (certificate.issuer().equals(ca.subject())) {
                known.add(certificate.serial());
            }
        }
        List<Serial> missing = new ArrayList<>();
        for (LastCrl.Entry entry : crl.entries()) {
            if (!known.contains(entry.serial()) && (published == null || registry.certificate(published.name(), entry.serial()).isEmpty())) {
                missing.add(entry.serial());
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidCaRequest("certificates", "the last CRL lists " + missing.size() + " serial" + (missing.size() == 1 ? "" : "s")
                    + " whose certificate is neither given nor registered (" + missing.get(0) + (missing.size() > 1 ? ", ..." : "")
                    + "): give every certificate the CA issued (for openssl ca, its newcerts directory) so the registry knows every revocation");
        }
    }

    /** A CA under another registered CA is one of its parent's certificates too: the parent's CRLs and OCSP answers cover it. */
    private void recordUnderIssuer(CertificateDetails details, Actor actor) {
        if (details.subject().equals(details.issuer())) {
            return;
        }
        for (CaRecord parent : registry.cas()) {
            if (parent.certificate().subject().equals(details.issuer()) && !parent.certificate().sha256().equals(details.sha256())) {
                try {
                    details.certificate().verify(parent.certificate().certificate().getPublicKey());
                    registry.addCertificate(parent, details, actor);
                    return;
                } catch (GeneralSecurityException notThisOne) {
                    // same name, another key
                }
            }
        }
    }

    private void writeKey(String keyFile, CaName name, ImportedKey key) {
        try {
            KeyFiles.writePkcs12(data.root().resolve(keyFile), DataDirectory.secret(data.keysPassphrase()).toCharArray(),
                    List.of(new KeyEntry(name.value(), key.key(), key.chain())));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the key of CA '" + name + "' to " + data.root().resolve(keyFile) + ": " + e.getMessage(), e);
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
