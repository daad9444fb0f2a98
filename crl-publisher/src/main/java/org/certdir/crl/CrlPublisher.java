package org.certdir.crl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.certdir.crl.distribution.DistributionPoint;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.CrlRecord;
import org.certdir.registry.CrlSummary;
import org.certdir.registry.PointState;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.StatusChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every managed CA's CRLs fresh at every distribution point.
 *
 * <p>Design notes. What is due is decided from the registry alone — the newest CRL of each kind and the changes
 * a CRL lists that were recorded after it — never from memory, so a change survives a crash, a restart or a
 * failed issuance and is issued once the service is back. One scheduler thread checks every CA once a second and
 * when a change's debounce window ends:
 * <ul>
 *   <li>a full CRL when there is none, when the newest is older than the full period (a fresh one is out long
 *   before nextUpdate: the overlap), or when a change not on it has settled (older than the debounce window, so a
 *   burst of revocations yields one CRL). Many clients (NSS, so Thunderbird; the JDK; dirmngr) ignore delta CRLs
 *   and see a revocation only on a full CRL, so a change must reach it quickly; but a full CRL of a million entries
 *   takes seconds of CPU, so a change-triggered one follows the previous full after at least
 *   {@value #FULL_BUILD_FACTOR} times that CA's last full build time (at most a tenth of a core goes to it), and
 *   never later than {@link CrlSettings#fullOnChangeWithin()};</li>
 *   <li>then a delta when a change not on the newest delta has settled, when the delta period passed, or when its
 *   base moves. Deltas are based on a full CRL that stays their base for a full period (see {@link #deltaBase}), not
 *   on each change-triggered full: a delta applies to its base and every full after it (RFC 5280 §5.2.4), so
 *   delta-aware clients keep a cached full CRL usable and the delta always lists every change since the base.</li>
 * </ul>
 * An issuance that fails (a key that cannot be read, a registry error, a CRL that does not pass its checks) is
 * retried with the same backoff as a point and shown by {@link #issuanceErrors()}. Each point has its own thread and
 * gets the same bytes; a failure is recorded in the registry and retried with exponential backoff (1 s up to 5
 * minutes) from the registry's newest CRLs, so a failing point never holds up the others or CRL issuance, and
 * catches up after a restart. A point gets a delta only while it holds that delta's base or a newer full: one
 * that refuses the newest full CRL never serves a delta its full CRL is too old for, which clients reject.
 */
public final class CrlPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CrlPublisher.class);
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Duration LONGEST_RETRY = Duration.ofMinutes(5);
    /** A change-triggered full CRL waits at least this many times the CA's last full build time after the previous one. */
    static final int FULL_BUILD_FACTOR = 10;

    private final Registry registry;
    private final CrlIssuer issuer;
    private final List<DistributionPoint> points;
    private final CrlSettings settings;
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("certdir-crl"));
    private final Map<String, ExecutorService> pointThreads = new ConcurrentHashMap<>();
    /** CAs with a check scheduled for the end of a change's debounce window: only a wake-up, never the truth. */
    private final java.util.Set<CaName> wakeups = ConcurrentHashMap.newKeySet();
    /** How long each CA's last full CRL took to build, sign, check and record. */
    private final Map<CaName, Duration> fullBuildTimes = new ConcurrentHashMap<>();
    /** CA name → why its last issuance failed, until one succeeds. */
    private final Map<CaName, String> issuanceErrors = new ConcurrentHashMap<>();
    /** "ca/point/kind" (or "ca/issuance") → consecutive failures, for the backoff, and when the next attempt may go. */
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, Instant> retryAt = new ConcurrentHashMap<>();
    /** Set once start() has brought the points up to date: only then may a change trigger issuance. */
    private volatile boolean started;
    /** "ca/point/kind" of the CRLs on their way to a point right now. */
    private final java.util.Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /**
     * "ca/point" (or "ca/issuance") whose failure has been logged: its further failures go to the debug log until it
     * works again, so a point that fails for an hour (a full disk) leaves one line, not one per attempt.
     */
    private final java.util.Set<String> failingLogged = ConcurrentHashMap.newKeySet();

    public CrlPublisher(Registry registry, CrlIssuer issuer, List<DistributionPoint> points, CrlSettings settings, Clock clock) {
        this.registry = registry;
        this.issuer = issuer;
        this.points = List.copyOf(points);
        this.settings = settings;
        this.clock = clock;
        for (DistributionPoint point : points) {
            pointThreads.put(point.name(), Executors.newSingleThreadExecutor(daemon("certdir-crl-" + point.name())));
        }
        registry.onStatusChange(this::changed);
    }

    /**
     * Brings every point up to date with the registry's newest CRLs (e.g. the in-memory HTTP point), then runs the
     * schedule, whose first check issues whatever a crash left unissued.
     */
    public void start() {
        for (CaRecord ca : distributedCas()) {
            for (boolean delta : new boolean[] {false, true}) {
                registry.latestCrl(ca.name(), delta).ifPresent(crl -> points.forEach(point -> distribute(point, ca, crl, false)));
            }
        }
        scheduler.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        started = true;
    }

    /**
     * Sends the newest CRLs of every managed CA to the named points again, whatever the registry says they hold: for
     * a point whose storage was lost and rebuilt (the embedded directory after a damaged partition).
     */
    public void resend(java.util.Set<String> pointNames) {
        for (CaRecord ca : distributedCas()) {
            for (boolean delta : new boolean[] {false, true}) {
                registry.latestCrl(ca.name(), delta).ifPresent(crl -> points.stream().filter(point -> pointNames.contains(point.name()))
                        .forEach(point -> distribute(point, ca, crl, false)));
            }
        }
    }

    private void changed(StatusChange change) {
        boolean listed = change.status() != CertificateStatus.VALID || change.reason() == RevocationReason.REMOVE_FROM_CRL;
        if (listed && started && wakeups.add(change.ca())) {
            // A check right when the debounce window ends (plus the wall clock's millisecond): waiting for the next
            // tick would add up to a second before the points have it.
            try {
                scheduler.schedule(() -> {
                    wakeups.remove(change.ca());
                    tick();
                }, settings.debounce().toMillis() + 10, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // shutting down: the registry keeps the change for the next start
            }
        }
    }

    private List<CaRecord> managedCas() {
        return registry.cas().stream().filter(CaRecord::managed).toList();
    }

    /** The CAs whose CRLs go to the points: the managed ones, and those whose CRLs are mirrored (a CA without a key that has CRLs). */
    private List<CaRecord> distributedCas() {
        return registry.cas().stream().filter(ca -> ca.managed() || registry.latestCrlSummary(ca.name(), false).isPresent()
                || registry.latestCrlSummary(ca.name(), true).isPresent()).toList();
    }

    private void tick() {
        try {
            Instant now = clock.instant();
            for (CaRecord ca : managedCas()) {
                issueIfDue(ca, now);
            }
            for (CaRecord ca : distributedCas()) {
                retryLaggingPoints(ca, now);
            }
        } catch (RuntimeException e) {
            LOG.error("CRL schedule: {}", e.getMessage(), e);
        }
    }

    private void issueIfDue(CaRecord ca, Instant now) {
        String key = ca.name() + "/issuance";
        Instant due = retryAt.get(key);
        if (due != null && due.isAfter(now)) {
            return;
        }
        try {
            Optional<CrlSummary> full = registry.latestCrlSummary(ca.name(), false);
            if (full.isEmpty() || fullDue(ca, full.get(), now)) {
                full = Optional.of(summary(issueFull(ca)));
            }
            if (settings.deltas()) {
                Optional<CrlSummary> delta = registry.latestCrlSummary(ca.name(), true);
                CrlSummary base = deltaBase(ca, full.get(), delta, now);
                if (deltaDue(ca, base, delta, now)) {
                    publish(ca, issuer.issueDelta(ca, base));
                }
            }
            failures.remove(key);
            if (failingLogged.remove(key)) {
                LOG.info("CRL issuance of CA {} works again", ca.name());
            }
            retryAt.remove(key);
            issuanceErrors.remove(ca.name());
        } catch (RuntimeException e) {
            int failed = failures.merge(key, 1, Integer::sum);
            Duration delay = backoff(failed);
            retryAt.put(key, now.plus(delay));
            issuanceErrors.put(ca.name(), e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            if (failingLogged.add(key)) {
                LOG.warn("CRL issuance of CA {} fails, retried with backoff (first retry in {} s, logged again once it works); the changes wait "
                        + "in the registry: {}", ca.name(), delay.toSeconds(), e.toString());
                LOG.debug("CRL issuance of CA {} failed", ca.name(), e);
            } else {
                LOG.debug("CRL issuance of CA {} failed (attempt {}), retrying in {} s", ca.name(), failed, delay.toSeconds(), e);
            }
        }
    }

    private boolean fullDue(CaRecord ca, CrlSummary full, Instant now) {
        if (!full.thisUpdate().plus(settings.fullPeriod()).isAfter(now)) {
            return true;
        }
        Optional<Instant> change = registry.firstCrlChangeAfter(ca.name(), full.revision());
        return change.isPresent() && settled(change.get(), now) && !full.thisUpdate().plus(fullSpacing(ca.name())).isAfter(now);
    }

    /** How long a change-triggered full CRL follows the previous full at least: never longer than the configured bound. */
    Duration fullSpacing(CaName ca) {
        Duration spacing = fullBuildTimes.getOrDefault(ca, Duration.ZERO).multipliedBy(FULL_BUILD_FACTOR);
        return spacing.compareTo(settings.fullOnChangeWithin()) > 0 ? settings.fullOnChangeWithin() : spacing;
    }

    /**
     * The full CRL deltas are based on: the current base while it is younger than the full period, else the newest
     * full. So the base moves about once a full period, not with every change-triggered full CRL, and a delta-aware
     * client that caches its full CRL (Windows does, until nextUpdate) can go on using it with every new delta.
     */
    private CrlSummary deltaBase(CaRecord ca, CrlSummary newestFull, Optional<CrlSummary> delta, Instant now) {
        if (delta.isPresent() && delta.get().baseNumber() != newestFull.number()) {
            Optional<CrlSummary> current = registry.crlSummary(ca.name(), delta.get().baseNumber());
            if (current.isPresent() && current.get().thisUpdate().plus(settings.fullPeriod()).isAfter(now)) {
                return current.get();
            }
        }
        return newestFull;
    }

    private boolean deltaDue(CaRecord ca, CrlSummary base, Optional<CrlSummary> delta, Instant now) {
        if (delta.isEmpty() || delta.get().baseNumber() != base.number() || !delta.get().thisUpdate().plus(settings.deltaPeriod()).isAfter(now)) {
            return true;
        }
        // The delta lists every change up to its revision: a change after it makes a new one due once settled.
        Optional<Instant> change = registry.firstCrlChangeAfter(ca.name(), delta.get().revision());
        return change.isPresent() && settled(change.get(), now);
    }

    private boolean settled(Instant changedAt, Instant now) {
        return !changedAt.plus(settings.debounce()).isAfter(now);
    }

    private CrlRecord issueFull(CaRecord ca) {
        long started = System.nanoTime();
        CrlRecord crl = issuer.issueFull(ca);
        fullBuildTimes.put(ca.name(), Duration.ofNanos(System.nanoTime() - started));
        publish(ca, crl);
        return crl;
    }

    private static CrlSummary summary(CrlRecord crl) {
        return new CrlSummary(crl.ca(), crl.number(), crl.baseNumber(), crl.revision(), crl.thisUpdate(), crl.nextUpdate(), crl.entries());
    }

    /** Why the last CRL issuance of each CA whose issuance fails right now failed. */
    public Map<CaName, String> issuanceErrors() {
        return Map.copyOf(issuanceErrors);
    }

    /** Issues a full CRL for {@code ca} now and sends it to every point; returns it once issued (points follow). */
    public CrlRecord publishNow(CaRecord ca) {
        try {
            return scheduler.submit(() -> issueFull(ca)).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the CRL of " + ca.name(), e);
        }
    }

    /**
     * Sends a CRL of a CA certdir does not hold, recorded as its CA signed it, to every point: the same bytes, not
     * signed again, with the same retries as a CRL of our own.
     */
    public void publishMirrored(CaRecord ca, CrlRecord crl) {
        LOG.info("AUDIT CRL mirrored: CA {} number {}{} thisUpdate {} nextUpdate {} entries {}", ca.name(), crl.number(),
                crl.delta() ? " (delta on " + crl.baseNumber() + ")" : "", crl.thisUpdate(), crl.nextUpdate(), crl.entries());
        points.forEach(point -> distribute(point, ca, crl, false));
    }

    private void publish(CaRecord ca, CrlRecord crl) {
        LOG.info("AUDIT CRL issued: CA {} number {}{} thisUpdate {} nextUpdate {} entries {}", ca.name(), crl.number(),
                crl.delta() ? " (delta on " + crl.baseNumber() + ")" : "", crl.thisUpdate(), crl.nextUpdate(), crl.entries());
        points.forEach(point -> distribute(point, ca, crl, false));
    }

    private static String key(CaRecord ca, DistributionPoint point, boolean delta) {
        return ca.name() + "/" + point.name() + (delta ? "/delta" : "/full");
    }

    /**
     * Sends {@code crl} to {@code point} on the point's own thread. Right before sending, what the point holds is
     * read from the registry (a send queued before it on the same thread has been recorded by then): a delta waits
     * while the point holds no full CRL at least as new as its base, and with {@code onlyIfLagging} a CRL the point already holds (or a newer
     * one of its kind) is not sent again.
     */
    private void distribute(DistributionPoint point, CaRecord ca, CrlRecord crl, boolean onlyIfLagging) {
        String key = key(ca, point, crl.delta());
        inFlight.add(key);
        try {
            pointThreads.get(point.name()).execute(() -> send(point, ca, crl, onlyIfLagging, key));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            inFlight.remove(key); // shutting down: the registry's record of the point decides at the next start
        }
    }

    private void send(DistributionPoint point, CaRecord ca, CrlRecord crl, boolean onlyIfLagging, String key) {
        try {
            PointState state = pointState(ca, point);
            if (crl.delta() && (state.fullNumber() == null || state.fullNumber() < crl.baseNumber())) {
                LOG.debug("delta CRL {} of CA {} waits for {} to hold its base {}", crl.number(), ca.name(), point.name(), crl.baseNumber());
                return;
            }
            Long held = crl.delta() ? state.deltaNumber() : state.fullNumber();
            if (onlyIfLagging && held != null && held >= crl.number()) {
                return;
            }
            point.publish(ca, crl);
            registry.recordPointAttempt(ca, point.name(), crl, null);
            failures.remove(key);
            retryAt.remove(key);
            LOG.info("AUDIT CRL published: CA {} number {} at {}", ca.name(), crl.number(), point.name());
            if (failingLogged.remove(ca.name() + "/" + point.name())) {
                LOG.info("CRL point {} takes the CRLs of CA {} again", point.name(), ca.name());
            }
        } catch (Exception e) {
            int failed = failures.merge(key, 1, Integer::sum);
            Duration delay = backoff(failed);
            retryAt.put(key, clock.instant().plus(delay));
            String error = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (failingLogged.add(ca.name() + "/" + point.name())) {
                LOG.warn("CRL point {} fails: CRL {} of CA {} did not reach it; retried with backoff (first retry in {} s, logged again once it "
                        + "works): {}", point.name(), crl.number(), ca.name(), delay.toSeconds(), error);
            } else {
                LOG.debug("CRL {} of CA {} did not reach {} (attempt {}), retrying in {} s: {}", crl.number(), ca.name(), point.name(), failed,
                        delay.toSeconds(), error);
            }
            try {
                registry.recordPointAttempt(ca, point.name(), crl, error);
            } catch (RuntimeException notRecorded) {
                // The registry's own disk may be full too: the retry above does not depend on the record.
                LOG.debug("the failure of CRL point {} was not recorded in the registry: {}", point.name(), notRecorded.getMessage());
            }
        } finally {
            inFlight.remove(key);
        }
    }

    private PointState pointState(CaRecord ca, DistributionPoint point) {
        return registry.pointStates().stream().filter(state -> state.ca().equals(ca.name()) && state.point().equals(point.name())).findFirst()
                .orElse(new PointState(ca.name(), point.name(), null, null, null, null, null));
    }

    /**
     * Re-sends the newest CRL of each kind to every point that holds an older one (or none) and has nothing on
     * its way, once the point's backoff has passed; a delta only to a point holding its base or a newer full CRL. Decided from the
     * registry's record of each point, so it also covers a restart and a success of one kind while the other kind
     * still fails; the point's thread checks again right before sending, so a send that completed meanwhile is
     * not repeated.
     */
    private void retryLaggingPoints(CaRecord ca, Instant now) {
        Map<String, PointState> states = new java.util.HashMap<>();
        for (PointState state : registry.pointStates()) {
            if (state.ca().equals(ca.name())) {
                states.put(state.point(), state);
            }
        }
        for (boolean delta : new boolean[] {false, true}) {
            Optional<CrlSummary> latest = registry.latestCrlSummary(ca.name(), delta);
            if (latest.isEmpty()) {
                continue;
            }
            for (DistributionPoint point : points) {
                PointState state = states.get(point.name());
                Long held = state == null ? null : delta ? state.deltaNumber() : state.fullNumber();
                String key = key(ca, point, delta);
                Instant due = retryAt.get(key);
                boolean lagging = held == null || held < latest.get().number();
                boolean baseHeld = !delta || state != null && state.fullNumber() != null && state.fullNumber() >= latest.get().baseNumber();
                if (lagging && baseHeld && !inFlight.contains(key) && (due == null || !due.isAfter(now))) {
                    retryAt.remove(key);
                    // Only now the CRL's bytes are read, for the point that needs them.
                    boolean kind = delta;
                    registry.latestCrl(ca.name(), kind).ifPresent(crl -> distribute(point, ca, crl, true));
                }
            }
        }
    }

    static Duration backoff(int failures) {
        Duration delay = Duration.ofSeconds(1L << Math.min(failures - 1, 16));
        return delay.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : delay;
    }

    /** Every point's state per managed CA, including points that never got a CRL. */
    public List<PointState> status() {
        List<PointState> states = new ArrayList<>(registry.pointStates());
        for (CaRecord ca : distributedCas()) {
            for (DistributionPoint point : points) {
                boolean known = states.stream().anyMatch(state -> state.ca().equals(ca.name()) && state.point().equals(point.name()));
                if (!known) {
                    states.add(new PointState(ca.name(), point.name(), null, null, null, null, null));
                }
            }
        }
        return states;
    }

    public CrlSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        pointThreads.values().forEach(ExecutorService::shutdown);
        // A check under way finishes before the registry it reads is closed after this.
        List<ExecutorService> threads = new ArrayList<>(pointThreads.values());
        threads.add(scheduler);
        for (ExecutorService thread : threads) {
            try {
                thread.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
