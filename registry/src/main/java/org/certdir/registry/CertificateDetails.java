package org.certdir.registry;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * What certdir needs to know about a certificate, read from its DER.
 *
 * <p>Every certificate is parsed here before it is stored or published: directories accept any bytes
 * in certificate attributes, so this is the only check that keeps garbage out of them.
 */
public record CertificateDetails(
        byte[] der,
        X509Certificate certificate,
        Serial serial,
        String subject,
        String issuer,
        Instant notBefore,
        Instant notAfter,
        List<String> mailAddresses,
        boolean ca,
        Usage usage,
        String sha256) {

    /** What an S/MIME certificate may be used for, as decided by its key usage and extended key usage. */
    public enum Usage {
        /** Encryption (keyEncipherment or keyAgreement) for S/MIME: published so senders can encrypt to it. */
        ENCRYPTION,
        /** Signing only: not published by default. */
        SIGNING,
        /** Both in one key pair (older single-key deployments): published, as it can encrypt. */
        ENCRYPTION_AND_SIGNING,
        /** No S/MIME use: a CA, a TLS server, an OCSP signer. */
        OTHER;

        public boolean encrypts() {
            return this == ENCRYPTION || this == ENCRYPTION_AND_SIGNING;
        }
    }

    private static final String EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
    private static final String EMAIL_ADDRESS_ATTRIBUTE = "1.2.840.113549.1.9.1";
    private static final int SAN_RFC822_NAME = 1;

    /** Parses one DER certificate; the message says what is wrong with the bytes. */
    public static CertificateDetails parse(byte[] der) {
        if (der == null || der.length == 0) {
            throw new IllegalArgumentException("certificate is empty");
        }
        X509Certificate certificate;
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            certificate = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw new IllegalArgumentException("not a DER X.509 certificate: " + e.getMessage(), e);
        }
        byte[] encoded;
        try {
            encoded = certificate.getEncoded();
        } catch (CertificateException e) {
            throw new IllegalArgumentException("certificate cannot be re-encoded: " + e.getMessage(), e);
        }
        if (encoded.length != der.length) {
            throw new IllegalArgumentException("certificate has " + (der.length - encoded.length) + " trailing bytes after its DER encoding");
        }
        boolean ca = certificate.getBasicConstraints() >= 0;
        return new CertificateDetails(
                encoded,
                certificate,
                new Serial(certificate.getSerialNumber()),
                name(certificate.getSubjectX500Principal()),
                name(certificate.getIssuerX500Principal()),
                certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant(),
                mailAddresses(certificate),
                ca,
                ca ? Usage.OTHER : usage(certificate),
                sha256Hex(encoded));
    }

    /** RFC 2253 form, with the emailAddress attribute by name rather than as an OID and hex. */
    private static String name(X500Principal principal) {
        return principal.getName(X500Principal.RFC2253, java.util.Map.of(EMAIL_ADDRESS_ATTRIBUTE, "emailAddress"));
    }

    /** The rfc822Names of the subject alternative name, lower-cased; the subject's emailAddress if there are none. */
    private static List<String> mailAddresses(X509Certificate certificate) {
        Set<String> mails = new LinkedHashSet<>();
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (((Integer) name.get(0)) == SAN_RFC822_NAME) {
                        mails.add(((String) name.get(1)).strip().toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("certificate's subject alternative name cannot be parsed: " + e.getMessage(), e);
        }
        if (mails.isEmpty()) {
            for (javax.naming.ldap.Rdn rdn : rdns(name(certificate.getSubjectX500Principal()))) {
                if (rdn.getType().equalsIgnoreCase("emailAddress")) {
                    mails.add(String.valueOf(rdn.getValue()).strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        return List.copyOf(mails);
    }

    private static List<javax.naming.ldap.Rdn> rdns(String rfc2253) {
        try {
            return new javax.naming.ldap.LdapName(rfc2253).getRdns();
        } catch (javax.naming.InvalidNameException e) {
            return List.of();
        }
    }

    private static Usage usage(X509Certificate certificate) {
        List<String> extendedKeyUsage;
        try {
            extendedKeyUsage = certificate.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("certificate's extended key usage cannot be parsed: " + e.getMessage(), e);
        }
        boolean smime = extendedKeyUsage != null
                && (extendedKeyUsage.contains(EMAIL_PROTECTION) || extendedKeyUsage.contains(ANY_EXTENDED_KEY_USAGE));
        if (!smime) {
            return Usage.OTHER;
        }
        // RFC 5280 §4.2.1.3: without a key usage extension the key may be used for anything.
        boolean[] keyUsage = certificate.getKeyUsage();
        boolean signs = keyUsage == null || keyUsage[0] || keyUsage[1];
        boolean encrypts = keyUsage == null || keyUsage[2] || keyUsage[4];
        if (encrypts && signs) {
            return Usage.ENCRYPTION_AND_SIGNING;
        }
        if (encrypts) {
            return Usage.ENCRYPTION;
        }
        return signs ? Usage.SIGNING : Usage.OTHER;
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The subject's common name, or null. */
    public String commonName() {
        for (javax.naming.ldap.Rdn rdn : rdns(subject)) {
            if (rdn.getType().equalsIgnoreCase("CN")) {
                return String.valueOf(rdn.getValue());
            }
        }
        return null;
    }

    public byte[] der() {
        return der.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CertificateDetails that && sha256.equals(that.sha256);
    }

    @Override
    public int hashCode() {
        return sha256.hashCode();
    }

    @Override
    public String toString() {
        return "certificate " + serial + " of " + subject + " issued by " + issuer;
    }

}
