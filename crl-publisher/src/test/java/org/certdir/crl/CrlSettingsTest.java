package org.certdir.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CrlSettingsTest {

    @Test
    void fullPeriod_mustBeShorterThanValidity() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CrlSettings(Duration.ofDays(1), Duration.ofDays(1),
                Duration.ofHours(2), Duration.ofHours(1), Duration.ofSeconds(1), true, "http://x"));
        assertEquals("the full CRL period must be shorter than its validity, so a new one is out before the old expires: PT24H !< PT24H", e.getMessage());
    }

    @Test
    void deltaPeriod_mustNotExceedItsValidity() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CrlSettings(Duration.ofDays(7), Duration.ofDays(1),
                Duration.ofHours(1), Duration.ofHours(2), Duration.ofSeconds(1), true, "http://x"));
        assertEquals("the delta CRL period must not exceed its validity: PT2H !<= PT1H", e.getMessage());
    }

    @Test
    void deltaUrl_isOnThePublicListener() {
        assertEquals("http://127.0.0.1:8080/crl/demo-ca-delta.crl", CrlSettings.defaults("http://127.0.0.1:8080").deltaUrl("demo-ca"));
    }

    @Test
    void backoff_doublesFromOneSecond_upToFiveMinutes() {
        assertEquals(Duration.ofSeconds(1), CrlPublisher.backoff(1));
        assertEquals(Duration.ofSeconds(4), CrlPublisher.backoff(3));
        assertEquals(Duration.ofMinutes(5), CrlPublisher.backoff(10));
        assertEquals(Duration.ofMinutes(5), CrlPublisher.backoff(500));
    }
}
