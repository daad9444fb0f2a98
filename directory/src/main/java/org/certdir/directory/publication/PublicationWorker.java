package org.certdir.directory.publication;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.certdir.registry.CaName;
import org.certdir.registry.Outbox;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the registry's publication queue into the directory: for each subject with due tasks (a mail address
 * or a CA) it publishes the registry's current state, then removes the tasks it covered. A failure that may pass
 * (directory down, busy, slow) puts the subject's tasks off with exponential backoff, up to five minutes; they are in
 * the registry, so they survive restarts. A subject the directory refuses for good (a value it will not take) has
 * its tasks marked refused, logged once and shown by {@code /health}, and the others go on; refused tasks are tried
 * again at the next start, or as soon as a newer task of the same subject succeeds. Every {@link #EXPIRY_CHECK} it
 * queues the owners of certificates that expired meanwhile ({@link Registry#queueExpiredOwners}), so an expired
 * certificate leaves the directory within that time. Woken at once by {@link #wake()} after a change, and every
 * second otherwise.
 */
public final class PublicationWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PublicationWorker.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LONGEST_RETRY = Duration.ofMinutes(5);
    private static final int BATCH = 500;
    /** How often the owners of newly expired certificates are queued: an expired certificate leaves within this. */
    static final Duration EXPIRY_CHECK = Duration.ofSeconds(30);

    private final Registry registry;
    private final DirectoryPublisher publisher;
    private final Clock clock;
    private Instant nextExpiryCheck = Instant.MIN;
    private final Thread thread;
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running = true;
    /**
     * Set from a failure that may pass until the next success: while the directory is down or full, one line says so,
     * not one per subject and attempt (each is in the debug log, and the count of failing tasks in /health).
     */
    private boolean failingLogged;
    /** What the queue itself last failed with (the registry's disk full), logged once; null while it works. */
    private String queueFailure;

    public PublicationWorker(Registry registry, DirectoryPublisher publisher) {
        this(registry, publisher, Clock.systemUTC());
    }

    /** {@code clock} times the expiry checks (the registry's clock decides what has expired). */
    public PublicationWorker(Registry registry, DirectoryPublisher publisher, Clock clock) {
        this.registry = registry;
        this.publisher = publisher;
        this.clock = clock;
        this.thread = new Thread(this::run, "certdir-publication");
        this.thread.setDaemon(true);
    }

    public void start() {
        int refused = registry.outbox().retryFailed();
        if (refused > 0) {
            LOG.info("trying again {} publication task(s) the directory refused before this start", refused);
        }
        thread.start();
    }

    /** Asks for a drain now (after a change committed) instead of at the next poll. */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    private void run() {
        while (running) {
            try {
                boolean more = drainOnce();
                if (queueFailure != null) {
                    queueFailure = null;
                    LOG.info("publication queue works again");
                }
                if (!more) {
                    awaitSignal();
                }
            } catch (RuntimeException e) {
                // Tried again every second: the same failure (the registry's disk full) is logged once.
                String failure = String.valueOf(e.getMessage());
                if (!failure.equals(queueFailure)) {
                    queueFailure = failure;
                    LOG.warn("publication queue fails, tried again every second (logged again once it works or fails otherwise): {}", failure);
                } else {
                    LOG.debug("publication queue: {}", failure);
                }
                awaitSignal();
            }
        }
    }

    private void awaitSignal() {
        synchronized (signal) {
            if (!woken && running) {
                try {
                    signal.wait(POLL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
            woken = false;
        }
    }

    /** Publishes every subject with due tasks once; returns whether a full batch suggests more are waiting. */
    public boolean drainOnce() {
        Instant now = clock.instant();
        if (!now.isBefore(nextExpiryCheck)) {
            int expired = registry.queueExpiredOwners();
            if (expired > 0) {
                LOG.info("{} directory entries (people, renewed CAs) hold a certificate that expired: queued for the directory", expired);
            }
            nextExpiryCheck = now.plus(EXPIRY_CHECK);
        }
        boolean more = false;
        for (String topic : List.of(Outbox.DIRECTORY_CA, Outbox.DIRECTORY_TRUST, Outbox.DIRECTORY_PERSON)) {
            List<Outbox.Task> due = registry.outbox().due(topic, BATCH);
            more |= due.size() == BATCH;
            Map<String, Outbox.Task> newestBySubject = new LinkedHashMap<>();
            for (Outbox.Task task : due) {
                newestBySubject.merge(task.subject(), task, (a, b) -> a.id() > b.id() ? a : b);
            }
            for (Outbox.Task task : newestBySubject.values()) {
                if (!running) {
                    return false;
                }
                publish(task);
            }
        }
        return more;
    }

    private void publish(Outbox.Task task) {
        try {
            if (task.topic().equals(Outbox.DIRECTORY_CA)) {
                publisher.publishCa(new CaName(task.subject()), registry);
            } else if (task.topic().equals(Outbox.DIRECTORY_TRUST)) {
                publisher.publishTrustedCa(task.subject(), registry);
            } else {
                publisher.publishPerson(task.subject(), registry);
            }
            registry.outbox().complete(task.topic(), task.subject(), task.id());
            if (failingLogged) {
                failingLogged = false;
                LOG.info("directory publication works again: published {} {} after {} failed attempt(s)", task.topic(),
                        DirectoryPublisher.abbreviate(task.subject()), task.attempts());
            } else if (task.attempts() > 0) {
                LOG.debug("published {} {} after {} failed attempt(s)", task.topic(), task.subject(), task.attempts());
            }
        } catch (PublicationException e) {
            if (e.refusesRecord()) {
                registry.outbox().refuse(task.topic(), task.subject(), task.id(), e.getMessage());
                LOG.error("the directory refuses {} {}; skipped, shown in /health and tried again at the next start: {}", task.topic(),
                        DirectoryPublisher.abbreviate(task.subject()), e.getMessage());
                return;
            }
            Duration delay = backoff(task.attempts());
            registry.outbox().retryLater(task.topic(), task.subject(), task.id(), e.getMessage(), delay);
            if (!failingLogged) {
                failingLogged = true;
                LOG.warn("directory publication fails, its tasks are retried with backoff (logged again once it works): cannot publish {} {}: {}",
                        task.topic(), DirectoryPublisher.abbreviate(task.subject()), e.getMessage());
            } else {
                LOG.debug("cannot publish {} {} (attempt {}), retrying in {} s: {}", task.topic(), DirectoryPublisher.abbreviate(task.subject()),
                        task.attempts() + 1, delay.toSeconds(), e.getMessage());
            }
        }
    }

    static Duration backoff(int failedAttempts) {
        Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(failedAttempts, 16));
        return delay.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : delay;
    }

    @Override
    public void close() {
        running = false;
        wake();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
