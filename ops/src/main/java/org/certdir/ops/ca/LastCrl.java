package org.certdir.ops.ca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.Extension;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.Serial;

/**
 * The last full CRL an imported CA issued before certdir held it, checked against the CA: issued by it (its issuer is
 * the CA's subject, RFC 5280 §5.1.2.3) and signed with its key, not a delta. Its number is where certdir's CRLs of the
 * CA continue; its entries are the revocations the registry takes over, each with its date, reason and invalidity date.
 */
record LastCrl(long number, Instant thisUpdate, List<Entry> entries) {

    /** One revoked certificate as the CRL lists it; {@code reason} null when the entry has no reason code. */
    record Entry(Serial serial, Instant revokedAt, RevocationReason reason, Instant invalidityDate) {
    }

    /** Reads a CRL (PEM or DER) and checks it is {@code ca}'s own, signed with its key. */
    static LastCrl read(byte[] file, X509Certificate ca) {
        X509CRL crl;
        try {
            crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(file));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new InvalidCaRequest("lastCrl", "the last CRL cannot be read as a CRL (PEM or DER): " + e.getMessage());
        }
        if (crl == null) {
            throw new InvalidCaRequest("lastCrl", "the last CRL file is empty");
        }
        String issuer = crl.getIssuerX500Principal().getName();
        String subject = ca.getSubjectX500Principal().getName();
        if (!crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            throw new InvalidCaRequest("lastCrl", "the last CRL was issued by " + issuer + ", not by the CA " + subject
                    + ": give the CA's own last CRL");
        }
        try {
            crl.verify(ca.getPublicKey());
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new InvalidCaRequest("lastCrl", "the signature of the last CRL does not verify with the key of CA " + subject
                    + ": the CRL is damaged, or was signed by another key of the same name");
        }
        if (crl.getExtensionValue(Extension.deltaCRLIndicator.getId()) != null) {
            throw new InvalidCaRequest("lastCrl", "the last CRL is a delta CRL: give the CA's last full CRL (its entries are every revocation)");
        }
        BigInteger number = integer(crl.getExtensionValue(Extension.cRLNumber.getId()));
        if (number == null) {
            throw new InvalidCaRequest("lastCrl", "the last CRL has no CRL number (a v1 CRL?): give the number certdir's first CRL of the CA is to"
                    + " have with --next-crl-number instead");
        }
        List<Entry> entries = new ArrayList<>();
        if (crl.getRevokedCertificates() != null) {
            for (X509CRLEntry entry : crl.getRevokedCertificates()) {
                if (entry.getCertificateIssuer() != null && !entry.getCertificateIssuer().equals(ca.getSubjectX500Principal())) {
                    throw new InvalidCaRequest("lastCrl", "the last CRL is an indirect CRL (serial " + entry.getSerialNumber().toString(16)
                            + " of " + entry.getCertificateIssuer().getName() + "): certdir takes over only a CA's own revocations");
                }
                RevocationReason reason = entry.getRevocationReason() == null ? null : RevocationReason.ofCode(entry.getRevocationReason().ordinal());
                entries.add(new Entry(new Serial(entry.getSerialNumber()), entry.getRevocationDate().toInstant(), reason,
                        invalidityDate(entry.getExtensionValue(Extension.invalidityDate.getId()))));
            }
        }
        return new LastCrl(number.longValueExact(), crl.getThisUpdate().toInstant(), List.copyOf(entries));
    }

    private static BigInteger integer(byte[] extension) {
        if (extension == null) {
            return null;
        }
        try {
            return ASN1Integer.getInstance(ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(extension).getOctets())).getValue();
        } catch (IOException | RuntimeException e) {
            throw new InvalidCaRequest("lastCrl", "the last CRL's number cannot be read: " + e.getMessage());
        }
    }

    private static Instant invalidityDate(byte[] extension) {
        if (extension == null) {
            return null;
        }
        try {
            return ASN1GeneralizedTime.getInstance(ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(extension).getOctets())).getDate().toInstant();
        } catch (IOException | java.text.ParseException | RuntimeException e) {
            throw new InvalidCaRequest("lastCrl", "an invalidity date of the last CRL cannot be read: " + e.getMessage());
        }
    }
}
