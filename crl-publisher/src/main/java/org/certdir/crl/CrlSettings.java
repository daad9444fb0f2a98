package org.certdir.crl;

import java.time.Duration;

/**
 * When CRLs are issued and how long they are valid.
 *
 * @param fullValidity  nextUpdate − thisUpdate of a full CRL (default 7 days)
 * @param fullPeriod    a new full CRL after this long (default 1 day): overlap, so a fresh one is out long before nextUpdate
 * @param deltaValidity nextUpdate − thisUpdate of a delta CRL
 * @param deltaPeriod   a new delta after this long even without changes
 * @param debounce      after a status change, wait this long for more before issuing (a burst yields one CRL)
 * @param deltas        whether delta CRLs are issued; without them a change triggers a full CRL
 * @param baseUrl       the public HTTP base URL, for the Freshest CRL pointer to the delta
 */
public record CrlSettings(Duration fullValidity, Duration fullPeriod, Duration deltaValidity, Duration deltaPeriod, Duration debounce,
                          boolean deltas, String baseUrl) {

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
    }

    public static CrlSettings defaults(String baseUrl) {
        return new CrlSettings(Duration.ofDays(7), Duration.ofDays(1), Duration.ofHours(2), Duration.ofHours(1), Duration.ofSeconds(1), true, baseUrl);
    }

    public String deltaUrl(String ca) {
        return baseUrl + "/crl/" + ca + "-delta.crl";
    }
}
