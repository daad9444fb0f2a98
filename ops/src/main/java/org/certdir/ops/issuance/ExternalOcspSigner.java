package org.certdir.ops.issuance;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.certdir.ops.ca.CaCreation;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.KeyFiles.KeyEntry;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegated OCSP signer of a CA certdir does not hold (RFC 6960 §4.2.2.2): certdir makes the key and a CSR
 * ({@link #request}), the CA issues the certificate, and {@link #install} takes it once it is the CA's, carries
 * id-kp-OCSPSigning and matches the pending key. The pending key waits in {@code DATA/keys/ocsp/<ca>.pending.p12}
 * (with a self-signed placeholder, as PKCS#12 needs a certificate); the installed signer is
 * {@code DATA/keys/ocsp/<ca>.p12}, where {@link OcspSigners} finds it.
 */
public final class ExternalOcspSigner {

    private static final Logger LOG = LoggerFactory.getLogger(ExternalOcspSigner.class);
    /** How long the placeholder certificate of a pending key lasts: the CA's issuance may take a while. */
    private static final Duration PLACEHOLDER_VALIDITY = Duration.ofDays(3650);

    /** What an install took, and what the admin should know about it (e.g. no ocsp-nocheck). */
    public record Installed(X509Certificate certificate, List<String> warnings) {
    }

    private final DataDirectory data;
    private final Registry registry;
    private final CertificateIssuer issuer;
    private final Clock clock;

    public ExternalOcspSigner(DataDirectory data, Registry registry, CertificateIssuer issuer, Clock clock) {
        this.data = data;
        this.registry = registry;
        this.issuer = issuer;
        this.clock = clock;
    }

    static Path pendingFile(DataDirectory data, CaName ca) {
        return data.keys().resolve("ocsp").resolve(ca.value() + ".pending.p12");
    }

    /**
     * Makes the signer's key and returns the PKCS#10 request (PEM) for CA {@code caName} to sign: subject "CN=<CA's
     * CN> OCSP Signer", asking for keyUsage digitalSignature, extendedKeyUsage id-kp-OCSPSigning and id-pkix-ocsp-nocheck
     * (RFC 6960 §4.2.2.2.1). A request made again replaces the pending key.
     *
     * @throws IllegalArgumentException naming why the CA cannot have one
     */
    public synchronized String request(CaName caName, Actor actor) {
        CaRecord ca = external(caName);
        X509Certificate caCertificate = ca.certificate().certificate();
        KeyAlgorithm algorithm = KeyAlgorithm.usesKeyAgreement(caCertificate.getPublicKey()) ? KeyAlgorithm.EC_P256 : KeyAlgorithm.RSA_3072;
        KeyPair keys = algorithm.generate();
        X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
        name.addRDN(BCStyle.CN, ca.certificate().commonName() + " OCSP Signer");
        X500Name subject = name.build();
        byte[] csr;
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            extensions.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
            extensions.addExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, DERNull.INSTANCE);
            csr = new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithm(keys.getPrivate())).build(keys.getPrivate())).getEncoded();
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot build the OCSP signer request of CA " + caName + ": " + e.getMessage(), e);
        }
        Path file = pendingFile(data, caName);
        try {
            Files.createDirectories(file.getParent());
            KeyFiles.writePkcs12(file, passphrase(), List.of(new KeyEntry("ocsp-signer-pending", keys.getPrivate(),
                    List.of(issuer.keyHolder(subject, keys, PLACEHOLDER_VALIDITY)))));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the pending OCSP signer key of CA " + caName + " to " + file + ": " + e.getMessage(), e);
        }
        registry.recordAction(actor, "ocsp.signer-request", caName.value(), "key " + algorithm + " in " + data.root().relativize(file));
        LOG.info("AUDIT {} made the OCSP signer key and request of CA {}, key in {}", actor.name(), caName, file);
        return CaCreation.csrPem(csr);
    }

    /**
     * Takes the signer certificate CA {@code caName} issued for the pending request: issued and signed by that CA, with
     * id-kp-OCSPSigning, for the pending key, not expired. Its serial is registered under the CA.
     *
     * @throws IllegalArgumentException naming what does not fit; nothing is changed then
     */
    public synchronized Installed install(CaName caName, byte[] file, Actor actor) {
        CaRecord ca = external(caName);
        Path pending = pendingFile(data, caName);
        if (!Files.exists(pending)) {
            throw new IllegalArgumentException("CA '" + caName + "' has no pending OCSP signer request: run 'certdir ocsp signer request --ca " + caName
                    + "' first");
        }
        X509Certificate certificate = parse(file);
        X509Certificate caCertificate = ca.certificate().certificate();
        String subject = certificate.getSubjectX500Principal().getName();
        if (!certificate.getIssuerX500Principal().equals(caCertificate.getSubjectX500Principal())) {
            throw new IllegalArgumentException("the certificate " + subject + " is issued by " + certificate.getIssuerX500Principal().getName()
                    + ", not by CA '" + caName + "' (" + caCertificate.getSubjectX500Principal().getName() + ")");
        }
        try {
            certificate.verify(caCertificate.getPublicKey());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("the certificate " + subject + " names CA '" + caName + "' as its issuer, but its signature does not"
                    + " verify with the CA's registered certificate");
        }
        List<String> purposes;
        try {
            purposes = certificate.getExtendedKeyUsage();
        } catch (java.security.cert.CertificateParsingException e) {
            throw new IllegalArgumentException("the certificate " + subject + " has an unreadable extendedKeyUsage: " + e.getMessage());
        }
        if (purposes == null || !purposes.contains(KeyPurposeId.id_kp_OCSPSigning.getId())) {
            throw new IllegalArgumentException("the certificate " + subject + " lacks extendedKeyUsage id-kp-OCSPSigning (RFC 6960 §4.2.2.2): have the CA"
                    + " issue it with the OCSP signing purpose, as the request asks");
        }
        if (!certificate.getNotAfter().toInstant().isAfter(clock.instant())) {
            throw new IllegalArgumentException("the certificate " + subject + " expired on " + certificate.getNotAfter().toInstant());
        }
        KeyEntry key;
        try {
            key = KeyFiles.readPkcs12(pending, passphrase());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the pending OCSP signer key of CA " + caName + ": " + e.getMessage(), e);
        }
        if (!java.util.Arrays.equals(key.chain().get(0).getPublicKey().getEncoded(), certificate.getPublicKey().getEncoded())) {
            throw new IllegalArgumentException("the certificate " + subject + " does not match the pending OCSP signer key of CA '" + caName
                    + "': it was not issued for the request 'certdir ocsp signer request' wrote");
        }
        List<String> warnings = new ArrayList<>();
        if (certificate.getExtensionValue(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck.getId()) == null) {
            warnings.add("the certificate has no id-pkix-ocsp-nocheck: clients may try to check the signer's own revocation (RFC 6960 §4.2.2.2.1)");
        }
        Path installed = OcspSigners.file(data, ca);
        try {
            KeyFiles.writePkcs12(installed, passphrase(), List.of(new KeyEntry("ocsp-signer", key.key(), List.of(certificate, caCertificate))));
            Files.delete(pending);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the OCSP signer of CA " + caName + " to " + installed + ": " + e.getMessage(), e);
        }
        try {
            registry.addCertificate(ca, CertificateDetails.parse(certificate.getEncoded()), actor);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode the OCSP signer certificate", e);
        }
        registry.recordAction(actor, "ocsp.signer-install", caName.value(), "serial " + certificate.getSerialNumber().toString(16) + " until "
                + certificate.getNotAfter().toInstant());
        LOG.info("AUDIT {} installed the OCSP signer of CA {}: serial {}, valid until {}", actor.name(), caName,
                certificate.getSerialNumber().toString(16), certificate.getNotAfter().toInstant());
        return new Installed(certificate, warnings);
    }

    private CaRecord external(CaName caName) {
        CaRecord ca = registry.requireCa(caName);
        if (ca.managed()) {
            throw new IllegalArgumentException("CA '" + caName + "' is held by certdir: its OCSP signer is issued and renewed by certdir itself");
        }
        return ca;
    }

    private static X509Certificate parse(byte[] file) {
        String text = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] der = file;
        int begin = text.indexOf("-----BEGIN CERTIFICATE-----");
        if (begin >= 0) {
            int end = text.indexOf("-----END CERTIFICATE-----", begin);
            if (end < 0) {
                throw new IllegalArgumentException("the file is a PEM certificate without its END line");
            }
            der = java.util.Base64.getMimeDecoder().decode(text.substring(begin + "-----BEGIN CERTIFICATE-----".length(), end));
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw new IllegalArgumentException("the file is not a PEM or DER certificate: " + e.getMessage());
        }
    }

    private char[] passphrase() {
        return DataDirectory.secret(data.keysPassphrase()).toCharArray();
    }
}
