package org.certdir.ops.admin;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.Registry;

/**
 * Issues an S/MIME pair for a mail address: a separate encryption and signing key (the dual key pair S/MIME
 * deployments recommend, so the encryption key can be escrowed without the signing key), both certificates
 * recorded and the encryption one published, the keys handed back as one PKCS#12.
 */
final class SmimeIssuance {

    /** What the admin asked for; null fields take the defaults. */
    record Request(String mail, String name, String ca, String password, String keyAlgorithm, Integer validityDays) {
    }

    /** The issued pair and the PKCS#12 holding both keys; {@code generatedPassword} is null when the admin gave one. */
    record Result(CertificateRecord encryption, CertificateRecord signing, byte[] pkcs12, String generatedPassword) {
    }

    private static final int DEFAULT_VALIDITY_DAYS = 730;
    private static final int MIN_PASSWORD = 8;

    private final Registry registry;
    private final DataDirectory data;
    private final CertificateIssuer issuer;
    private final SecureRandom random = new SecureRandom();

    SmimeIssuance(Registry registry, DataDirectory data, CertificateIssuer issuer) {
        this.registry = registry;
        this.data = data;
        this.issuer = issuer;
    }

    Result issue(Request request, Actor actor) {
        String mailProblem = DirectoryValues.mailProblem("mail", request.mail());
        if (mailProblem != null) {
            throw new BadRequest("mail", mailProblem);
        }
        if (request.name() == null || request.name().isBlank()) {
            throw new BadRequest("name", "name is missing: give the person's full name, e.g. \"Alice Example\"");
        }
        // The name becomes the certificates' CN and the directory entry's cn.
        String nameProblem = DirectoryValues.nameProblem("name", request.name().strip(), DirectoryValues.MAX_ISSUED_NAME);
        if (nameProblem != null) {
            throw new BadRequest("name", nameProblem);
        }
        if (request.password() != null && request.password().length() < MIN_PASSWORD) {
            throw new BadRequest("password", "password must have at least " + MIN_PASSWORD + " characters, or leave it out to have one generated");
        }
        KeyAlgorithm algorithm;
        try {
            algorithm = request.keyAlgorithm() == null ? KeyAlgorithm.EC_P256 : KeyAlgorithm.parse(request.keyAlgorithm());
        } catch (IllegalArgumentException e) {
            throw new BadRequest("keyAlgorithm", e.getMessage());
        }
        int days = request.validityDays() == null ? DEFAULT_VALIDITY_DAYS : request.validityDays();
        if (days < 1 || days > 3 * 365) {
            throw new BadRequest("validityDays", "validityDays must be between 1 and " + 3 * 365 + ", was " + days);
        }
        CaRecord caRecord = signingCa(request.ca());
        SigningCa ca = loadKey(caRecord);
        String mail = request.mail().toLowerCase(java.util.Locale.ROOT);
        Duration validity = Duration.ofDays(days);
        Issued encryption = issuer.smime(ca, mail, request.name().strip(), null, SmimePurpose.ENCRYPTION, algorithm, validity);
        Issued signing = issuer.smime(ca, mail, request.name().strip(), null, SmimePurpose.SIGNING, algorithm, validity);
        List<Registry.Added> added = registry.addCertificates(List.of(
                new Registry.Issued(caRecord, details(encryption)), new Registry.Issued(caRecord, details(signing))), actor);
        String password = request.password() != null ? request.password() : generatePassword();
        byte[] pkcs12;
        try {
            List<java.security.cert.X509Certificate> chain = caChain(ca);
            pkcs12 = KeyFiles.pkcs12(password.toCharArray(), List.of(
                    new KeyFiles.KeyEntry("encryption", encryption.keyPair().getPrivate(), prepend(encryption.certificate(), chain)),
                    new KeyFiles.KeyEntry("signing", signing.keyPair().getPrivate(), prepend(signing.certificate(), chain))));
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the PKCS#12 for " + mail + ": " + e.getMessage(), e);
        }
        return new Result(added.get(0).record(), added.get(1).record(), pkcs12, request.password() == null ? password : null);
    }

    /** The CA asked for, or the only managed CA that is not a root (an issuing CA). */
    private CaRecord signingCa(String name) {
        if (name != null) {
            CaName caName;
            try {
                caName = new CaName(name);
            } catch (IllegalArgumentException e) {
                throw new BadRequest("ca", e.getMessage());
            }
            if (registry.ca(caName).isEmpty() && registry.pendingCas().stream().anyMatch(pending -> pending.name().equals(caName))) {
                throw new BadRequest("ca", "CA '" + name + "' is pending: it issues nothing until its certificate is installed ('certdir ca install')");
            }
            CaRecord ca = registry.requireCa(caName);
            if (!ca.managed()) {
                throw new BadRequest("ca", "CA '" + name + "' is registered for publication only: certdir has no key to issue with it");
            }
            return ca;
        }
        List<CaRecord> issuing = registry.cas().stream()
                .filter(CaRecord::managed)
                .filter(ca -> !ca.certificate().subject().equals(ca.certificate().issuer()))
                .toList();
        if (issuing.size() != 1) {
            throw new BadRequest("ca", issuing.isEmpty()
                    ? "no managed issuing CA is registered: certdir can issue only with a CA whose key it holds"
                    : "several CAs can issue (" + String.join(", ", issuing.stream().map(ca -> ca.name().value()).toList()) + "): give one as ca");
        }
        return issuing.get(0);
    }

    private SigningCa loadKey(CaRecord ca) {
        try {
            char[] passphrase = DataDirectory.secret(data.keysPassphrase()).toCharArray();
            KeyFiles.KeyEntry key = KeyFiles.readPkcs12(data.root().resolve(ca.keyFile()), passphrase);
            return new SigningCa(ca.name(), ca.certificate().certificate(), key.key());
        } catch (IOException e) {
            throw new IllegalStateException("the key of CA '" + ca.name() + "' cannot be read: " + e.getMessage(), e);
        }
    }

    private List<java.security.cert.X509Certificate> caChain(SigningCa ca) {
        // From the registry, not the chain the CA's key file was written with: a CA above it renewed since has a new certificate.
        return org.certdir.aia.CaChains.chain(registry.requireCa(ca.name()), registry.cas());
    }

    private static List<java.security.cert.X509Certificate> prepend(java.security.cert.X509Certificate first, List<java.security.cert.X509Certificate> rest) {
        List<java.security.cert.X509Certificate> chain = new java.util.ArrayList<>();
        chain.add(first);
        chain.addAll(rest);
        return chain;
    }

    private static CertificateDetails details(Issued issued) {
        try {
            return CertificateDetails.parse(issued.certificate().getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate just issued", e);
        }
    }

    private String generatePassword() {
        byte[] bytes = new byte[15];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

}
