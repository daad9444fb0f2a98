package org.certdir.crl;

import java.time.Duration;

/**
 * When CRLs are issued and how long they are valid.
 *
 * @param fullValidity       nextUpdate − thisUpdate of a full CRL (default 3 days): how long a client that caches a
 *                           full CRL until its nextUpdate may go on trusting a revoked certificate
 * @param fullPeriod         a new full CRL after this long even without changes (default 1 day): overlap, so a fresh one is
 *                           out long before nextUpdate
 * @param deltaValidity      nextUpdate − thisUpdate of a delta CRL
 * @param deltaPeriod        a new delta after this long even without changes
 * @param debounce           after a status change, wait this long for more before issuing (a burst yields one CRL)
 * @param deltas             whether delta CRLs are issued
 * @param fullOnChangeWithin a change reaches the full CRL within this long, for the clients that ignore deltas (NSS,
 *                           the JDK, dirmngr); sooner for a CA whose full CRL builds fast (see {@link CrlPublisher})
 */
public record CrlSettings(Duration fullValidity, Duration fullPeriod, Duration deltaValidity, Duration deltaPeriod, Duration debounce,
                          boolean deltas, Duration fullOnChangeWithin) {

    public CrlSettings {
        if (fullPeriod.compareTo(fullValidity) >= 0) {
            throw new IllegalArgumentException("the full CRL period must be shorter than its validity, so a new one is out before the old expires: "
                    + fullPeriod + " !< " + fullValidity);
        }
        if (deltas && deltaPeriod.compareTo(deltaValidity) > 0) {
            throw new IllegalArgumentException("the delta CRL period must not exceed its validity: " + deltaPeriod + " !<= " + deltaValidity);
        }
        if (debounce.isNegative()) {
            throw new IllegalArgumentException("the debounce window must not be negative, was " + debounce);
        }
        if (fullOnChangeWithin.isNegative() || fullOnChangeWithin.compareTo(fullPeriod) > 0) {
            throw new IllegalArgumentException("a change must reach the full CRL within a bound between 0 and the full period: "
                    + fullOnChangeWithin + " is not within [PT0S, " + fullPeriod + "]");
        }
    }

    public static CrlSettings defaults() {
        return new CrlSettings(Duration.ofDays(3), Duration.ofDays(1), Duration.ofHours(2), Duration.ofHours(1), Duration.ofSeconds(1), true,
                Duration.ofMinutes(5));
    }
}
