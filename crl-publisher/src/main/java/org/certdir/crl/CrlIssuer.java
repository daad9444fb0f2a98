package org.certdir.crl;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.CertException;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
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
    private final CrlSettings settings;
    private final Clock clock;

    /** {@code signers} gives a signer for a managed CA's key (from a key file or a token). */
    public CrlIssuer(Registry registry, Function<CaRecord, ContentSigner> signers, CrlSettings settings, Clock clock) {
        this.registry = registry;
        this.signers = signers;
        this.settings = settings;
        this.clock = clock;
    }

    public CrlRecord issueFull(CaRecord ca) {
        // The revision is read first: a change that commits while the list is read is in the list or after the revision.
        long revision = registry.revision();
        Instant thisUpdate = clock.instant();
        Instant previousFull = registry.latestCrlSummary(ca.name(), false).map(CrlSummary::thisUpdate).orElse(null);
        List<CrlBuilder.Entry> entries = new ArrayList<>();
        for (RevokedCertificate revoked : registry.revocationList(ca.name(), thisUpdate, previousFull)) {
            entries.add(new CrlBuilder.Entry(revoked.serial().value(), revoked.revokedAt(), revoked.reason(), revoked.invalidityDate()));
        }
        long number = registry.lastCrlNumber(ca.name()) + 1;
        Instant nextUpdate = thisUpdate.plus(settings.fullValidity());
        byte[] der = CrlBuilder.full(ca.certificate().certificate(), signers.apply(ca), number, thisUpdate, nextUpdate, entries,
                settings.deltas() ? settings.deltaUrl(ca.name().value()) : null);
        checkBeforePublishing(ca, der, number);
        return registry.recordCrl(ca, number, null, revision, thisUpdate, nextUpdate, entries.size(), der, Actor.SERVICE);
    }

    /**
     * A delta on the newest full CRL: every certificate whose status changed after the base's revision, as it
     * stands now — revoked or held with its reason, released ones as removeFromCRL (RFC 5280 §5.3.1).
     */
    public CrlRecord issueDelta(CaRecord ca) {
        CrlSummary base = registry.latestCrlSummary(ca.name(), false)
                .orElseThrow(() -> new IllegalStateException("CA '" + ca.name() + "' has no full CRL to base a delta on"));
        long revision = registry.revision();
        Instant thisUpdate = clock.instant();
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

    private void checkBeforePublishing(CaRecord ca, byte[] der, long number) {
        X509CRLHolder parsed;
        try {
            parsed = new X509CRLHolder(der);
        } catch (IOException e) {
            throw new IllegalStateException("the CRL just built for CA '" + ca.name() + "' does not parse: " + e.getMessage(), e);
        }
        try {
            if (!parsed.isSignatureValid(new JcaContentVerifierProviderBuilder().build(ca.certificate().certificate()))) {
                throw new IllegalStateException("the CRL just signed for CA '" + ca.name() + "' does not verify with the CA certificate: "
                        + "the CA key and certificate do not match");
            }
        } catch (CertException | OperatorCreationException e) {
            throw new IllegalStateException("cannot verify the CRL just signed for CA '" + ca.name() + "': " + e.getMessage(), e);
        }
        long parsedNumber = ASN1Integer.getInstance(parsed.getExtension(Extension.cRLNumber).getParsedValue()).getValue().longValueExact();
        long last = registry.lastCrlNumber(ca.name());
        if (parsedNumber != number || parsedNumber <= last) {
            throw new IllegalStateException("the CRL just built for CA '" + ca.name() + "' has number " + parsedNumber + ", which is not greater than "
                    + last);
        }
    }
}
