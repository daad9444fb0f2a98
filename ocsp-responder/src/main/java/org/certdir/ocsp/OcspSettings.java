package org.certdir.ocsp;

import java.time.Duration;

/**
 * How the responder answers.
 *
 * @param validity        nextUpdate − thisUpdate of a response; a cached response is signed again after half of it
 * @param unknownAsRevoked answer a serial the CA never issued with RFC 6960 §2.2's "revoked, certificateHold,
 *                         1970-01-01" and the extended-revoke extension instead of {@code unknown}
 * @param cacheBytes      the most bytes of signed responses kept in the cache
 * @param signingThreads  threads that sign; signing never runs on the HTTP event loop
 * @param signingQueue    responses waiting for a signing thread beyond which the answer is {@code tryLater}
 */
public record OcspSettings(Duration validity, boolean unknownAsRevoked, long cacheBytes, int signingThreads, int signingQueue) {

    public OcspSettings {
        if (validity.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("OCSP response validity must be at least 1 minute, was " + validity);
        }
        if (cacheBytes < 0) {
            throw new IllegalArgumentException("OCSP cache size must not be negative, was " + cacheBytes);
        }
        if (signingThreads < 1 || signingQueue < 1) {
            throw new IllegalArgumentException("OCSP signing needs at least one thread and a queue of one, was " + signingThreads
                    + " threads and a queue of " + signingQueue);
        }
    }

    /** A cached response is signed again once this much of its validity has passed. */
    Duration refreshAfter() {
        return validity.dividedBy(2);
    }
}
