package org.certdir.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The publication queue: tasks written in the same transaction as the registry change they publish, taken by
 * a worker, removed when done and retried with backoff until then. Tasks survive restarts.
 *
 * <p>A task names what to bring up to date (a person's mail address, a CA), not what changed: the worker
 * publishes the registry's current state of that subject, so several tasks for one subject collapse into one
 * write and a late retry never publishes a stale state.
 */
public final class Outbox {

    /** Bring the directory entry of a mail address up to date with the registry. */
    public static final String DIRECTORY_PERSON = "directory.person";
    /** Bring the directory entry of a CA up to date with the registry. */
    public static final String DIRECTORY_CA = "directory.ca";
    /** Bring the trust-list entry of a partner CA (subject: its common name) up to date: written, or removed. */
    public static final String DIRECTORY_TRUST = "directory.trust";

    /** One task; {@code attempts} and {@code lastError} tell how it has fared so far. */
    public record Task(long id, String topic, String subject, Instant createdAt, int attempts, String lastError) {
    }

    /**
     * {@code next_attempt_at} of a task whose subject the directory refused for good (a value it will never take):
     * it is not due again until {@link #retryFailed} (at start-up) or a newer task of the same subject succeeds.
     */
    private static final long REFUSED = Long.MAX_VALUE;

    /** How far behind a topic is: tasks waiting, the oldest one's creation, and how many have failed at least once. */
    public record Stats(long depth, Instant oldest, long failing) {
    }

    private final Database database;
    private final Clock clock;

    Outbox(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** Adds a task; call inside the transaction of the change it publishes. */
    void enqueue(String topic, String subject) throws java.sql.SQLException {
        long now = clock.millis();
        database.update("INSERT INTO outbox (topic, subject, created_at, next_attempt_at) VALUES (?, ?, ?, ?)", statement -> {
            statement.setString(1, topic);
            statement.setString(2, subject);
            statement.setLong(3, now);
            statement.setLong(4, now);
        });
    }

    /** Tasks of {@code topic} whose time has come, oldest first. */
    public List<Task> due(String topic, int limit) {
        return database.query("SELECT id, topic, subject, created_at, attempts, last_error FROM outbox"
                + " WHERE topic = ? AND next_attempt_at <= ? ORDER BY id LIMIT ?", statement -> {
                    statement.setString(1, topic);
                    statement.setLong(2, clock.millis());
                    statement.setInt(3, limit);
                }, row -> new Task(row.getLong(1), row.getString(2), row.getString(3), Instant.ofEpochMilli(row.getLong(4)),
                        row.getInt(5), row.getString(6)));
    }

    /**
     * Removes the tasks of a subject up to {@code upToId}: the worker published the registry state it read after
     * they were committed. Tasks added since stay and bring the subject up to date again.
     */
    public void complete(String topic, String subject, long upToId) {
        database.transaction(() -> database.update("DELETE FROM outbox WHERE topic = ? AND subject = ? AND id <= ?", statement -> {
            statement.setString(1, topic);
            statement.setString(2, subject);
            statement.setLong(3, upToId);
        }));
    }

    /** Records a failed attempt on the tasks of a subject up to {@code upToId} and puts them off by {@code delay}. */
    public void retryLater(String topic, String subject, long upToId, String error, Duration delay) {
        long next = clock.millis() + delay.toMillis();
        database.transaction(() -> database.update("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                + " WHERE topic = ? AND subject = ? AND id <= ?", statement -> {
                    statement.setString(1, error);
                    statement.setLong(2, next);
                    statement.setString(3, topic);
                    statement.setString(4, subject);
                    statement.setLong(5, upToId);
                }));
    }

    /**
     * Marks the tasks of a subject up to {@code upToId} as refused: the directory will not take the subject's
     * entry as it is (a value too long, a syntax it rejects), so retrying the same write cannot help. They stay,
     * with {@code error}, so that {@link #refused} shows them and {@link #retryFailed} can try them after a fix.
     */
    public void refuse(String topic, String subject, long upToId, String error) {
        database.transaction(() -> database.update("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                + " WHERE topic = ? AND subject = ? AND id <= ?", statement -> {
                    statement.setString(1, error);
                    statement.setLong(2, REFUSED);
                    statement.setString(3, topic);
                    statement.setString(4, subject);
                    statement.setLong(5, upToId);
                }));
    }

    /**
     * Records that a full republication could not write a subject (it does not go through the queue): one refused
     * task for it, replacing the ones an earlier republication left.
     */
    public void recordRefused(String topic, String subject, String error) {
        long now = clock.millis();
        database.transaction(() -> {
            clearRefused(topic, subject);
            return database.update("INSERT INTO outbox (topic, subject, created_at, next_attempt_at, attempts, last_error) VALUES (?, ?, ?, ?, 1, ?)",
                    statement -> {
                        statement.setString(1, topic);
                        statement.setString(2, subject);
                        statement.setLong(3, now);
                        statement.setLong(4, REFUSED);
                        statement.setString(5, error);
                    });
        });
    }

    /** Forgets the refused tasks of a subject, once a republication wrote it after all. */
    public void forgetRefused(String topic, String subject) {
        database.transaction(() -> clearRefused(topic, subject));
    }

    private int clearRefused(String topic, String subject) throws java.sql.SQLException {
        return database.update("DELETE FROM outbox WHERE topic = ? AND subject = ? AND next_attempt_at = ?", statement -> {
            statement.setString(1, topic);
            statement.setString(2, subject);
            statement.setLong(3, REFUSED);
        });
    }

    /** The refused tasks, oldest first, at most {@code limit}. */
    public List<Task> refused(int limit) {
        return database.query("SELECT id, topic, subject, created_at, attempts, last_error FROM outbox WHERE next_attempt_at = ? ORDER BY id LIMIT ?",
                statement -> {
                    statement.setLong(1, REFUSED);
                    statement.setInt(2, limit);
                }, row -> new Task(row.getLong(1), row.getString(2), row.getString(3), Instant.ofEpochMilli(row.getLong(4)),
                        row.getInt(5), row.getString(6)));
    }

    /** How many tasks are refused. */
    public long refusedCount() {
        return database.query("SELECT COUNT(*) FROM outbox WHERE next_attempt_at = ?", statement -> statement.setLong(1, REFUSED),
                row -> row.getLong(1)).get(0);
    }

    /** Makes every refused task due now (at start-up: the directory or certdir may have been fixed); returns how many. */
    public int retryFailed() {
        long now = clock.millis();
        return database.transaction(() -> database.update("UPDATE outbox SET next_attempt_at = ? WHERE next_attempt_at = ?", statement -> {
            statement.setLong(1, now);
            statement.setLong(2, REFUSED);
        }));
    }

    public Stats stats(String... topics) {
        String placeholders = String.join(", ", java.util.Collections.nCopies(topics.length, "?"));
        return database.query("SELECT COUNT(*), MIN(created_at), SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) FROM outbox"
                + " WHERE topic IN (" + placeholders + ")", statement -> {
                    for (int i = 0; i < topics.length; i++) {
                        statement.setString(i + 1, topics[i]);
                    }
                }, row -> {
                    long oldest = row.getLong(2);
                    Instant oldestAt = row.wasNull() ? null : Instant.ofEpochMilli(oldest);
                    return new Stats(row.getLong(1), oldestAt, row.getLong(3));
                }).get(0);
    }
}
