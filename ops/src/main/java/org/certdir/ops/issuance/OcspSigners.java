package org.certdir.ops.issuance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.certdir.ocsp.OcspResponder;
import org.certdir.ocsp.ResponseSigner;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.KeyFiles.KeyEntry;
import org.certdir.registry.Actor;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCSP signer of every CA certdir holds the key of. With delegated signing (the default), each CA gets an
 * OCSP signing certificate of its own, kept with its key in {@code DATA/keys/ocsp/<ca>.p12}, issued when missing and
 * issued anew when less than {@code signer-renew-before} of it remains; the new certificate is recorded in the
 * registry like any other the CA issued. Otherwise the CA key signs.
 */
public final class OcspSigners {

    private static final Logger LOG = LoggerFactory.getLogger(OcspSigners.class);

    private final DataDirectory data;
    private final Registry registry;
    private final CertificateIssuer issuer;
    private final ServiceConfig.Ocsp settings;
    private final Clock clock;

    public OcspSigners(DataDirectory data, Registry registry, CertificateIssuer issuer, ServiceConfig.Ocsp settings, Clock clock) {
        this.data = data;
        this.registry = registry;
        this.issuer = issuer;
        this.settings = settings;
        this.clock = clock;
    }

    public static Path file(DataDirectory data, CaRecord ca) {
        return data.keys().resolve("ocsp").resolve(ca.name().value() + ".p12");
    }

    /**
     * Gives {@code responder} a signer for every managed CA, issuing delegated signers that are missing or due.
     * A CA whose signer cannot be had is logged and skipped; the others are served, and the next refresh retries.
     */
    public synchronized void refresh(OcspResponder responder) {
        char[] passphrase = DataDirectory.secret(data.keysPassphrase()).toCharArray();
        for (CaRecord ca : registry.cas()) {
            if (!ca.managed()) {
                if (Files.exists(file(data, ca))) {
                    externalSigner(responder, ca, passphrase);
                }
                continue;
            }
            try {
                ResponseSigner signer = signer(ca, passphrase);
                ResponseSigner current = responder.signer(ca.name());
                if (current == null || !current.certificate().equals(signer.certificate())) {
                    responder.useSigner(ca.name(), signer);
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("cannot renew or load the OCSP signer of CA {}: {}; without a valid one its requests get tryLater", ca.name(),
                        e.getMessage(), e);
                ResponseSigner current = responder.signer(ca.name());
                if (current == null || !current.notAfter().isAfter(clock.instant())) {
                    responder.signerUnavailable(ca.name(), certificate(ca));
                }
            }
        }
    }

    /**
     * The delegated signer a CA certdir does not hold issued ({@link ExternalOcspSigner}): used while valid; once expired
     * the CA's requests get tryLater until a new one is installed, as certdir cannot renew it.
     */
    private void externalSigner(OcspResponder responder, CaRecord ca, char[] passphrase) {
        try {
            KeyEntry delegated = KeyFiles.readPkcs12(file(data, ca), passphrase);
            X509Certificate certificate = delegated.chain().get(0);
            if (!certificate.getNotAfter().toInstant().isAfter(clock.instant())) {
                LOG.error("the OCSP signer of CA {} expired on {}: its requests get tryLater until 'certdir ocsp signer request' and 'install' give a new one",
                        ca.name(), certificate.getNotAfter().toInstant());
                responder.signerUnavailable(ca.name(), certificate(ca));
                return;
            }
            if (responder.answeredUntil(ca.name()) == null) {
                // Its statuses come from its mirrored CRLs only: until the mirror has one, there is nothing to answer from.
                responder.answerUntil(ca.name(), java.time.Instant.EPOCH);
            }
            ResponseSigner current = responder.signer(ca.name());
            if (current == null || !current.certificate().equals(certificate)) {
                responder.useSigner(ca.name(), new ResponseSigner(certificate(ca), certificate, delegated.key()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot load the OCSP signer of CA {}: {}; its requests get tryLater", ca.name(), e.getMessage(), e);
            responder.signerUnavailable(ca.name(), certificate(ca));
        }
    }

    private ResponseSigner signer(CaRecord ca, char[] passphrase) throws IOException {
        KeyEntry caKey = KeyFiles.readPkcs12(data.root().resolve(ca.keyFile()), passphrase);
        X509Certificate caCertificate = caKey.chain().get(0);
        if (!settings.delegatedSigner()) {
            return new ResponseSigner(caCertificate, caCertificate, caKey.key());
        }
        Path file = file(data, ca);
        if (Files.exists(file)) {
            KeyEntry delegated = KeyFiles.readPkcs12(file, passphrase);
            X509Certificate certificate = delegated.chain().get(0);
            boolean sameCa = certificate.getIssuerX500Principal().equals(caCertificate.getSubjectX500Principal());
            if (sameCa && certificate.getNotAfter().toInstant().isAfter(clock.instant().plus(settings.signerRenewBefore()))) {
                return new ResponseSigner(caCertificate, certificate, delegated.key());
            }
        }
        return issue(ca, caKey, file, passphrase);
    }

    private ResponseSigner issue(CaRecord ca, KeyEntry caKey, Path file, char[] passphrase) throws IOException {
        X509Certificate caCertificate = caKey.chain().get(0);
        KeyAlgorithm algorithm = KeyAlgorithm.usesKeyAgreement(caCertificate.getPublicKey()) ? KeyAlgorithm.EC_P256 : KeyAlgorithm.RSA_3072;
        Duration validity = settings.signerValidity();
        Issued signer = issuer.ocspSigner(new SigningCa(ca.name(), caCertificate, caKey.key()), ca.certificate().commonName() + " OCSP Signer",
                algorithm, validity);
        Files.createDirectories(file.getParent());
        KeyFiles.writePkcs12(file, passphrase, List.of(new KeyEntry("ocsp-signer", signer.keyPair().getPrivate(),
                List.of(signer.certificate(), caCertificate))));
        try {
            registry.addCertificate(ca, CertificateDetails.parse(signer.certificate().getEncoded()), Actor.SERVICE);
        } catch (CertificateEncodingException e) {
            throw new IOException("cannot encode the OCSP signer certificate of CA " + ca.name(), e);
        }
        LOG.info("issued the OCSP signer of CA {}: serial {}, valid until {}, in {}", ca.name(), signer.certificate().getSerialNumber().toString(16),
                signer.certificate().getNotAfter().toInstant(), file);
        return new ResponseSigner(caCertificate, signer.certificate(), signer.keyPair().getPrivate());
    }

    private static X509Certificate certificate(CaRecord ca) {
        try {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(ca.certificate().der()));
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalStateException("the registry holds an unreadable certificate for CA " + ca.name(), e);
        }
    }
}
