package org.certdir.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CrlSettingsTest {

    @Test
    void fullPeriod_mustBeShorterThanValidity() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CrlSettings(Duration.ofDays(1), Duration.ofDays(1),
                Duration.ofHours(2), Duration.ofHours(1), Duration.ofSeconds(1), true, Duration.ofMinutes(5)));
        assertEquals("the full CRL period must be shorter than its validity, so a new one is out before the old expires: PT24H !< PT24H", e.getMessage());
    }

    @Test
    void deltaPeriod_mustNotExceedItsValidity() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CrlSettings(Duration.ofDays(7), Duration.ofDays(1),
                Duration.ofHours(1), Duration.ofHours(2), Duration.ofSeconds(1), true, Duration.ofMinutes(5)));
        assertEquals("the delta CRL period must not exceed its validity: PT2H !<= PT1H", e.getMessage());
    }

    @Test
    void fullOnChangeWithin_mustNotExceedTheFullPeriod() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CrlSettings(Duration.ofDays(7), Duration.ofDays(1),
                Duration.ofHours(2), Duration.ofHours(1), Duration.ofSeconds(1), true, Duration.ofDays(2)));
        assertEquals("a change must reach the full CRL within a bound between 0 and the full period: PT48H is not within [PT0S, PT24H]", e.getMessage());
    }

    @Test
    void backoff_doublesFromOneSecond_upToFiveMinutes() {
        assertEquals(Duration.ofSeconds(1), CrlPublisher.backoff(1));
        assertEquals(Duration.ofSeconds(4), CrlPublisher.backoff(3));
        assertEquals(Duration.ofMinutes(5), CrlPublisher.backoff(10));
        assertEquals(Duration.ofMinutes(5), CrlPublisher.backoff(500));
    }
}
