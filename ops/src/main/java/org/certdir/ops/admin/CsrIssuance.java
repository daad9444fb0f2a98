package org.certdir.ops.admin;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificationRequest;
import org.certdir.ops.profile.CertificateProfile;
import org.certdir.ops.profile.CertificateProfiles;
import org.certdir.registry.Actor;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.Registry;

/**
 * Issues a certificate of a profile for a key the user made and keeps (the signing key never leaves them): the CSR's
 * signature must verify with its key, the key must be of a type the profile allows, and the certificate takes from the
 * request only what the profile lets it (see {@link CertificateProfile}). Recorded with its audit record
 * ({@code certificate.issue}, naming the profile) in one transaction; an encryption certificate is then published to
 * the directory as any other is.
 */
final class CsrIssuance {

    /**
     * What the admin asked for; {@code mail} empty takes the CSR's addresses, {@code name} null the CSR's CN,
     * {@code validityDays} null the profile's default, {@code ca} null the only issuing CA.
     */
    record Request(byte[] csr, String profile, String ca, List<String> mail, String name, Integer validityDays) {
    }

    /** The certificate as recorded, and the chain of its CA up to the root. */
    record Result(CertificateRecord record, CertificateProfile profile, List<X509Certificate> chain) {
    }

    private final Registry registry;
    private final DataDirectory data;
    private final CertificateIssuer issuer;
    private final CertificateProfiles profiles;

    CsrIssuance(Registry registry, DataDirectory data, CertificateIssuer issuer, CertificateProfiles profiles) {
        this.registry = registry;
        this.data = data;
        this.issuer = issuer;
        this.profiles = profiles;
    }

    Result issue(Request request, Actor actor) {
        if (request.profile() == null) {
            throw new BadRequest("profile", "profile is missing: give one of " + profiles.names());
        }
        CertificateProfile profile;
        try {
            profile = profiles.get(request.profile());
        } catch (IllegalArgumentException e) {
            throw new BadRequest("profile", e.getMessage());
        }
        if (request.csr() == null) {
            throw new BadRequest("csr", "csr is missing: give the PKCS#10 request as PEM text or base64 DER");
        }
        CertificationRequest csr;
        try {
            csr = CertificationRequest.parse(request.csr());
            profile.keyType(csr.publicKey());
        } catch (IllegalArgumentException e) {
            throw new BadRequest("csr", e.getMessage());
        }
        Duration validity;
        try {
            validity = profile.validity(request.validityDays());
        } catch (IllegalArgumentException e) {
            throw new BadRequest("validityDays", e.getMessage());
        }
        List<String> mails = mailAddresses(request.mail().isEmpty() ? csr.mailAddresses() : request.mail());
        try {
            profile.checkMailAddresses(mails);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("mail", e.getMessage());
        }
        try {
            profile.checkUnits(csr.organizationalUnits());
        } catch (IllegalArgumentException e) {
            throw new BadRequest("csr", e.getMessage());
        }
        String name = commonName(request.name() != null ? request.name() : csr.commonName(), profile);
        IssuingCa ca = IssuingCa.choose(registry, data, request.ca());
        checkWithinCa(ca, validity);
        X509Certificate certificate = profile.issue(issuer, ca.signer(), csr.publicKey(), name, csr.organizationalUnits(), mails, validity);
        CertificateDetails details;
        try {
            details = CertificateDetails.parse(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate just issued", e);
        }
        CertificateRecord record = registry.issueCertificate(ca.record(), details, details.subject() + " (profile " + profile.name() + ", "
                + profile.keyType(csr.publicKey()).configName() + " key from a CSR)", actor);
        return new Result(record, profile, ca.chain());
    }

    /** The addresses asked for, lower-cased as the directory keeps them, each a mailbox the directory can hold. */
    private static List<String> mailAddresses(List<String> asked) {
        if (asked.isEmpty()) {
            throw new BadRequest("mail", "no mail address: the CSR has no rfc822Name in a subjectAltName extension request and no emailAddress in"
                    + " its subject; give the address (mail, --mail)");
        }
        List<String> mails = new ArrayList<>();
        for (String mail : asked) {
            String problem = DirectoryValues.mailProblem("mail", mail);
            if (problem != null) {
                throw new BadRequest("mail", problem);
            }
            String lower = mail.toLowerCase(Locale.ROOT);
            if (!mails.contains(lower)) {
                mails.add(lower);
            }
        }
        return mails;
    }

    /** The CN the certificate gets (null for none): the request's when the profile takes it, checked as a directory cn. */
    private static String commonName(String asked, CertificateProfile profile) {
        if (profile.commonName() == CertificateProfile.CommonName.NONE) {
            return null;
        }
        String name = asked == null || asked.isBlank() ? null : asked.strip();
        try {
            profile.checkCommonName(name);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("name", e.getMessage());
        }
        String problem = name == null ? null : DirectoryValues.nameProblem("name", name, DirectoryValues.MAX_ISSUED_NAME);
        if (problem != null) {
            throw new BadRequest("name", problem);
        }
        return name;
    }

    /** RFC 5280 §6.1.3 checks each certificate's validity: one outliving its CA would fail verification for its last part. */
    private void checkWithinCa(IssuingCa ca, Duration validity) {
        Instant caNotAfter = ca.record().certificate().notAfter();
        Instant notAfter = registry.clock().instant().plus(validity);
        if (notAfter.isAfter(caNotAfter)) {
            long left = Duration.between(registry.clock().instant(), caNotAfter).toDays();
            throw new BadRequest("validityDays", "a validity of " + validity.toDays() + " days would end on " + notAfter + ", after CA '" + ca.record().name()
                    + "' expires (" + caNotAfter + "): at most " + left);
        }
    }
}
