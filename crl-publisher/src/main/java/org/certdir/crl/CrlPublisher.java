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
import org.certdir.registry.CrlRecord;
import org.certdir.registry.CrlSummary;
import org.certdir.registry.PointState;
import org.certdir.registry.Registry;
import org.certdir.registry.StatusChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every managed CA's CRLs fresh at every distribution point.
 *
 * <p>Design notes. One scheduler thread decides, once a second and when a change's debounce window ends, per CA: a full CRL when none exists or the
 * newest is older than the full period (so a fresh one is out long before nextUpdate, the overlap); else a
 * delta when a status change is older than the debounce window (a burst of revocations yields one CRL) or the
 * delta period passed. Without deltas a change triggers a full CRL. Each point has its own thread and gets
 * the same bytes; a failure is recorded in the registry and retried with exponential backoff (1 s up to
 * 5 minutes) from the registry's newest CRLs, so a failing point never holds up the others or CRL issuance,
 * and catches up after a restart.
 */
public final class CrlPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CrlPublisher.class);
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Duration LONGEST_RETRY = Duration.ofMinutes(5);

    private final Registry registry;
    private final CrlIssuer issuer;
    private final List<DistributionPoint> points;
    private final CrlSettings settings;
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("certdir-crl"));
    private final Map<String, ExecutorService> pointThreads = new ConcurrentHashMap<>();
    /** CA name → when its first unpublished status change happened. */
    private final Map<CaName, Instant> pending = new ConcurrentHashMap<>();
    /** "ca/point/kind" → consecutive failures, for the backoff, and when the next attempt may go. */
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, Instant> retryAt = new ConcurrentHashMap<>();
    /** Set once start() has brought the points up to date: only then may a change trigger issuance. */
    private volatile boolean started;
    /** "ca/point/kind" of the CRLs on their way to a point right now. */
    private final java.util.Set<String> inFlight = ConcurrentHashMap.newKeySet();

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

    /** Brings every point up to date with the registry's newest CRLs (e.g. the in-memory HTTP point), then runs the schedule. */
    public void start() {
        for (CaRecord ca : managedCas()) {
            for (boolean delta : new boolean[] {false, true}) {
                registry.latestCrl(ca.name(), delta).ifPresent(crl -> points.forEach(point -> distribute(point, ca, crl)));
            }
        }
        scheduler.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        started = true;
    }

    private void changed(StatusChange change) {
        if (pending.putIfAbsent(change.ca(), clock.instant()) == null && started) {
            // The first change of a burst also gets a check right when its debounce window ends (plus the wall
            // clock's millisecond): waiting for the next tick would add up to a second before the points have it.
            try {
                scheduler.schedule(this::tick, settings.debounce().toMillis() + 10, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // shutting down: nothing more is issued
            }
        }
    }

    private List<CaRecord> managedCas() {
        return registry.cas().stream().filter(CaRecord::managed).toList();
    }

    private void tick() {
        try {
            Instant now = clock.instant();
            for (CaRecord ca : managedCas()) {
                issueIfDue(ca, now);
                retryLaggingPoints(ca, now);
            }
        } catch (RuntimeException e) {
            LOG.error("CRL schedule: {}", e.getMessage(), e);
        }
    }

    private void issueIfDue(CaRecord ca, Instant now) {
        Optional<CrlSummary> full = registry.latestCrlSummary(ca.name(), false);
        Instant changedAt = pending.get(ca.name());
        boolean settled = changedAt != null && !changedAt.plus(settings.debounce()).isAfter(now);
        if (full.isEmpty() || !full.get().thisUpdate().plus(settings.fullPeriod()).isAfter(now) || (settled && !settings.deltas())) {
            pending.remove(ca.name());
            publish(ca, issuer.issueFull(ca));
            return;
        }
        if (!settings.deltas()) {
            return;
        }
        Optional<CrlSummary> delta = registry.latestCrlSummary(ca.name(), true).filter(d -> d.baseNumber() == full.get().number());
        boolean deltaDue = delta.isEmpty() || !delta.get().thisUpdate().plus(settings.deltaPeriod()).isAfter(now);
        if (settled || deltaDue) {
            pending.remove(ca.name());
            publish(ca, issuer.issueDelta(ca));
        }
    }

    /** Issues a full CRL for {@code ca} now and sends it to every point; returns it once issued (points follow). */
    public CrlRecord publishNow(CaRecord ca) {
        try {
            return scheduler.submit(() -> {
                CrlRecord crl = issuer.issueFull(ca);
                publish(ca, crl);
                return crl;
            }).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the CRL of " + ca.name(), e);
        }
    }

    private void publish(CaRecord ca, CrlRecord crl) {
        LOG.info("AUDIT CRL issued: CA {} number {}{} thisUpdate {} nextUpdate {} entries {}", ca.name(), crl.number(),
                crl.delta() ? " (delta on " + crl.baseNumber() + ")" : "", crl.thisUpdate(), crl.nextUpdate(), crl.entries());
        points.forEach(point -> distribute(point, ca, crl));
    }

    private static String key(CaRecord ca, DistributionPoint point, boolean delta) {
        return ca.name() + "/" + point.name() + (delta ? "/delta" : "/full");
    }

    private void distribute(DistributionPoint point, CaRecord ca, CrlRecord crl) {
        String key = key(ca, point, crl.delta());
        inFlight.add(key);
        pointThreads.get(point.name()).execute(() -> {
            try {
                point.publish(ca, crl);
                registry.recordPointAttempt(ca, point.name(), crl, null);
                failures.remove(key);
                retryAt.remove(key);
                LOG.info("AUDIT CRL published: CA {} number {} at {}", ca.name(), crl.number(), point.name());
            } catch (Exception e) {
                int failed = failures.merge(key, 1, Integer::sum);
                Duration delay = backoff(failed);
                retryAt.put(key, clock.instant().plus(delay));
                String error = e.getClass().getSimpleName() + ": " + e.getMessage();
                registry.recordPointAttempt(ca, point.name(), crl, error);
                LOG.warn("CRL {} of CA {} did not reach {} (attempt {}), retrying in {} s: {}", crl.number(), ca.name(), point.name(), failed,
                        delay.toSeconds(), error);
            } finally {
                inFlight.remove(key);
            }
        });
    }

    /**
     * Re-sends the newest CRL of each kind to every point that holds an older one (or none) and has nothing on
     * its way, once the point's backoff has passed. Decided from the registry's record of each point, so it also
     * covers a restart and a success of one kind while the other kind still fails.
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
                if (lagging && !inFlight.contains(key) && (due == null || !due.isAfter(now))) {
                    retryAt.remove(key);
                    // Only now the CRL's bytes are read, for the point that needs them.
                    boolean kind = delta;
                    registry.latestCrl(ca.name(), kind).ifPresent(crl -> distribute(point, ca, crl));
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
        for (CaRecord ca : managedCas()) {
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
        for (ExecutorService thread : pointThreads.values()) {
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
