package org.certdir.ops.issuance;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.registry.CaName;

/**
 * Issues certificates: self-signed roots, subordinate CAs, S/MIME pairs and TLS server certificates, each
 * carrying the distribution point and AIA URLs of this service (RFC 5280 §4.2.1.13, §4.2.2.1).
 *
 * <p>A CA signs through a {@link ContentSigner}, so its key could live in a file or in a token.
 */
public final class CertificateIssuer {

    /** One CA able to sign: its certificate, its key and the short name used in its URLs. */
    public record SigningCa(CaName name, X509Certificate certificate, PrivateKey key) {
    }

    /** A certificate with the key pair it certifies. */
    public record Issued(X509Certificate certificate, KeyPair keyPair) {
    }

    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private final PublicationUrls urls;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public CertificateIssuer(PublicationUrls urls, Clock clock) {
        this.urls = urls;
        this.clock = clock;
    }

    /** A self-signed root CA with a new key, its path length unbounded: for tests and tools that need a CA quickly. */
    public Issued rootCa(String commonName, String organisation, KeyAlgorithm algorithm, Duration validity) {
        KeyPair keys = algorithm.generate();
        return new Issued(rootCa(subject(commonName, organisation), keys, validity, null), keys);
    }

    /**
     * A self-signed root CA certificate for {@code keys}: basicConstraints cA with {@code pathLength} (null: unbounded),
     * keyCertSign, cRLSign and digitalSignature (so the CA key can sign OCSP answers itself when delegation is off), its
     * subject key identifier. No CRL distribution point or AIA: a root has no issuer to point to (RFC 5280 §6.1: the
     * trust anchor is taken as it is, never checked for revocation).
     */
    public X509Certificate rootCa(X500Name subject, KeyPair keys, Duration validity, Integer pathLength) {
        JcaX509v3CertificateBuilder builder = builder(subject, subject, keys.getPublic(), validity);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, pathLength == null ? new BasicConstraints(true) : new BasicConstraints(pathLength));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build root CA certificate for " + subject, e);
        }
        return sign(builder, keys.getPrivate());
    }

    /**
     * A CA certificate for {@code subjectKey} signed by {@code issuer}: basicConstraints cA with {@code pathLength} (0 for
     * an issuing CA, which signs end entities only), the key usages of {@link #rootCa(X500Name, KeyPair, Duration, Integer)},
     * and the issuer's CRL distribution points and AIA, so a client holding the chain checks this CA's revocation.
     */
    public X509Certificate subordinateCa(SigningCa issuer, X500Name subject, PublicKey subjectKey, Duration validity, int pathLength) {
        JcaX509v3CertificateBuilder builder = builder(issuerName(issuer), subject, subjectKey, validity);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            addIssuerLinks(builder, issuer, subjectKey);
        } catch (Exception e) {
            throw new IllegalStateException("cannot build CA certificate for " + subject, e);
        }
        return sign(builder, issuer.key());
    }

    /**
     * A self-signed end-entity certificate that only holds {@code keys} in a PKCS#12 file (a key entry needs a certificate)
     * while the CA's real certificate is to come from a root kept elsewhere, as EJBCA keeps a CA "waiting for certificate
     * response": basicConstraints cA false and no key usage, so nobody can take it for the CA.
     */
    public X509Certificate keyHolder(X500Name subject, KeyPair keys, Duration validity) {
        JcaX509v3CertificateBuilder builder = builder(subject, subject, keys.getPublic(), validity);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the key holder certificate for " + subject, e);
        }
        return sign(builder, keys.getPrivate());
    }

    /** Purposes of an S/MIME certificate: S/MIME deployments give each user a separate encryption and signing key. */
    public enum SmimePurpose { ENCRYPTION, SIGNING }

    public Issued smime(SigningCa issuer, String mail, String fullName, String organisation, SmimePurpose purpose,
                        KeyAlgorithm algorithm, Duration validity) {
        KeyPair keys = algorithm.generate();
        int usage = purpose == SmimePurpose.SIGNING
                ? KeyUsage.digitalSignature | KeyUsage.nonRepudiation
                : KeyAlgorithm.usesKeyAgreement(keys.getPublic()) ? KeyUsage.keyAgreement : KeyUsage.keyEncipherment;
        return new Issued(endEntity(issuer, name(fullName, organisation, mail), keys.getPublic(), validity, usage,
                new KeyPurposeId[] {KeyPurposeId.id_kp_emailProtection}, List.of(mail)), keys);
    }

    /**
     * An end-entity certificate for {@code subjectKey}, whoever holds its private key (certdir, or a user who sent a CSR):
     * basicConstraints cA false, the key usage (critical, RFC 8550 §4.4.2), the extended key usages, the mail addresses as
     * rfc822Names (RFC 8550 §3), and the issuer's links. The S/MIME pairs and the profiles build theirs here.
     */
    public X509Certificate endEntity(SigningCa issuer, X500Name subject, PublicKey subjectKey, Duration validity, int keyUsage,
                                     KeyPurposeId[] purposes, List<String> mailAddresses) {
        JcaX509v3CertificateBuilder builder = builder(issuerName(issuer), subject, subjectKey, validity);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(mailAddresses.stream()
                    .map(mail -> new GeneralName(GeneralName.rfc822Name, mail)).toArray(GeneralName[]::new)));
            addIssuerLinks(builder, issuer, subjectKey);
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the certificate for " + subject, e);
        }
        return sign(builder, issuer.key());
    }

    /** A TLS server certificate for the given DNS names and IP addresses (e.g. the directory's LDAPS listener). */
    public Issued tlsServer(SigningCa issuer, String commonName, List<String> dnsNames, List<String> ipAddresses,
                            KeyAlgorithm algorithm, Duration validity) {
        KeyPair keys = algorithm.generate();
        JcaX509v3CertificateBuilder builder = builder(issuerName(issuer), name(commonName, null, null), keys.getPublic(), validity);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            int usage = KeyUsage.digitalSignature | (KeyAlgorithm.usesKeyAgreement(keys.getPublic()) ? 0 : KeyUsage.keyEncipherment);
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
            ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            addIssuerLinks(builder, issuer, keys.getPublic());
        } catch (Exception e) {
            throw new IllegalStateException("cannot build TLS server certificate for " + commonName, e);
        }
        return new Issued(sign(builder, issuer.key()), keys);
    }

    /**
     * A delegated OCSP signing certificate (RFC 6960 §4.2.2.2): id-kp-OCSPSigning, and id-pkix-ocsp-nocheck
     * (§4.2.2.2.1) so clients do not ask OCSP about the signer itself; hence short-lived and renewed early.
     */
    public Issued ocspSigner(SigningCa issuer, String commonName, KeyAlgorithm algorithm, Duration validity) {
        KeyPair keys = algorithm.generate();
        JcaX509v3CertificateBuilder builder = builder(issuerName(issuer), name(commonName, null, null), keys.getPublic(), validity);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
            builder.addExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, DERNull.INSTANCE);
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer.certificate().getPublicKey()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the OCSP signing certificate " + commonName, e);
        }
        return new Issued(sign(builder, issuer.key()), keys);
    }

    /** Extensions of a certificate being renewed that belong to its issuer, its key or its old validity, not to its holder. */
    private static final java.util.Set<org.bouncycastle.asn1.ASN1ObjectIdentifier> NOT_RENEWED = java.util.Set.of(
            Extension.subjectKeyIdentifier, Extension.authorityKeyIdentifier, Extension.cRLDistributionPoints,
            Extension.authorityInfoAccess, Extension.freshestCRL, Extension.privateKeyUsagePeriod);

    /**
     * The successor of the end-entity certificate {@code old} for {@code key} (its own key, or a new one): the old subject as
     * it is encoded and every extension the holder had (subject alternative name, key usage, extended key usage, basic
     * constraints, policies...), with the issuer links of {@code issuer} as it is now (SKI, AKI, CRL distribution points,
     * AIA), a new serial and {@code validity} from now. A key of the other kind swaps keyAgreement and keyEncipherment, as
     * EC keys only agree on keys (RFC 5480 §3) and RSA keys only encipher them (RFC 4055 §1.2).
     */
    public X509Certificate renewal(SigningCa issuer, X509Certificate old, PublicKey key, Duration validity) {
        X500Name subject = X500Name.getInstance(old.getSubjectX500Principal().getEncoded());
        JcaX509v3CertificateBuilder builder = builder(issuerName(issuer), subject, key, validity);
        try {
            org.bouncycastle.asn1.x509.Extensions extensions = new org.bouncycastle.cert.jcajce.JcaX509CertificateHolder(old).getExtensions();
            for (org.bouncycastle.asn1.ASN1ObjectIdentifier oid : extensions == null ? new org.bouncycastle.asn1.ASN1ObjectIdentifier[0] : extensions.getExtensionOIDs()) {
                Extension extension = extensions.getExtension(oid);
                KeyUsage swapped = oid.equals(Extension.keyUsage) ? swappedKeyUsage(KeyUsage.getInstance(extension.getParsedValue()), key) : null;
                if (swapped != null) {
                    builder.addExtension(Extension.keyUsage, extension.isCritical(), swapped);
                } else if (!NOT_RENEWED.contains(oid)) {
                    builder.addExtension(extension);
                }
            }
            addIssuerLinks(builder, issuer, key);
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the renewal of " + old.getSubjectX500Principal() + ": " + e.getMessage(), e);
        }
        return sign(builder, issuer.key());
    }

    /** {@code old} with its encryption usage made the one {@code key} has; null when it has it already. */
    private static KeyUsage swappedKeyUsage(KeyUsage old, PublicKey key) {
        boolean agreement = KeyAlgorithm.usesKeyAgreement(key);
        int bits = 0;
        for (int bit : new int[] {KeyUsage.digitalSignature, KeyUsage.nonRepudiation, KeyUsage.keyEncipherment, KeyUsage.dataEncipherment,
                KeyUsage.keyAgreement, KeyUsage.keyCertSign, KeyUsage.cRLSign, KeyUsage.encipherOnly, KeyUsage.decipherOnly}) {
            if (old.hasUsages(bit)) {
                bits |= bit;
            }
        }
        if (agreement && (bits & (KeyUsage.keyEncipherment | KeyUsage.dataEncipherment)) != 0) {
            return new KeyUsage(bits & ~(KeyUsage.keyEncipherment | KeyUsage.dataEncipherment) | KeyUsage.keyAgreement);
        }
        if (!agreement && (bits & KeyUsage.keyAgreement) != 0) {
            return new KeyUsage(bits & ~(KeyUsage.keyAgreement | KeyUsage.encipherOnly | KeyUsage.decipherOnly) | KeyUsage.keyEncipherment);
        }
        return null;
    }

    /** SKI, AKI, the issuer's CRL distribution points (HTTP and LDAP) and AIA (caIssuers and OCSP). */
    private void addIssuerLinks(X509v3CertificateBuilder builder, SigningCa issuer, PublicKey subjectKey) throws Exception {
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
        builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer.certificate().getPublicKey()));
        String issuerCommonName = org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(
                issuerName(issuer).getRDNs(BCStyle.CN)[0].getFirst().getValue());
        GeneralNames crlLocations = new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.uniformResourceIdentifier, urls.crl(issuer.name())),
                new GeneralName(GeneralName.uniformResourceIdentifier, urls.ldapCrl(issuerCommonName))});
        builder.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                new DistributionPoint(new DistributionPointName(crlLocations), null, null)}));
        builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(new AccessDescription[] {
                new AccessDescription(AccessDescription.id_ad_caIssuers,
                        new GeneralName(GeneralName.uniformResourceIdentifier, urls.caIssuers(issuer.name()))),
                new AccessDescription(AccessDescription.id_ad_ocsp,
                        new GeneralName(GeneralName.uniformResourceIdentifier, urls.ocsp()))}));
    }

    private JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key, Duration validity) {
        Instant now = clock.instant();
        return new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, key);
    }

    /** 16 random octets, positive: RFC 5280 allows 20, CA/B guidance asks for at least 64 bits of randomness. */
    private BigInteger serial() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        bytes[0] &= 0x7f;
        return new BigInteger(bytes);
    }

    private static X500Name issuerName(SigningCa issuer) {
        return X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
    }

    /** The subject {@code O=organisation, CN=commonName} (no O when {@code organisation} is null), as the demo's CAs have it. */
    public static X500Name subject(String commonName, String organisation) {
        return name(commonName, organisation, null);
    }

    private static X500Name name(String commonName, String organisation, String mail) {
        X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
        if (organisation != null) {
            name.addRDN(BCStyle.O, organisation);
        }
        name.addRDN(BCStyle.CN, commonName);
        if (mail != null) {
            name.addRDN(BCStyle.EmailAddress, mail);
        }
        return name.build();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithm(key)).build(key);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign certificate: " + e.getMessage(), e);
        }
    }
}
