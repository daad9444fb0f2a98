package org.certdir.ops.http;

import java.time.Duration;
import java.time.Instant;
import org.certdir.registry.CrlSummary;

/**
 * Whether the CRL of one kind, full or delta, that a distribution point holds is fresh. One rule for both kinds: the
 * point holds the newest CRL of that kind the CA issued, that newest one is not older than the kind's period plus
 * {@code certdir.crl.stale-margin} (else issuance has stopped), and the CRL the point holds is not past its nextUpdate.
 * Delta-aware clients (Windows, so Outlook) learn of a revocation from the delta: a point whose delta lags hides
 * revocations from them as a lagging full CRL hides them from the others, and clients refuse an expired one outright.
 *
 * @param kind   "full" or "delta", as the answers name it
 * @param period how often a CRL of this kind is issued at the least
 */
record CrlFreshness(String kind, Duration period, Duration staleMargin) {

    /**
     * What is wrong with the point's CRL of this kind, naming the kind and the numbers; null when it is fresh.
     *
     * @param newest         the newest CRL of this kind the CA issued; null when there is none yet
     * @param held           the number of the one the point holds; null when it holds none
     * @param heldNextUpdate the nextUpdate of the one the point holds, when it is not the newest; null if unknown
     */
    String problem(CrlSummary newest, Long held, Instant heldNextUpdate, Instant now) {
        if (newest == null) {
            return "no " + kind + " CRL has been issued yet";
        }
        if (held == null) {
            return kind + " CRL " + newest.number() + " (issued " + newest.thisUpdate() + ") has not reached this point, which holds none";
        }
        if (held != newest.number()) {
            boolean expired = heldNextUpdate != null && !heldNextUpdate.isAfter(now);
            return kind + " CRL " + newest.number() + " (issued " + newest.thisUpdate() + ") has not reached this point, which holds " + held
                    + (expired ? ", expired at " + heldNextUpdate : "");
        }
        if (!newest.nextUpdate().isAfter(now)) {
            return kind + " CRL " + held + " expired at " + newest.nextUpdate() + " (its nextUpdate): clients refuse it";
        }
        if (newest.thisUpdate().plus(period).plus(staleMargin).isBefore(now)) {
            return kind + " CRL " + held + " was issued at " + newest.thisUpdate() + ", more than the " + kind + " period (" + period
                    + ") plus certdir.crl.stale-margin (" + staleMargin + ") ago: no newer one is being issued";
        }
        return null;
    }
}
