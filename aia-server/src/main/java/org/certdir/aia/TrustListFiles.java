package org.certdir.aia;

import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.Time;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.certdir.directory.publication.CertsOnlyPkcs7;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.certdir.registry.TrustList;

/**
 * The trust list over HTTP: {@code trust-list.p7c}, the trusted partner CA certificates as a certs-only PKCS#7,
 * and {@code trust-list.p7s}, a CMS SignedData (RFC 5652) encapsulating those same bytes, signed by our root (or the
 * configured trust-list signer) with a signing time and the list's sequence number as signed attributes, so a
 * partner can check both that the list is ours and that it is the newest. Built once per sequence number.
 */
public final class TrustListFiles {

    /**
     * The signed attribute carrying the sequence number (an INTEGER): our own OID, under the UUID arc (ITU-T X.667)
     * as DESIGN.md asks.
     */
    public static final ASN1ObjectIdentifier SEQUENCE_NUMBER = new ASN1ObjectIdentifier("2.25.276586097347582099629581873428596008971");

    /** Who signs the list: a certificate and signers for its key. */
    public record Signer(X509Certificate certificate, Supplier<ContentSigner> contentSigner) {
    }

    /** The two files of one sequence number; {@code signed} is null when no signer is available. */
    public record Files(long sequence, byte[] bundle, String bundleTag, byte[] signed, String signedTag, int certificates) {
    }

    private final Registry registry;
    private final Supplier<Signer> signer;
    private final Clock clock;
    private volatile Files current;

    /** {@code signer} is asked each time the list changes; it returns null when there is no signer to use. */
    public TrustListFiles(Registry registry, Supplier<Signer> signer, Clock clock) {
        this.registry = registry;
        this.signer = signer;
        this.clock = clock;
    }

    /** The files for the list as it is now. Reads the registry: not on an event loop. */
    public Files current() {
        Files files = current;
        if (files == null || files.sequence() != registry.trustList().sequence()) {
            files = build(registry.trustList().snapshot());
            current = files;
        }
        return files;
    }

    private Files build(TrustList.Snapshot snapshot) {
        List<X509Certificate> certificates = snapshot.cas().stream().map(TrustList.TrustedCa::certificate).map(CertificateDetails::certificate).toList();
        byte[] bundle = CertsOnlyPkcs7.encode(certificates);
        Signer by = signer.get();
        byte[] signed = by == null ? null : sign(bundle, snapshot.sequence(), by);
        return new Files(snapshot.sequence(), bundle, EntityTag.of(bundle), signed, signed == null ? null : EntityTag.of(signed), certificates.size());
    }

    private byte[] sign(byte[] content, long sequence, Signer by) {
        try {
            ASN1EncodableVector attributes = new ASN1EncodableVector();
            attributes.add(new Attribute(CMSAttributes.signingTime, new DERSet(new Time(java.util.Date.from(clock.instant())))));
            attributes.add(new Attribute(SEQUENCE_NUMBER, new DERSet(new ASN1Integer(sequence))));
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                    .setSignedAttributeGenerator(new DefaultSignedAttributeTableGenerator(new AttributeTable(attributes)))
                    .build(by.contentSigner().get(), by.certificate()));
            generator.addCertificates(new JcaCertStore(List.of(by.certificate())));
            return generator.generate(new CMSProcessableByteArray(content), true).getEncoded("DER");
        } catch (OperatorCreationException | CertificateEncodingException | CMSException | IOException e) {
            throw new IllegalStateException("cannot sign trust list " + sequence + " with " + by.certificate().getSubjectX500Principal() + ": "
                    + e.getMessage(), e);
        }
    }
}
