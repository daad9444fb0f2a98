package org.certdir.crl.build;

import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.certdir.registry.RevocationReason;

/**
 * Encodes and signs CRLs as RFC 5280 §5 asks: version 2, issuer = the CA's subject, thisUpdate and nextUpdate
 * always, Authority Key Identifier, CRL Number; entries with a reason code (left out for unspecified, §5.3.1)
 * and an invalidity date. A delta CRL carries the critical Delta CRL Indicator with its base's number (§5.2.4);
 * a full CRL may point at its delta with Freshest CRL (§5.2.6).
 */
public final class CrlBuilder {

    /** One entry: {@code reason} null or unspecified leaves the reason code out; removeFromCRL only in deltas. */
    public record Entry(BigInteger serial, Instant revokedAt, RevocationReason reason, Instant invalidityDate) {
    }

    private CrlBuilder() {
    }

    /** A full CRL; {@code freshestCrl} is the delta CRL's URL, or null when no deltas are issued. */
    public static byte[] full(X509Certificate ca, ContentSigner signer, long number, Instant thisUpdate, Instant nextUpdate,
                              List<Entry> entries, String freshestCrl) {
        X509v2CRLBuilder builder = start(ca, number, thisUpdate, nextUpdate, entries);
        try {
            if (freshestCrl != null) {
                builder.addExtension(Extension.freshestCRL, false, new CRLDistPoint(new DistributionPoint[] {new DistributionPoint(
                        new DistributionPointName(new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, freshestCrl))), null, null)}));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot add the Freshest CRL extension", e);
        }
        return sign(builder, signer);
    }

    /** A delta CRL listing the changes since the full CRL number {@code baseNumber}. */
    public static byte[] delta(X509Certificate ca, ContentSigner signer, long number, long baseNumber, Instant thisUpdate, Instant nextUpdate,
                               List<Entry> entries) {
        if (baseNumber >= number) {
            throw new IllegalArgumentException("a delta CRL's number must be greater than its base's: " + number + " !> " + baseNumber);
        }
        X509v2CRLBuilder builder = start(ca, number, thisUpdate, nextUpdate, entries);
        try {
            builder.addExtension(Extension.deltaCRLIndicator, true, new ASN1Integer(baseNumber));
        } catch (IOException e) {
            throw new IllegalStateException("cannot add the Delta CRL Indicator", e);
        }
        return sign(builder, signer);
    }

    private static X509v2CRLBuilder start(X509Certificate ca, long number, Instant thisUpdate, Instant nextUpdate, List<Entry> entries) {
        if (!nextUpdate.isAfter(thisUpdate)) {
            throw new IllegalArgumentException("nextUpdate must be after thisUpdate: " + nextUpdate + " !> " + thisUpdate);
        }
        if (number < 1) {
            throw new IllegalArgumentException("CRL number must be positive, was " + number);
        }
        X509v2CRLBuilder builder = new X509v2CRLBuilder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), Date.from(thisUpdate));
        builder.setNextUpdate(Date.from(nextUpdate));
        try {
            builder.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.getPublicKey()));
            builder.addExtension(Extension.cRLNumber, false, new ASN1Integer(number));
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            for (Entry entry : entries) {
                extensions.reset();
                if (entry.reason() != null && entry.reason() != RevocationReason.UNSPECIFIED) {
                    extensions.addExtension(Extension.reasonCode, false, new ASN1Enumerated(entry.reason().code()));
                }
                if (entry.invalidityDate() != null) {
                    extensions.addExtension(Extension.invalidityDate, false, new ASN1GeneralizedTime(Date.from(entry.invalidityDate())));
                }
                builder.addCRLEntry(entry.serial(), Date.from(entry.revokedAt()), extensions.isEmpty() ? null : extensions.generate());
            }
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot encode the CRL's extensions", e);
        }
        return builder;
    }

    private static byte[] sign(X509v2CRLBuilder builder, ContentSigner signer) {
        try {
            return builder.build(signer).getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the signed CRL", e);
        }
    }
}
