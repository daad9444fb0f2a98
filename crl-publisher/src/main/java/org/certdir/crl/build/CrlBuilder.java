package org.certdir.crl.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.certdir.registry.RevocationReason;

/**
 * Encodes and signs CRLs as RFC 5280 §5 asks: version 2, issuer = the CA's subject, thisUpdate and nextUpdate
 * always, Authority Key Identifier, CRL Number; entries with a reason code (left out for unspecified, §5.3.1)
 * and an invalidity date. A delta CRL carries the critical Delta CRL Indicator with its base's number (§5.2.4);
 * a full CRL may point at its delta with Freshest CRL (§5.2.6).
 *
 * <p>Design notes: the entries are written as DER straight into the output as they come, one at a time, and
 * the signer reads the finished TBSCertList bytes: no object per entry stays alive, so a CRL of a million
 * entries costs little more heap than its own size. The CRL-wide parts (issuer, extensions) are few and are
 * encoded with Bouncy Castle.
 */
public final class CrlBuilder {

    /** One entry: {@code reason} null or unspecified leaves the reason code out; removeFromCRL only in deltas. */
    public record Entry(BigInteger serial, Instant revokedAt, RevocationReason reason, Instant invalidityDate) {
    }

    private static final byte[] VERSION_2 = {Der.INTEGER, 1, 1};
    private static final Map<RevocationReason, byte[]> REASON_EXTENSIONS = new EnumMap<>(RevocationReason.class);

    static {
        for (RevocationReason reason : RevocationReason.values()) {
            if (reason != RevocationReason.UNSPECIFIED) {
                REASON_EXTENSIONS.put(reason, encode(entryExtensions(reason, null)));
            }
        }
    }

    private CrlBuilder() {
    }

    /**
     * A full CRL; {@code freshestCrl} are the URLs the delta CRL is published at (one distribution point whose
     * names are alternative ways to the same CRL, RFC 5280 §4.2.1.13), empty when no deltas are issued.
     */
    public static byte[] full(X509Certificate ca, ContentSigner signer, long number, Instant thisUpdate, Instant nextUpdate,
                              Iterable<Entry> entries, java.util.List<String> freshestCrl) {
        ExtensionsGenerator extensions = crlExtensions(ca, number);
        try {
            if (!freshestCrl.isEmpty()) {
                GeneralName[] names = freshestCrl.stream().map(url -> new GeneralName(GeneralName.uniformResourceIdentifier, url)).toArray(GeneralName[]::new);
                extensions.addExtension(Extension.freshestCRL, false, new CRLDistPoint(new DistributionPoint[] {new DistributionPoint(
                        new DistributionPointName(new GeneralNames(names)), null, null)}));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot add the Freshest CRL extension", e);
        }
        return build(ca, signer, number, thisUpdate, nextUpdate, entries, extensions.generate());
    }

    /** A delta CRL listing the changes since the full CRL number {@code baseNumber}. */
    public static byte[] delta(X509Certificate ca, ContentSigner signer, long number, long baseNumber, Instant thisUpdate, Instant nextUpdate,
                               Iterable<Entry> entries) {
        if (baseNumber >= number) {
            throw new IllegalArgumentException("a delta CRL's number must be greater than its base's: " + number + " !> " + baseNumber);
        }
        ExtensionsGenerator extensions = crlExtensions(ca, number);
        try {
            extensions.addExtension(Extension.deltaCRLIndicator, true, new ASN1Integer(baseNumber));
        } catch (IOException e) {
            throw new IllegalStateException("cannot add the Delta CRL Indicator", e);
        }
        return build(ca, signer, number, thisUpdate, nextUpdate, entries, extensions.generate());
    }

    private static ExtensionsGenerator crlExtensions(X509Certificate ca, long number) {
        if (number < 1) {
            throw new IllegalArgumentException("CRL number must be positive, was " + number);
        }
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        try {
            extensions.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.getPublicKey()));
            extensions.addExtension(Extension.cRLNumber, false, new ASN1Integer(number));
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot encode the CRL's extensions", e);
        }
        return extensions;
    }

    private static byte[] build(X509Certificate ca, ContentSigner signer, long number, Instant thisUpdate, Instant nextUpdate,
                                Iterable<Entry> entries, Extensions extensions) {
        if (!nextUpdate.isAfter(thisUpdate)) {
            throw new IllegalArgumentException("nextUpdate must be after thisUpdate: " + nextUpdate + " !> " + thisUpdate);
        }
        ByteArrayOutputStream revoked = new ByteArrayOutputStream(64 * 1024);
        ByteArrayOutputStream entry = new ByteArrayOutputStream(128);
        Iterator<Entry> iterator = entries.iterator();
        while (iterator.hasNext()) {
            Entry next = iterator.next();
            entry.reset();
            Der.integer(entry, next.serial());
            Der.time(entry, next.revokedAt());
            if (next.invalidityDate() != null) {
                entry.writeBytes(encode(entryExtensions(next.reason(), next.invalidityDate())));
            } else if (next.reason() != null && next.reason() != RevocationReason.UNSPECIFIED) {
                entry.writeBytes(REASON_EXTENSIONS.get(next.reason()));
            }
            Der.header(revoked, Der.SEQUENCE, entry.size());
            append(entry, revoked);
        }

        ByteArrayOutputStream tbsContent = new ByteArrayOutputStream(revoked.size() + 1024);
        tbsContent.writeBytes(VERSION_2);
        tbsContent.writeBytes(encode(signer.getAlgorithmIdentifier()));
        tbsContent.writeBytes(ca.getSubjectX500Principal().getEncoded());
        Der.time(tbsContent, thisUpdate);
        Der.time(tbsContent, nextUpdate);
        if (revoked.size() > 0) {
            Der.header(tbsContent, Der.SEQUENCE, revoked.size());
            append(revoked, tbsContent);
        }
        tbsContent.writeBytes(encode(new DERTaggedObject(true, 0, extensions)));
        revoked = null;

        ByteArrayOutputStream tbs = new ByteArrayOutputStream(tbsContent.size() + 8);
        Der.header(tbs, Der.SEQUENCE, tbsContent.size());
        append(tbsContent, tbs);
        tbsContent = null;

        byte[] signature;
        try (OutputStream toSign = signer.getOutputStream()) {
            tbs.writeTo(toSign);
        } catch (IOException e) {
            throw new IllegalStateException("cannot sign the CRL: " + e.getMessage(), e);
        }
        signature = signer.getSignature();
        byte[] algorithm = encode(signer.getAlgorithmIdentifier());
        ByteArrayOutputStream crl = new ByteArrayOutputStream(tbs.size() + algorithm.length + signature.length + 16);
        int bitString = signature.length + 1;
        int bitStringHeader = headerLength(bitString);
        Der.header(crl, Der.SEQUENCE, tbs.size() + algorithm.length + bitStringHeader + bitString);
        append(tbs, crl);
        crl.writeBytes(algorithm);
        Der.header(crl, 0x03, bitString);
        crl.write(0);
        crl.writeBytes(signature);
        return crl.toByteArray();
    }

    /** Copies without the intermediate array {@code toByteArray()} would make (tens of megabytes for a large CRL). */
    private static void append(ByteArrayOutputStream from, ByteArrayOutputStream to) {
        try {
            from.writeTo(to);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("a byte array stream cannot fail", e);
        }
    }

    private static int headerLength(int length) {
        return length < 0x80 ? 2 : length <= 0xff ? 3 : length <= 0xffff ? 4 : length <= 0xffffff ? 5 : 6;
    }

    private static Extensions entryExtensions(RevocationReason reason, Instant invalidityDate) {
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        try {
            if (reason != null && reason != RevocationReason.UNSPECIFIED) {
                extensions.addExtension(Extension.reasonCode, false, new ASN1Enumerated(reason.code()));
            }
            if (invalidityDate != null) {
                extensions.addExtension(Extension.invalidityDate, false, new ASN1GeneralizedTime(java.util.Date.from(invalidityDate)));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a CRL entry's extensions", e);
        }
        return extensions.generate();
    }

    private static byte[] encode(org.bouncycastle.asn1.ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + value, e);
        }
    }
}
