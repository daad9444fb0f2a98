package org.certdir.crl;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.operator.ContentSigner;
import org.certdir.crl.build.CrlBuilder;
import org.certdir.registry.Actor;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.CrlRecord;
import org.certdir.registry.CrlSummary;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.RevokedCertificate;
import org.certdir.registry.StatusChange;

/**
 * Issues one CA's CRLs from the registry: builds, signs, then — before anything is published — parses the CRL
 * back, verifies its signature with the CA certificate and checks its number is greater than every one issued
 * before (as Let's Encrypt's CRL storer does), and records it in the registry. Only a recorded CRL is published.
 */
public final class CrlIssuer {

    private final Registry registry;
    private final Function<CaRecord, ContentSigner> signers;
    private final Function<CaRecord, List<String>> deltaLocations;
    private final CrlSettings settings;
    private final Clock clock;

    /**
     * {@code signers} gives a signer for a managed CA's key (from a key file or a token); {@code deltaLocations}
     * the URLs a CA's delta CRL is published at, which its full CRLs name in Freshest CRL.
     */
    public CrlIssuer(Registry registry, Function<CaRecord, ContentSigner> signers, Function<CaRecord, List<String>> deltaLocations,
                     CrlSettings settings, Clock clock) {
        this.registry = registry;
        this.signers = signers;
        this.deltaLocations = deltaLocations;
        this.settings = settings;
        this.clock = clock;
    }

    public CrlRecord issueFull(CaRecord ca) {
        // The revision is read first: a change that commits while the list is read is in the list or after the revision.
        long revision = registry.revision();
        Instant previousFull = registry.latestCrlSummary(ca.name(), false).map(CrlSummary::thisUpdate).orElse(null);
        Instant thisUpdate = thisUpdateAfter(previousFull);
        List<RevokedCertificate> revoked = registry.revocationList(ca.name(), previousFull);
        // Mapped one at a time as the encoder takes them: no second list of a million entries.
        Iterable<CrlBuilder.Entry> entries = () -> revoked.stream()
                .map(entry -> new CrlBuilder.Entry(entry.serial().value(), entry.revokedAt(), entry.reason(), entry.invalidityDate()))
                .iterator();
        long number = registry.lastCrlNumber(ca.name()) + 1;
        Instant nextUpdate = thisUpdate.plus(settings.fullValidity());
        byte[] der = CrlBuilder.full(ca.certificate().certificate(), signers.apply(ca), number, thisUpdate, nextUpdate, entries,
                settings.deltas() ? deltaLocations.apply(ca) : List.of());
        checkBeforePublishing(ca, der, number);
        return registry.recordCrl(ca, number, null, revision, thisUpdate, nextUpdate, revoked.size(), der, Actor.SERVICE);
    }

    /**
     * A delta on the full CRL {@code base}: every certificate whose status changed after the base's revision, as it
     * stands now — revoked or held with its reason, released ones as removeFromCRL (RFC 5280 §5.3.1). It applies to
     * the base and to every full CRL issued after it (§5.2.4: a complete CRL numbered from the base up to the delta).
     */
    public CrlRecord issueDelta(CaRecord ca, CrlSummary base) {
        if (base.delta() || !base.ca().equals(ca.name())) {
            throw new IllegalArgumentException("a delta CRL of CA '" + ca.name() + "' needs one of its full CRLs as its base, not " + base);
        }
        long revision = registry.revision();
        Instant thisUpdate = thisUpdateAfter(registry.latestCrlSummary(ca.name(), true).map(CrlSummary::thisUpdate).orElse(null));
        Map<BigInteger, StatusChange> latest = new LinkedHashMap<>();
        for (StatusChange change : registry.changesOfCa(ca.name(), base.revision())) {
            latest.put(change.serial().value(), change);
        }
        List<CrlBuilder.Entry> entries = new ArrayList<>();
        for (StatusChange change : latest.values()) {
            if (change.status() == CertificateStatus.VALID) {
                if (change.reason() == RevocationReason.REMOVE_FROM_CRL) {
                    entries.add(new CrlBuilder.Entry(change.serial().value(), change.changedAt(), RevocationReason.REMOVE_FROM_CRL, null));
                }
            } else {
                entries.add(new CrlBuilder.Entry(change.serial().value(), change.revokedAt(), change.reason(), change.invalidityDate()));
            }
        }
        long number = registry.lastCrlNumber(ca.name()) + 1;
        Instant nextUpdate = thisUpdate.plus(settings.deltaValidity());
        byte[] der = CrlBuilder.delta(ca.certificate().certificate(), signers.apply(ca), number, base.number(), thisUpdate, nextUpdate, entries);
        checkBeforePublishing(ca, der, number);
        return registry.recordCrl(ca, number, base.number(), revision, thisUpdate, nextUpdate, entries.size(), der, Actor.SERVICE);
    }

    /**
     * Now, in whole seconds as the CRL encodes it, and a later second than the previous CRL of the same kind: HTTP
     * dates (Last-Modified, If-Modified-Since) have whole seconds, so two CRLs of one second would look the same to a
     * cache. A second CRL within one second waits for the next (only bursts of manual publications do that).
     */
    private Instant thisUpdateAfter(Instant previous) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        if (previous == null || now.isAfter(previous)) {
            return now;
        }
        Instant next = previous.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(1);
        try {
            Thread.sleep(Math.max(0, java.time.Duration.between(clock.instant(), next).toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the next second to issue a CRL", e);
        }
        return next;
    }

    /**
     * Takes the CRL apart as a client would — outer structure, TBSCertList, algorithm, signature, no trailing
     * bytes — verifies the signature over the TBSCertList bytes with the CA certificate's key, and checks the
     * issuer and the number. The million entries of a large CRL are not turned into objects for it.
     */
    private void checkBeforePublishing(CaRecord ca, byte[] der, long number) {
        try {
            int[] outer = Der.header(der, 0);
            if (outer[1] + outer[2] != der.length) {
                throw new IllegalStateException("its outer SEQUENCE does not span the whole encoding");
            }
            int tbsStart = outer[1];
            int[] tbsHeader = Der.header(der, tbsStart);
            int tbsEnd = tbsHeader[1] + tbsHeader[2];
            int[] algorithmHeader = Der.header(der, tbsEnd);
            int algorithmEnd = algorithmHeader[1] + algorithmHeader[2];
            int[] signatureHeader = Der.header(der, algorithmEnd);
            if (signatureHeader[0] != 0x03 || signatureHeader[1] + signatureHeader[2] != der.length || der[signatureHeader[1]] != 0) {
                throw new IllegalStateException("its signature is not a BIT STRING ending the encoding");
            }
            byte[] tbs = java.util.Arrays.copyOfRange(der, tbsStart, tbsEnd);
            AlgorithmIdentifier algorithm = AlgorithmIdentifier.getInstance(java.util.Arrays.copyOfRange(der, tbsEnd, algorithmEnd));
            java.security.Signature verifier = java.security.Signature.getInstance(ALGORITHM_NAMES.getAlgorithmName(algorithm), BOUNCY_CASTLE);
            verifier.initVerify(ca.certificate().certificate().getPublicKey());
            verifier.update(tbs);
            if (!verifier.verify(java.util.Arrays.copyOfRange(der, signatureHeader[1] + 1, der.length))) {
                throw new IllegalStateException("its signature does not verify with the CA certificate: the CA key and certificate do not match");
            }
            ASN1Sequence tbsList;
            try (ASN1InputStream in = new ASN1InputStream(tbs, true)) {
                tbsList = ASN1Sequence.getInstance(in.readObject());
            }
            X500Name issuer = X500Name.getInstance(tbsList.getObjectAt(2));
            if (!java.util.Arrays.equals(issuer.getEncoded(), ca.certificate().certificate().getSubjectX500Principal().getEncoded())) {
                throw new IllegalStateException("its issuer " + issuer + " is not the CA's subject");
            }
            ASN1TaggedObject extensions = ASN1TaggedObject.getInstance(tbsList.getObjectAt(tbsList.size() - 1));
            long parsedNumber = ASN1Integer.getInstance(Extensions.getInstance(extensions.getExplicitBaseObject()).getExtensionParsedValue(Extension.cRLNumber))
                    .getValue().longValueExact();
            long last = registry.lastCrlNumber(ca.name());
            if (parsedNumber != number || parsedNumber <= last) {
                throw new IllegalStateException("its number " + parsedNumber + " is not the next after " + last);
            }
        } catch (java.io.IOException | java.security.GeneralSecurityException | RuntimeException e) {
            throw new IllegalStateException("the CRL just built for CA '" + ca.name() + "' is not fit to publish: " + e.getMessage(), e);
        }
    }

    private static final java.security.Provider BOUNCY_CASTLE = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    private static final org.bouncycastle.operator.DefaultAlgorithmNameFinder ALGORITHM_NAMES = new org.bouncycastle.operator.DefaultAlgorithmNameFinder();

    /** DER tag and length parsing, just enough to find the parts of a CRL without decoding its entries. */
    private static final class Der {
        /** {tag, content start, content length} of the element at {@code offset}. */
        static int[] header(byte[] der, int offset) {
            int tag = der[offset] & 0xff;
            int first = der[offset + 1] & 0xff;
            if (first < 0x80) {
                return new int[] {tag, offset + 2, first};
            }
            int octets = first & 0x7f;
            if (octets == 0 || octets > 4) {
                throw new IllegalStateException("length of " + octets + " octets at offset " + offset + " is not DER");
            }
            int length = 0;
            for (int i = 0; i < octets; i++) {
                length = (length << 8) | (der[offset + 2 + i] & 0xff);
            }
            if (length < 0 || offset + 2 + octets + length > der.length) {
                throw new IllegalStateException("element at offset " + offset + " runs past the end");
            }
            return new int[] {tag, offset + 2 + octets, length};
        }
    }
}
