package org.certdir.directory.embedded;

/**
 * What one LDAP client may cost the embedded directory, enforced before ApacheDS sees a request.
 *
 * @param maxFilterDepth           deepest nesting of {@code (&}, {@code (|} and {@code (!} in a search filter; a deeper
 *                                 search is answered {@code unwillingToPerform}
 * @param maxQueuedBytes           response bytes waiting for a client that does not read them, past which the server
 *                                 drops the connection
 * @param maxConnectionsPerAddress open connections from one IP address on each listener; more are closed at accept
 * @param maxAnonymousRequestBytes largest request (one LDAP message) from a connection not bound as a named account;
 *                                 a larger one ends the connection
 * @param idleTimeout              how long a connection not bound as a named account may send and receive nothing
 *                                 before it is closed
 */
public record ClientLimits(int maxFilterDepth, long maxQueuedBytes, int maxConnectionsPerAddress, long maxAnonymousRequestBytes,
                           java.time.Duration idleTimeout) {

    /** Thunderbird's filters nest 3 levels; ApacheDS's decoder overflows its stack near 5,000. Idle: AD's MaxConnIdleTime. */
    public static final ClientLimits DEFAULTS = new ClientLimits(100, 4L << 20, 64, 256L << 10, java.time.Duration.ofMinutes(15));

    /**
     * Elements (BER tag-length-value triples) one request may hold: ApacheDS's decoder allocates objects per element.
     * A lookup for 500 recipients, (|(mail=a)(mail=b)...), takes about 1,500; a person entry the service writes, 30.
     */
    public static final int MAX_ELEMENTS_PER_REQUEST = 10_000;

    public ClientLimits {
        if (maxFilterDepth < 1) {
            throw new IllegalArgumentException("the maximum filter depth must be at least 1, was " + maxFilterDepth);
        }
        if (maxQueuedBytes < 64 * 1024) {
            throw new IllegalArgumentException("the maximum queued bytes must be at least 64 KiB, was " + maxQueuedBytes);
        }
        if (maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("the maximum connections per address must be at least 1, was " + maxConnectionsPerAddress);
        }
        if (maxAnonymousRequestBytes < 4096) {
            throw new IllegalArgumentException("the maximum anonymous request size must be at least 4 KiB, was " + maxAnonymousRequestBytes);
        }
        if (idleTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("the idle timeout must be at least 1 s, was " + idleTimeout);
        }
    }
}
