package org.certdir.crl.mirror;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.certdir.crl.CrlPublisher;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.CrlRecord;
import org.certdir.registry.CrlSummary;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.RevokedCertificate;
import org.certdir.registry.Serial;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the revocation of a CA certdir does not hold (a published-only CA, such as AD CS): takes that CA's own
 * CRLs, fetched from its distribution points, read from a directory it drops them into, or pushed through the admin
 * API, and publishes the same bytes to every point certdir publishes its own CRLs to.
 *
 * <p>Design notes. A CRL is checked before anything is stored, in the way Boulder's storer checks its own: issued by
 * the CA's subject, signed by the key of the CA's registered certificate, a CRL number (RFC 5280 §5.2.3) no lower
 * than the newest mirrored (an equal number must be the same bytes: a CA never issues two CRLs under one number),
 * and a nextUpdate still ahead. Only then do the registry's statuses of the CA's certificates follow it (revocation
 * date, reason and invalidity date from the entry; certificateHold is a hold; a full CRL that no longer lists a held
 * certificate, or a delta's removeFromCRL, releases it; a revoked certificate missing from a full CRL stays revoked:
 * RFC 5280 §3.3 lets an expired one leave), the CRL is recorded and handed to the {@link CrlPublisher}. The statuses
 * are applied again when a CRL already mirrored comes back, so a crash between the two leaves nothing behind. The
 * OCSP responder is told the newest CRL's nextUpdate, after which it must not answer from these statuses.
 */
public final class CrlMirror implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CrlMirror.class);
    static final String PUSH = "push";

    private final Registry registry;
    private final CrlPublisher publisher;
    private final CrlFetcher fetcher;
    private final Map<CaName, MirrorSource> sources = new HashMap<>();
    private final Map<CaName, DropDirectory> drops = new HashMap<>();
    private final Clock clock;
    private final BiConsumer<CaName, Instant> freshUntil;
    private final Map<CaName, MirrorState> states = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "certdir-crl-mirror");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * {@code freshUntil} learns, for each mirrored CA, until when its statuses may be answered from: the newest
     * mirrored CRL's nextUpdate (the epoch before the first).
     */
    public CrlMirror(Registry registry, CrlPublisher publisher, CrlFetcher fetcher, List<MirrorSource> sources, Clock clock,
                     BiConsumer<CaName, Instant> freshUntil) {
        this.registry = registry;
        this.publisher = publisher;
        this.fetcher = fetcher;
        this.clock = clock;
        this.freshUntil = freshUntil;
        for (MirrorSource source : sources) {
            this.sources.put(source.ca(), source);
            if (source.drop() != null) {
                drops.put(source.ca(), new DropDirectory(source.drop(), fetcher.maxBytes()));
            }
        }
    }

    /**
     * Checks that no configured CA is one certdir holds, reports what the registry holds of each, and fetches each
     * CA's CRLs now and then every interval. A configured CA not registered yet is shown failing until its
     * certificate is imported; one certdir holds is a configuration error.
     */
    public void start() {
        List<String> problems = new ArrayList<>();
        for (MirrorSource source : sources.values()) {
            Optional<CaRecord> ca = registry.ca(source.ca());
            if (ca.isPresent() && ca.get().managed()) {
                problems.add("certdir.crl.mirror.cas: CA '" + source.ca() + "' is held by certdir: its CRLs are issued here, not mirrored");
            }
            if (ca.isEmpty()) {
                states.put(source.ca(), new MirrorState(source.ca(), null, null, null, null, null, null));
                freshUntil.accept(source.ca(), Instant.EPOCH);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        for (CaRecord ca : mirroredCas()) {
            newest(ca.name()).ifPresentOrElse(crl -> {
                states.put(ca.name(), new MirrorState(ca.name(), crl.number(), crl.thisUpdate(), crl.nextUpdate(), "registry", null, null));
                freshUntil.accept(ca.name(), crl.nextUpdate());
            }, () -> {
                states.put(ca.name(), new MirrorState(ca.name(), null, null, null, null, null, null));
                freshUntil.accept(ca.name(), Instant.EPOCH);
            });
        }
        for (MirrorSource source : sources.values()) {
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    fetch(source.ca(), false);
                } catch (RuntimeException e) {
                    LOG.warn("CRL mirror of CA {}: {}", source.ca(), e.getMessage());
                }
            }, 0, source.interval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The CAs whose CRLs are mirrored: configured (URLs, drop directory), or not held and given a CRL before (pushed). */
    private List<CaRecord> mirroredCas() {
        return registry.cas().stream().filter(ca -> !ca.managed() && (sources.containsKey(ca.name()) || newest(ca.name()).isPresent())).toList();
    }

    /** The newest mirrored CRL of a CA, full or delta (they share the number series). */
    private Optional<CrlSummary> newest(CaName ca) {
        Optional<CrlSummary> full = registry.latestCrlSummary(ca, false);
        Optional<CrlSummary> delta = registry.latestCrlSummary(ca, true);
        return java.util.stream.Stream.of(full, delta).flatMap(Optional::stream).max(Comparator.comparingLong(CrlSummary::number));
    }

    /**
     * Fetches every URL configured for {@code ca}, reads every CRL file in its drop directory, and mirrors what they
     * give, lowest CRL number first (a delta and its new base may come from two places). Each CRL is taken or refused
     * on its own; the refusals and fetch failures together are thrown as one {@link MirrorRefused} after the others
     * were taken.
     */
    public List<MirrorResult> fetch(CaName ca) {
        return fetch(ca, true);
    }

    /**
     * As the interval does it with {@code allFiles} false: a drop directory's files whose CRL was taken before and that
     * did not change since are not read again.
     */
    List<MirrorResult> fetch(CaName ca, boolean allFiles) {
        MirrorSource source = sources.get(ca);
        if (source == null) {
            throw new MirrorRefused("CA '" + ca + "' has no CRL URLs or drop directory configured in certdir.crl.mirror.cas");
        }
        List<String> errors = new ArrayList<>();
        List<Fetched> fetched = new ArrayList<>();
        for (URI url : source.urls()) {
            try {
                fetched.add(new Fetched(url.toString(), fetcher.fetch(url), null));
            } catch (IOException e) {
                errors.add(e.getMessage());
            }
        }
        DropDirectory drop = drops.get(ca);
        if (drop != null) {
            try {
                for (DropDirectory.Dropped file : drop.read(allFiles, errors)) {
                    fetched.add(new Fetched(file.path().toString(), file.bytes(), file));
                }
            } catch (IOException e) {
                errors.add(e.getMessage());
            }
        }
        fetched.sort(Comparator.comparing(Fetched::number));
        List<MirrorResult> results = new ArrayList<>();
        for (Fetched one : fetched) {
            try {
                results.add(accept(ca, one.bytes(), one.url()));
                if (one.file() != null) {
                    drop.taken(one.file());
                }
            } catch (MirrorRefused e) {
                errors.add(one.url() + ": " + e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            String error = String.join("; ", errors);
            failed(ca, error);
            throw new MirrorRefused(error);
        }
        return results;
    }

    /** A CRL fetched from {@code url}, or read from a drop directory's {@code file} (then {@code url} is its path). */
    private record Fetched(String url, byte[] bytes, DropDirectory.Dropped file) {

        /** For the order only: a CRL whose number cannot be read goes first and is refused with the reason by accept. */
        BigInteger number() {
            try {
                return ASN1Integer.getInstance(new X509CRLHolder(der(bytes)).getExtension(Extension.cRLNumber).getParsedValue()).getValue();
            } catch (IOException | RuntimeException e) {
                return BigInteger.valueOf(-1);
            }
        }
    }

    /**
     * Checks one CRL of {@code caName} ({@code source}: where it came from, a URL or "push") and, when it passes,
     * applies it to the registry's statuses, records it and publishes it to every point.
     *
     * @throws MirrorRefused naming the problem; nothing was stored or published
     */
    public synchronized MirrorResult accept(CaName caName, byte[] bytes, String source) {
        try {
            return check(caName, bytes, source);
        } catch (MirrorRefused e) {
            failed(caName, e.getMessage());
            LOG.warn("AUDIT CRL mirror refused for CA {} from {}: {}", caName, source, e.getMessage());
            throw e;
        }
    }

    private MirrorResult check(CaName caName, byte[] bytes, String source) {
        CaRecord ca = registry.ca(caName).orElseThrow(() -> new MirrorRefused("no CA named '" + caName
                + "' is registered: import its certificate first (certdir cert import)"));
        if (ca.managed()) {
            throw new MirrorRefused("CA '" + caName + "' is held by certdir: its CRLs are issued here, not mirrored");
        }
        String prefix = "CRL refused for CA '" + caName + "': ";
        X509CRLHolder crl;
        byte[] der;
        try {
            der = der(bytes);
            crl = new X509CRLHolder(der);
        } catch (IOException | RuntimeException e) {
            throw new MirrorRefused(prefix + "not a DER or PEM CRL (" + e.getMessage() + ")");
        }
        X509Certificate caCertificate = certificate(ca);
        String caSubject = caCertificate.getSubjectX500Principal().getName();
        javax.security.auth.x500.X500Principal issuer;
        try {
            issuer = new javax.security.auth.x500.X500Principal(crl.getIssuer().getEncoded());
        } catch (IOException e) {
            throw new MirrorRefused(prefix + "its issuer name cannot be read (" + e.getMessage() + ")");
        }
        // Compared as RFC 5280 §7.1 does (the canonical form), and shown as the certificate's subject is.
        if (!issuer.equals(caCertificate.getSubjectX500Principal())) {
            throw new MirrorRefused(prefix + "issued by " + issuer.getName() + ", not by the CA's subject " + caSubject);
        }
        try {
            if (!crl.isSignatureValid(new JcaContentVerifierProviderBuilder().build(caCertificate))) {
                throw new MirrorRefused(prefix + "its signature does not verify with the CA's registered certificate");
            }
        } catch (org.bouncycastle.cert.CertException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new MirrorRefused(prefix + "its signature cannot be checked with the CA's registered certificate (" + e.getMessage() + ")");
        }
        Extension numberExtension = crl.getExtension(Extension.cRLNumber);
        if (numberExtension == null) {
            throw new MirrorRefused(prefix + "it has no CRL number (RFC 5280 §5.2.3), so its order cannot be told");
        }
        BigInteger bigNumber = ASN1Integer.getInstance(numberExtension.getParsedValue()).getValue();
        if (bigNumber.signum() < 0 || bigNumber.bitLength() > 63) {
            throw new MirrorRefused(prefix + "CRL number " + bigNumber + " is beyond what certdir records (0 to 2^63-1)");
        }
        long number = bigNumber.longValue();
        Extension deltaIndicator = crl.getExtension(Extension.deltaCRLIndicator);
        Long baseNumber = deltaIndicator == null ? null : ASN1Integer.getInstance(deltaIndicator.getParsedValue()).getValue().longValue();
        Instant now = clock.instant();
        if (crl.getNextUpdate() == null) {
            throw new MirrorRefused(prefix + "CRL number " + number + " has no nextUpdate (RFC 5280 §5.1.2.5), so its freshness cannot be told");
        }
        Instant thisUpdate = crl.getThisUpdate().toInstant();
        Instant nextUpdate = crl.getNextUpdate().toInstant();
        if (!nextUpdate.isAfter(now)) {
            throw new MirrorRefused(prefix + "CRL number " + number + " is stale: its nextUpdate " + nextUpdate + " has passed");
        }
        Optional<CrlSummary> newest = newest(caName);
        boolean unchanged = false;
        if (newest.isPresent() && number <= newest.get().number()) {
            Optional<CrlRecord> same = registry.crl(caName, number);
            if (same.isEmpty() || number < newest.get().number() && !Arrays.equals(same.get().der(), der)) {
                throw new MirrorRefused(prefix + "CRL number " + number + " is lower than the newest mirrored, " + newest.get().number());
            }
            if (!Arrays.equals(same.get().der(), der)) {
                throw new MirrorRefused(prefix + "CRL number " + number + " is mirrored already with different content: a CA never issues two CRLs under one number");
            }
            unchanged = true;
        }
        if (unchanged && number < newest.get().number()) {
            // Had already, and a newer one since: its statuses are not applied again over the newer ones.
            return new MirrorResult(caName, number, baseNumber, crl.getRevokedCertificates().size(), 0, 0, 0, 0, true);
        }
        MirrorResult result = apply(ca, crl, number, baseNumber, source, unchanged);
        if (!unchanged) {
            CrlRecord record = registry.recordMirroredCrl(ca, number, baseNumber, thisUpdate, nextUpdate, result.entries(), der,
                    new Actor("crl-mirror", source));
            publisher.publishMirrored(ca, record);
        }
        CrlSummary newestNow = newest(caName).orElseThrow();
        // The source shown is where the newest CRL came from: a CRL fetched again unchanged keeps the one it had.
        MirrorState before = states.get(caName);
        String shownSource = unchanged && before != null && before.source() != null && !before.source().equals("registry") ? before.source() : source;
        states.put(caName, new MirrorState(caName, newestNow.number(), newestNow.thisUpdate(), newestNow.nextUpdate(), shownSource, now, null));
        freshUntil.accept(caName, newestNow.nextUpdate());
        LOG.info("CRL mirror of CA {}: number {}{} from {}{}: {} entries, {} revoked, {} held, {} released, {} serials not registered", caName, number,
                baseNumber == null ? "" : " (delta on " + baseNumber + ")", source, unchanged ? " (had it already)" : "", result.entries(),
                result.revoked(), result.held(), result.released(), result.unregistered());
        return result;
    }

    /** Makes the registry's statuses of {@code ca}'s certificates what {@code crl} says. */
    private MirrorResult apply(CaRecord ca, X509CRLHolder crl, long number, Long baseNumber, String source, boolean unchanged) {
        Actor actor = new Actor("crl-mirror", source);
        String from = "CRL " + number + " of " + source;
        int entries = 0;
        int revoked = 0;
        int held = 0;
        int released = 0;
        int unregistered = 0;
        Set<Serial> listed = new HashSet<>();
        for (Object item : crl.getRevokedCertificates()) {
            X509CRLEntryHolder entry = (X509CRLEntryHolder) item;
            entries++;
            Serial serial;
            try {
                serial = new Serial(entry.getSerialNumber());
            } catch (IllegalArgumentException e) {
                unregistered++;
                continue;
            }
            listed.add(serial);
            Optional<CertificateRecord> current = registry.certificate(ca.name(), serial);
            if (current.isEmpty()) {
                unregistered++;
                continue;
            }
            RevocationReason reason = reason(entry);
            if (reason == RevocationReason.REMOVE_FROM_CRL) {
                if (current.get().status() == CertificateStatus.ON_HOLD
                        && registry.mirrorStatus(ca.name(), serial, CertificateStatus.VALID, null, null, null, from, actor).isPresent()) {
                    released++;
                }
                continue;
            }
            Extension invalidity = entry.getExtensions() == null ? null : entry.getExtensions().getExtension(Extension.invalidityDate);
            Instant invalidityDate = null;
            try {
                invalidityDate = invalidity == null ? null : ASN1GeneralizedTime.getInstance(invalidity.getParsedValue()).getDate().toInstant();
            } catch (java.text.ParseException e) {
                // an unreadable invalidity date is left out; the revocation itself stands
            }
            boolean hold = reason == RevocationReason.CERTIFICATE_HOLD;
            if (registry.mirrorStatus(ca.name(), serial, hold ? CertificateStatus.ON_HOLD : CertificateStatus.REVOKED,
                    entry.getRevocationDate().toInstant(), reason, invalidityDate, from, actor).isPresent()) {
                if (hold) {
                    held++;
                } else {
                    revoked++;
                }
            }
        }
        if (baseNumber == null) {
            // A full CRL lists every hold in force: a held certificate it leaves out was released.
            for (RevokedCertificate onList : registry.revocationList(ca.name(), null)) {
                if (onList.reason() == RevocationReason.CERTIFICATE_HOLD && !listed.contains(onList.serial())
                        && registry.mirrorStatus(ca.name(), onList.serial(), CertificateStatus.VALID, null, null, null, from, actor).isPresent()) {
                    released++;
                }
            }
        }
        return new MirrorResult(ca.name(), number, baseNumber, entries, revoked, held, released, unregistered, unchanged);
    }

    /** RFC 5280 §5.3.1: an entry without a reason code is unspecified. */
    private static RevocationReason reason(X509CRLEntryHolder entry) {
        Extension code = entry.getExtensions() == null ? null : entry.getExtensions().getExtension(Extension.reasonCode);
        if (code == null) {
            return RevocationReason.UNSPECIFIED;
        }
        try {
            return RevocationReason.ofCode(ASN1Enumerated.getInstance(code.getParsedValue()).intValueExact());
        } catch (RuntimeException e) {
            return RevocationReason.UNSPECIFIED;
        }
    }

    private void failed(CaName ca, String error) {
        Instant now = clock.instant();
        states.compute(ca, (name, state) -> state == null ? new MirrorState(name, null, null, null, null, now, error)
                : new MirrorState(name, state.number(), state.thisUpdate(), state.nextUpdate(), state.source(), now, error));
    }

    /** Each mirrored CA's newest CRL, its source and the last failure, by CA name. */
    public List<MirrorState> states() {
        return states.values().stream().sorted(Comparator.comparing(state -> state.ca().value())).toList();
    }

    /** The CAs configured with URLs to fetch from or a drop directory to read. */
    public Set<CaName> configured() {
        return Set.copyOf(sources.keySet());
    }

    /** The bytes of a DER CRL, or of the first PEM "X509 CRL" block. */
    static byte[] der(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 64 * 1024 * 1024), StandardCharsets.ISO_8859_1);
        int begin = text.indexOf("-----BEGIN X509 CRL-----");
        if (begin < 0) {
            return bytes;
        }
        int end = text.indexOf("-----END X509 CRL-----", begin);
        if (end < 0) {
            throw new IllegalArgumentException("a PEM CRL without its END line");
        }
        return java.util.Base64.getMimeDecoder().decode(text.substring(begin + "-----BEGIN X509 CRL-----".length(), end));
    }

    private static X509Certificate certificate(CaRecord ca) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(ca.certificate().der()));
        } catch (CertificateException e) {
            throw new IllegalStateException("the registry holds an unreadable certificate for CA " + ca.name(), e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
