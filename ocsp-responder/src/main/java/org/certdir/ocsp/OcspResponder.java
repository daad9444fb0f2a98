package org.certdir.ocsp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.RevokedInfo;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.certdir.ocsp.OcspMetrics.Outcome;
import org.certdir.registry.CaName;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.Serial;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers OCSP requests (RFC 6960) from the {@link StatusIndex}: every CertID of a request, matched to a CA by
 * issuer name hash and key hash, in one response signed by that CA's {@link ResponseSigner}.
 *
 * <p>Design notes.
 * <ul>
 * <li>A request without a nonce gets a pre-signed response from a Caffeine cache keyed by its CertIDs, bounded by
 * bytes. A cached response remembers the index revision of each certificate it speaks for and the signer that
 * signed it; it is used only while both are still current, so a status change makes every response about the
 * certificate stale at once, with no scan of the cache. It is signed again after half its validity.</li>
 * <li>A request with a nonce (RFC 9654: 1–128 octets) is signed fresh, the nonce echoed, and never cached.</li>
 * <li>Signing runs on a bounded pool; when its queue is full the answer is {@code tryLater} at once rather than
 * an ever longer wait.</li>
 * <li>A request is decoded and checked field by field by {@link ClientRequest} before anything else; nothing a
 * client sends reaches a signed response unchecked, and a client's malformed bytes are logged at DEBUG only: ERROR
 * and {@code internalError} are kept for faults of our own.</li>
 * <li>Error statuses are unsigned (RFC 6960 §2.3): {@code malformedRequest} for anything that is not a valid
 * request, {@code unauthorized} for a CA we do not sign for (RFC 9919 §2.2.3) or a request mixing CAs, which no
 * single delegated signer may answer, and {@code tryLater} when the signer cannot sign now.</li>
 * </ul>
 */
public final class OcspResponder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OcspResponder.class);

    /** More CertIDs than this in one request are refused as malformed: no client we know sends more than a chain. */
    public static final int MAX_CERT_IDS = 20;
    /** RFC 9654 §2.1: a nonce is 1 to 128 octets. */
    public static final int MAX_NONCE = 128;

    private static final byte[] MALFORMED = unsigned(OCSPRespBuilder.MALFORMED_REQUEST);
    private static final byte[] INTERNAL_ERROR = unsigned(OCSPRespBuilder.INTERNAL_ERROR);
    private static final byte[] TRY_LATER = unsigned(OCSPRespBuilder.TRY_LATER);
    private static final byte[] UNAUTHORIZED = unsigned(OCSPRespBuilder.UNAUTHORIZED);
    /** RFC 6960 §4.4.8. */
    private static final ASN1ObjectIdentifier EXTENDED_REVOKE = OCSPObjectIdentifiers.id_pkix_ocsp.branch("9");
    /** RFC 6960 §2.2: the revocation time of a serial that was never issued. */
    private static final Date NEVER_ISSUED_REVOCATION = new Date(0);

    /** An answer: the DER of an OCSPResponse, how it came about, and for a cacheable one its validity and tag. */
    public record Answer(byte[] der, Outcome outcome, Instant thisUpdate, Instant nextUpdate, String etag) {

        /** Whether HTTP caches may keep it: a signed response without a nonce. */
        public boolean cacheable() {
            return outcome == Outcome.CACHE_HIT || outcome == Outcome.SIGNED;
        }

        public static Answer error(Outcome outcome) {
            byte[] der = switch (outcome) {
                case MALFORMED_REQUEST -> MALFORMED;
                case UNAUTHORIZED -> UNAUTHORIZED;
                case TRY_LATER -> TRY_LATER;
                default -> INTERNAL_ERROR;
            };
            return new Answer(der, outcome, null, null, null);
        }
    }

    private record CacheKey(CaName ca, ByteBuffer certIds) {
    }

    /** A signed response with what it was signed from, to tell whether it still holds. */
    private record Signed(Answer answer, ResponseSigner signer, long[] revisions, Instant refreshAt, Answer hit) {

        Signed(Answer answer, ResponseSigner signer, long[] revisions, Instant refreshAt) {
            this(answer, signer, revisions, refreshAt,
                    new Answer(answer.der(), Outcome.CACHE_HIT, answer.thisUpdate(), answer.nextUpdate(), answer.etag()));
        }
    }

    /** One certificate asked about: its CertID rebuilt from the validated request ({@link ClientRequest}) and what the index says now. */
    private record Asked(CertificateID id, Serial serial, StatusIndex.Entry entry) {

        long revision() {
            return entry == null ? -1 : entry.revision();
        }
    }

    private final StatusIndex index;
    private final OcspSettings settings;
    private final Clock clock;
    private final Map<CaName, ResponseSigner> signers = new ConcurrentHashMap<>();
    /** CAs whose statuses come from another CA's CRLs (mirrored): answered only until the newest CRL's nextUpdate. */
    private final Map<CaName, Instant> freshUntil = new ConcurrentHashMap<>();
    private final Map<CaName, X509Certificate> served = new HashMap<>();
    private volatile Map<IssuerHashes, CaName> issuers = Map.of();
    private final Cache<CacheKey, Signed> cache;
    private final ThreadPoolExecutor signing;
    private final OcspMetrics metrics = new OcspMetrics();

    public OcspResponder(StatusIndex index, OcspSettings settings, Clock clock) {
        this.index = index;
        this.settings = settings;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(settings.cacheBytes())
                .weigher((CacheKey key, Signed signed) -> signed.answer().der().length + key.certIds().capacity() + 200)
                .expireAfterWrite(settings.refreshAfter())
                .build();
        AtomicInteger threads = new AtomicInteger();
        this.signing = new ThreadPoolExecutor(settings.signingThreads(), settings.signingThreads(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.signingQueue()), runnable -> {
                    Thread thread = new Thread(runnable, "ocsp-signer-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Makes {@code signer} answer for {@code ca} from now on (a new CA, or a renewed delegated signer). */
    public synchronized void useSigner(CaName ca, ResponseSigner signer) {
        signers.put(ca, signer);
        serve(ca, signer.caCertificate());
    }

    /** Requests about {@code ca} are answered {@code tryLater} until {@link #useSigner} gives it a signer. */
    public synchronized void signerUnavailable(CaName ca, X509Certificate caCertificate) {
        signers.remove(ca);
        serve(ca, caCertificate);
    }

    private void serve(CaName ca, X509Certificate caCertificate) {
        served.put(ca, caCertificate);
        Map<IssuerHashes, CaName> updated = new HashMap<>();
        served.forEach((name, certificate) -> IssuerHashes.of(certificate).forEach(hashes -> updated.put(hashes, name)));
        issuers = Map.copyOf(updated);
    }

    /**
     * Answers for {@code ca} come from statuses good only until {@code until} (a mirrored CRL's nextUpdate): from then on
     * its requests get {@code tryLater}, never a {@code good} from stale data, and no response is valid beyond it.
     */
    public void answerUntil(CaName ca, Instant until) {
        freshUntil.put(ca, until);
    }

    /** Until when {@code ca}'s statuses may be answered from; null when they are certdir's own, always current. */
    public Instant answeredUntil(CaName ca) {
        return freshUntil.get(ca);
    }

    /** The signer answering for {@code ca}; null when it has none (its requests get tryLater) or is not served. */
    public ResponseSigner signer(CaName ca) {
        return signers.get(ca);
    }

    /** The CAs this responder answers for, in name order. */
    public synchronized List<CaName> servedCas() {
        return served.keySet().stream().sorted(java.util.Comparator.comparing(CaName::value)).toList();
    }

    /** Answers the DER of an OCSPRequest; completes on a signing thread when a response must be signed. */
    public CompletableFuture<Answer> respond(byte[] der) {
        long started = System.nanoTime();
        CompletableFuture<Answer> answer;
        try {
            answer = answer(der);
        } catch (RuntimeException e) {
            LOG.error("OCSP request could not be answered", e);
            answer = CompletableFuture.completedFuture(Answer.error(Outcome.INTERNAL_ERROR));
        }
        return answer.whenComplete((done, failure) -> {
            if (done != null) {
                metrics.answered(done.outcome(), System.nanoTime() - started);
            }
        });
    }

    private CompletableFuture<Answer> answer(byte[] der) {
        ClientRequest request;
        try {
            request = ClientRequest.decode(der);
        } catch (MalformedRequest e) {
            // The client's mistake, not ours: one line at DEBUG, so a stream of garbage cannot flood the log.
            LOG.debug("malformed OCSP request of {} bytes: {}", der.length, e.getMessage());
            return done(Outcome.MALFORMED_REQUEST);
        }
        Map<IssuerHashes, CaName> known = issuers;
        CaName ca = null;
        List<Asked> asked = new ArrayList<>(request.certIds().size());
        for (CertificateID id : request.certIds()) {
            CaName issuer = known.get(IssuerHashes.of(id.getHashAlgOID(), id.getIssuerNameHash(), id.getIssuerKeyHash()));
            if (issuer == null || (ca != null && !ca.equals(issuer))) {
                return done(Outcome.UNAUTHORIZED);
            }
            ca = issuer;
            Serial serial = serial(id);
            asked.add(new Asked(id, serial, serial == null ? null : index.lookup(ca, serial)));
        }
        ResponseSigner signer = signers.get(ca);
        if (signer == null) {
            return done(Outcome.TRY_LATER);
        }
        Instant until = freshUntil.get(ca);
        if (until != null && !clock.instant().isBefore(until)) {
            return done(Outcome.TRY_LATER);
        }
        if (request.nonce() != null) {
            return sign(ca, signer, asked, request.nonceExtensionValue(), null);
        }
        CacheKey key = new CacheKey(ca, ByteBuffer.wrap(request.certIdsDer()));
        Signed cached = cache.getIfPresent(key);
        if (cached != null && cached.signer() == signer && clock.instant().isBefore(cached.refreshAt()) && current(cached, asked)) {
            count(asked);
            return CompletableFuture.completedFuture(cached.hit());
        }
        return sign(ca, signer, asked, null, key);
    }

    private static boolean current(Signed cached, List<Asked> asked) {
        for (int i = 0; i < asked.size(); i++) {
            if (asked.get(i).revision() != cached.revisions()[i]) {
                return false;
            }
        }
        return true;
    }

    /** Null for a number no certificate can have (zero, negative, over 20 octets): such a serial was never issued. */
    private static Serial serial(CertificateID id) {
        try {
            return new Serial(id.getSerialNumber());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private CompletableFuture<Answer> sign(CaName ca, ResponseSigner signer, List<Asked> asked, byte[] nonce, CacheKey key) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    Signed signed = signNow(ca, signer, asked, nonce);
                    if (key != null) {
                        cache.put(key, signed);
                    }
                    count(asked);
                    return signed.answer();
                } catch (OCSPException | IOException | RuntimeException e) {
                    LOG.error("cannot sign an OCSP response for CA {}: {}", ca, e.getMessage(), e);
                    return Answer.error(Outcome.TRY_LATER);
                }
            }, signing);
        } catch (RejectedExecutionException full) {
            return done(Outcome.TRY_LATER);
        }
    }

    private Signed signNow(CaName ca, ResponseSigner signer, List<Asked> asked, byte[] nonceValue) throws OCSPException, IOException {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant next = now.plus(settings.validity());
        if (next.isAfter(signer.notAfter())) {
            next = signer.notAfter().truncatedTo(ChronoUnit.SECONDS);
        }
        Instant until = freshUntil.get(ca);
        if (until != null && next.isAfter(until)) {
            next = until.truncatedTo(ChronoUnit.SECONDS);
        }
        BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(signer.responderId());
        long[] revisions = new long[asked.size()];
        for (int i = 0; i < asked.size(); i++) {
            Asked one = asked.get(i);
            revisions[i] = one.revision();
            builder.addResponse(one.id(), status(one.entry()), Date.from(now), Date.from(next), null);
        }
        List<Extension> extensions = new ArrayList<>(2);
        if (nonceValue != null) {
            extensions.add(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(nonceValue)));
        }
        if (settings.unknownAsRevoked()) {
            extensions.add(new Extension(EXTENDED_REVOKE, false, DERNull.INSTANCE.getEncoded()));
        }
        if (!extensions.isEmpty()) {
            builder.setResponseExtensions(new Extensions(extensions.toArray(Extension[]::new)));
        }
        byte[] der = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL,
                builder.build(signer.contentSigner(), signer.included(), Date.from(now))).getEncoded();
        Outcome outcome = nonceValue == null ? Outcome.SIGNED : Outcome.SIGNED_WITH_NONCE;
        Answer answer = new Answer(der, outcome, now, next, nonceValue == null ? etag(der) : null);
        return new Signed(answer, signer, revisions, now.plus(settings.refreshAfter()));
    }

    private CertificateStatus status(StatusIndex.Entry entry) {
        if (entry == null) {
            return settings.unknownAsRevoked()
                    ? new RevokedStatus(new RevokedInfo(new ASN1GeneralizedTime(NEVER_ISSUED_REVOCATION), CRLReason.lookup(CRLReason.certificateHold)))
                    : new UnknownStatus();
        }
        return switch (entry.status()) {
            case VALID -> CertificateStatus.GOOD;
            case ON_HOLD -> new RevokedStatus(revokedInfo(entry.revokedAt(), RevocationReason.CERTIFICATE_HOLD));
            case REVOKED -> new RevokedStatus(revokedInfo(entry.revokedAt(), entry.reason()));
        };
    }

    /** RFC 5280 §5.3.1, which OCSP follows: the reason is left out rather than given as unspecified. */
    private static RevokedInfo revokedInfo(Instant revokedAt, RevocationReason reason) {
        ASN1GeneralizedTime time = new ASN1GeneralizedTime(Date.from(revokedAt.truncatedTo(ChronoUnit.SECONDS)));
        return new RevokedInfo(time, reason == null || reason == RevocationReason.UNSPECIFIED ? null : CRLReason.lookup(reason.code()));
    }

    private void count(List<Asked> asked) {
        for (Asked one : asked) {
            if (one.entry() == null) {
                metrics.gave(settings.unknownAsRevoked() ? OcspMetrics.Status.REVOKED : OcspMetrics.Status.UNKNOWN);
            } else {
                metrics.gave(one.entry().status() == org.certdir.registry.CertificateStatus.VALID ? OcspMetrics.Status.GOOD : OcspMetrics.Status.REVOKED);
            }
        }
    }

    private static String etag(byte[] der) {
        try {
            return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der), 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    private static CompletableFuture<Answer> done(Outcome outcome) {
        return CompletableFuture.completedFuture(Answer.error(outcome));
    }

    private static byte[] unsigned(int status) {
        try {
            return new OCSPRespBuilder().build(status, null).getEncoded();
        } catch (OCSPException | IOException e) {
            throw new IllegalStateException("cannot encode the OCSP status " + status, e);
        }
    }

    /** Appends the responder's metrics in the Prometheus text format. */
    public void renderMetrics(StringBuilder out) {
        long bytes = cache.policy().eviction().map(eviction -> eviction.weightedSize().orElse(0)).orElse(0L);
        metrics.render(out, cache.estimatedSize(), bytes, index.size());
    }

    public OcspMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        signing.shutdown();
    }
}
