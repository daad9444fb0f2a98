package org.certdir.ops.admin;

import java.io.IOException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.profile.CertificateProfile;
import org.certdir.ops.profile.CertificateProfiles;
import org.certdir.registry.Actor;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.Registry;

/**
 * Issues an S/MIME pair for a mail address: a separate encryption and signing key (the dual key pair S/MIME
 * deployments recommend, so the encryption key can be escrowed without the signing key), their certificates of the
 * built-in profiles smime-encryption and smime-signing, both recorded and the encryption one published, the keys
 * handed back as one PKCS#12.
 */
final class SmimeIssuance {

    /** What the admin asked for; null fields take the defaults. */
    record Request(String mail, String name, String ca, String password, String keyAlgorithm, Integer validityDays) {
    }

    /** The issued pair and the PKCS#12 holding both keys; {@code generatedPassword} is null when the admin gave one. */
    record Result(CertificateRecord encryption, CertificateRecord signing, byte[] pkcs12, String generatedPassword) {
    }

    private static final int MIN_PASSWORD = 8;

    private final Registry registry;
    private final DataDirectory data;
    private final CertificateIssuer issuer;
    private final CertificateProfiles profiles;
    private final SecureRandom random = new SecureRandom();

    SmimeIssuance(Registry registry, DataDirectory data, CertificateIssuer issuer, CertificateProfiles profiles) {
        this.profiles = profiles;
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
        CertificateProfile encryptionProfile = profiles.get(CertificateProfiles.ENCRYPTION);
        CertificateProfile signingProfile = profiles.get(CertificateProfiles.SIGNING);
        Duration validity;
        try {
            validity = encryptionProfile.validity(request.validityDays());
            signingProfile.validity(request.validityDays());
        } catch (IllegalArgumentException e) {
            throw new BadRequest("validityDays", e.getMessage());
        }
        IssuingCa ca = IssuingCa.choose(registry, data, request.ca());
        String mail = request.mail().toLowerCase(java.util.Locale.ROOT);
        Issued encryption = issue(encryptionProfile, ca, mail, request.name().strip(), algorithm, validity);
        Issued signing = issue(signingProfile, ca, mail, request.name().strip(), algorithm, validity);
        List<Registry.Added> added = registry.addCertificates(List.of(
                new Registry.Issued(ca.record(), details(encryption)), new Registry.Issued(ca.record(), details(signing))), actor);
        String password = request.password() != null ? request.password() : generatePassword();
        byte[] pkcs12;
        try {
            List<java.security.cert.X509Certificate> chain = ca.chain();
            pkcs12 = KeyFiles.pkcs12(password.toCharArray(), List.of(
                    new KeyFiles.KeyEntry("encryption", encryption.keyPair().getPrivate(), prepend(encryption.certificate(), chain)),
                    new KeyFiles.KeyEntry("signing", signing.keyPair().getPrivate(), prepend(signing.certificate(), chain))));
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the PKCS#12 for " + mail + ": " + e.getMessage(), e);
        }
        return new Result(added.get(0).record(), added.get(1).record(), pkcs12, request.password() == null ? password : null);
    }

    /** A new key of {@code algorithm} and its certificate of {@code profile}, CN {@code name}. */
    private Issued issue(CertificateProfile profile, IssuingCa ca, String mail, String name, KeyAlgorithm algorithm, Duration validity) {
        KeyPair keys = algorithm.generate();
        return new Issued(profile.issue(issuer, ca.signer(), keys.getPublic(), name, List.of(), List.of(mail), validity), keys);
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
