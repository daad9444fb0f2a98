package org.certdir.ops.profile;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;

/**
 * What a certificate of one kind looks like, chosen by name when it is issued (EJBCA's certificate profile, AD CS's
 * certificate template): the key types it certifies, its validity, key usage and extended key usage, the subject
 * fields it takes from the request and those it fixes, and its rfc822Name rule.
 *
 * <p>Design notes. The key usage lists what the certificate is for; the encryption bit then follows the key, because
 * an EC key cannot encipher and an RSA key cannot agree (RFC 5480 §3, RFC 8550 §4.4.2): {@code keyEncipherment} and
 * {@code dataEncipherment} go into certificates for RSA keys only, {@code keyAgreement} into those for EC keys only. So
 * one encryption profile serves both kinds of key, as certdir's S/MIME pairs always have. The subject is built from the
 * profile, never copied from the request: O is the profile's, OU one of those it allows, CN the request's when the
 * profile takes it, and emailAddress the first mail address (as certdir's pairs carry it); anything else in a CSR's
 * subject (C, L, a self-chosen O) is left out. The mail addresses go into the subjectAltName as rfc822Names, which is
 * where S/MIME clients look for them (RFC 8550 §3).
 *
 * @param organisation        the subject's O, or null for none
 * @param organizationalUnits the OU values a request may ask for (at most one of them); empty: no OU
 * @param maxMailAddresses    the most rfc822Names in one certificate
 * @param mailDomains         the domains the addresses must be in; empty: any
 */
public record CertificateProfile(
        String name,
        boolean builtIn,
        List<KeyType> keyTypes,
        Duration validity,
        Duration maxValidity,
        List<Usage> keyUsage,
        List<ASN1ObjectIdentifier> extendedKeyUsage,
        String organisation,
        List<String> organizationalUnits,
        CommonName commonName,
        int maxMailAddresses,
        List<String> mailDomains) {

    /** Where the subject's CN comes from. */
    public enum CommonName {
        /** The request's (the CSR's subject, or the name the admin gives); a request without one is refused. */
        REQUIRED,
        /** The request's, when it has one. */
        OPTIONAL,
        /** None: the certificate names its holder by mail address only. */
        NONE;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The key usage bits an end-entity S/MIME certificate may carry (RFC 5280 §4.2.1.3), by their RFC names. */
    public enum Usage {
        DIGITAL_SIGNATURE("digitalSignature", org.bouncycastle.asn1.x509.KeyUsage.digitalSignature),
        NON_REPUDIATION("nonRepudiation", org.bouncycastle.asn1.x509.KeyUsage.nonRepudiation),
        KEY_ENCIPHERMENT("keyEncipherment", org.bouncycastle.asn1.x509.KeyUsage.keyEncipherment),
        DATA_ENCIPHERMENT("dataEncipherment", org.bouncycastle.asn1.x509.KeyUsage.dataEncipherment),
        KEY_AGREEMENT("keyAgreement", org.bouncycastle.asn1.x509.KeyUsage.keyAgreement);

        private final String rfcName;
        private final int bit;

        Usage(String rfcName, int bit) {
            this.rfcName = rfcName;
            this.bit = bit;
        }

        public String rfcName() {
            return rfcName;
        }

        boolean encrypts() {
            return this == KEY_ENCIPHERMENT || this == DATA_ENCIPHERMENT || this == KEY_AGREEMENT;
        }

        /** Whether a key of {@code type} can be used so: enciphering for RSA keys only, agreement for EC keys only. */
        boolean fits(KeyType type) {
            return switch (this) {
                case KEY_ENCIPHERMENT, DATA_ENCIPHERMENT -> !type.agreesOnKeys();
                case KEY_AGREEMENT -> type.agreesOnKeys();
                default -> true;
            };
        }

        /** {@code contentCommitment} is X.509's later name of nonRepudiation; both are accepted. */
        static Usage parse(String text) {
            if ("contentCommitment".equals(text)) {
                return NON_REPUDIATION;
            }
            for (Usage usage : values()) {
                if (usage.rfcName.equals(text)) {
                    return usage;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not one of " + java.util.Arrays.stream(values()).map(Usage::rfcName)
                    .collect(Collectors.joining(", ")));
        }
    }

    /** The extended key usages known by name; others are given as dotted OIDs. */
    static final List<KeyPurposeId> NAMED_PURPOSES = List.of(KeyPurposeId.id_kp_emailProtection, KeyPurposeId.id_kp_clientAuth,
            KeyPurposeId.getInstance(new ASN1ObjectIdentifier("1.3.6.1.5.5.7.3.36")));
    private static final List<String> PURPOSE_NAMES = List.of("emailProtection", "clientAuth", "documentSigning");

    public CertificateProfile {
        keyTypes = List.copyOf(keyTypes);
        keyUsage = List.copyOf(keyUsage);
        extendedKeyUsage = List.copyOf(extendedKeyUsage);
        organizationalUnits = List.copyOf(organizationalUnits);
        mailDomains = List.copyOf(mailDomains);
    }

    /** The name of an extended key usage as the config and {@code certdir profile list} write it. */
    public static String purposeName(ASN1ObjectIdentifier purpose) {
        for (int i = 0; i < NAMED_PURPOSES.size(); i++) {
            if (NAMED_PURPOSES.get(i).toOID().equals(purpose)) {
                return PURPOSE_NAMES.get(i);
            }
        }
        return purpose.getId();
    }

    static ASN1ObjectIdentifier parsePurpose(String text) {
        int named = PURPOSE_NAMES.indexOf(text);
        if (named >= 0) {
            return NAMED_PURPOSES.get(named).toOID();
        }
        if (!text.matches("[0-2](\\.[0-9]+)+")) {
            throw new IllegalArgumentException("'" + text + "' is neither one of " + String.join(", ", PURPOSE_NAMES) + " nor a dotted OID");
        }
        return new ASN1ObjectIdentifier(text);
    }

    /** The type of {@code key} when this profile certifies it; otherwise the refusal names the key and what is allowed. */
    public KeyType keyType(PublicKey key) {
        Optional<KeyType> type = KeyType.of(key);
        if (type.isEmpty() || !keyTypes.contains(type.get())) {
            throw new IllegalArgumentException("key type " + KeyType.describe(key) + " is not allowed by profile '" + name + "': it allows "
                    + keyTypes.stream().map(KeyType::configName).collect(Collectors.joining(", ")));
        }
        return type.get();
    }

    /** The key usage bits for a key of {@code type}: the profile's, less those the key cannot do (see the design notes). */
    public int keyUsageBits(KeyType type) {
        int bits = 0;
        for (Usage usage : keyUsage) {
            if (usage.fits(type)) {
                bits |= usage.bit;
            }
        }
        return bits;
    }

    public KeyPurposeId[] purposes() {
        return extendedKeyUsage.stream().map(KeyPurposeId::getInstance).toArray(KeyPurposeId[]::new);
    }

    /** The validity asked for in days (null: the profile's default), refused beyond the profile's maximum. */
    public Duration validity(Integer days) {
        if (days == null) {
            return validity;
        }
        if (days < 1 || days > maxValidity.toDays()) {
            throw new IllegalArgumentException("validityDays must be between 1 and " + maxValidity.toDays() + " (the maximum of profile '" + name
                    + "'), was " + days);
        }
        return Duration.ofDays(days);
    }

    /**
     * The issued certificate's subject: O, the OU asked for, the CN asked for, emailAddress (see the design notes).
     *
     * @param commonName the request's CN, or null
     * @param units      the request's OUs
     * @param mail       the first mail address
     */
    public X500Name subject(String commonName, List<String> units, String mail) {
        checkCommonName(commonName);
        checkUnits(units);
        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
        if (organisation != null) {
            subject.addRDN(BCStyle.O, organisation);
        }
        units.forEach(unit -> subject.addRDN(BCStyle.OU, unit));
        if (commonName != null && this.commonName != CommonName.NONE) {
            subject.addRDN(BCStyle.CN, commonName);
        }
        subject.addRDN(BCStyle.EmailAddress, mail);
        return subject.build();
    }

    /** Refuses a request without a CN when the profile requires one. */
    public void checkCommonName(String commonName) {
        if (commonName == null && this.commonName == CommonName.REQUIRED) {
            throw new IllegalArgumentException("no name: profile '" + name + "' takes the subject's CN from the request: give the person's name"
                    + " (a CN in the CSR's subject, or --name)");
        }
    }

    /** Refuses an OU the profile does not allow, and more than one. */
    public void checkUnits(List<String> units) {
        if (units.size() > 1 || units.size() == 1 && !organizationalUnits.contains(units.get(0))) {
            throw new IllegalArgumentException((units.size() == 1 ? "OU '" + units.get(0) + "' is" : "OUs " + units + " are") + " not allowed by profile '"
                    + name + "': " + (organizationalUnits.isEmpty() ? "it allows no OU; make the CSR without one"
                            : "it allows one of " + String.join(", ", organizationalUnits)));
        }
    }

    /** Refuses more addresses than the profile allows, and any outside its domains. */
    public void checkMailAddresses(List<String> mails) {
        if (mails.size() > maxMailAddresses) {
            throw new IllegalArgumentException(mails.size() + " mail addresses (" + String.join(", ", mails) + "): profile '" + name + "' allows at most "
                    + maxMailAddresses + " in one certificate");
        }
        for (String mail : mails) {
            String domain = mail.substring(mail.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
            if (!mailDomains.isEmpty() && !mailDomains.contains(domain)) {
                throw new IllegalArgumentException("mail '" + mail + "' is not in a domain profile '" + name + "' allows: " + String.join(", ", mailDomains));
            }
        }
    }

    /**
     * Issues this profile's certificate for {@code key} (refused when the profile does not allow its type), signed by
     * {@code ca}: the subject of {@link #subject}, the key usage for the key's type, the extended key usages, the mail
     * addresses (checked with {@link #checkMailAddresses}) as rfc822Names.
     */
    public X509Certificate issue(CertificateIssuer issuer, SigningCa ca, PublicKey key, String commonName, List<String> units, List<String> mails,
                                 Duration validity) {
        KeyType type = keyType(key);
        checkMailAddresses(mails);
        return issuer.endEntity(ca, subject(commonName, units, mails.get(0)), key, validity, keyUsageBits(type), purposes(), mails);
    }

    /** A duration as the config writes it: "730d", or ISO-8601 ("PT12H") when it is not whole days. */
    public static String text(Duration duration) {
        return duration.toDays() * 86_400 == duration.getSeconds() && duration.getNano() == 0 ? duration.toDays() + "d" : duration.toString();
    }

    /** The key usage names, for listings. */
    public List<String> keyUsageNames() {
        List<String> names = new ArrayList<>();
        keyUsage.forEach(usage -> names.add(usage.rfcName()));
        return names;
    }
}
