package org.certdir.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import org.certdir.registry.CaName;
import org.certdir.registry.CrlSummary;
import org.junit.jupiter.api.Test;

class CrlFreshnessTest {

    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final CrlFreshness DELTA = new CrlFreshness("delta", Duration.ofHours(1), Duration.ofHours(1));

    /** A delta CRL issued {@code ago} before now, valid for two hours. */
    private static CrlSummary delta(long number, Duration ago) {
        Instant thisUpdate = NOW.minus(ago);
        return new CrlSummary(new CaName("demo-issuing-ca"), number, 1L, number, thisUpdate, thisUpdate.plus(Duration.ofHours(2)), 0);
    }

    @Test
    void problem_theNewestWithinItsPeriod_isNone() {
        assertNull(DELTA.problem(delta(7, Duration.ofMinutes(30)), 7L, null, NOW));
        assertNull(DELTA.problem(delta(7, Duration.ofHours(2).minusSeconds(1)), 7L, null, NOW), "period plus margin, to the second");
    }

    @Test
    void problem_anOlderOneThanTheNewest_namesBothNumbers() {
        assertEquals("delta CRL 9 (issued 2026-12-02T11:59:00Z) has not reached this point, which holds 7",
                DELTA.problem(delta(9, Duration.ofMinutes(1)), 7L, NOW.plus(Duration.ofHours(1)), NOW));
        assertEquals("delta CRL 9 (issued 2026-12-02T11:59:00Z) has not reached this point, which holds none",
                DELTA.problem(delta(9, Duration.ofMinutes(1)), null, null, NOW));
    }

    @Test
    void problem_anOlderOnePastItsNextUpdate_saysItExpired() {
        assertEquals("delta CRL 9 (issued 2026-12-02T11:59:00Z) has not reached this point, which holds 7, expired at 2026-12-02T11:30:00Z",
                DELTA.problem(delta(9, Duration.ofMinutes(1)), 7L, Instant.parse("2026-12-02T11:30:00Z"), NOW));
    }

    @Test
    void problem_theNewestPastItsNextUpdate_saysClientsRefuseIt() {
        assertEquals("delta CRL 7 expired at 2026-12-02T12:00:00Z (its nextUpdate): clients refuse it",
                DELTA.problem(delta(7, Duration.ofHours(2)), 7L, null, NOW));
    }

    @Test
    void problem_theNewestOlderThanPeriodPlusMargin_saysIssuanceStopped() {
        CrlFreshness full = new CrlFreshness("full", Duration.ofDays(1), Duration.ofHours(1));
        CrlSummary old = new CrlSummary(new CaName("demo-issuing-ca"), 3, null, 3, NOW.minus(Duration.ofHours(26)), NOW.plus(Duration.ofHours(46)), 0);
        assertEquals("full CRL 3 was issued at 2026-12-01T10:00:00Z, more than the full period (PT24H) plus certdir.crl.stale-margin (PT1H) ago: "
                + "no newer one is being issued", full.problem(old, 3L, null, NOW));
    }

    @Test
    void problem_noneIssued_saysSo() {
        assertEquals("no delta CRL has been issued yet", DELTA.problem(null, null, null, NOW));
    }
}
