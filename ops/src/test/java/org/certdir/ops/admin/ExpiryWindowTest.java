package org.certdir.ops.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The durations the expiry report accepts, and the line for the rest. */
class ExpiryWindowTest {

    @Test
    void parse_hoursDaysWeeks() {
        assertEquals(Duration.ofHours(12), ExpiryWindow.parse("12h").duration());
        assertEquals(Duration.ofDays(30), ExpiryWindow.parse("30d").duration());
        assertEquals(Duration.ofDays(14), ExpiryWindow.parse("2w").duration());
        assertEquals("2w", ExpiryWindow.parse("2w").text());
    }

    @Test
    void parse_tenYears_isTheLongest() {
        assertEquals(Duration.ofDays(3650), ExpiryWindow.parse("3650d").duration());
        assertEquals("within 3651d is out of range: give from 1h up to 3650d (ten years)",
                assertThrows(IllegalArgumentException.class, () -> ExpiryWindow.parse("3651d")).getMessage());
        assertEquals("within 0d is out of range: give from 1h up to 3650d (ten years)",
                assertThrows(IllegalArgumentException.class, () -> ExpiryWindow.parse("0d")).getMessage());
    }

    @Test
    void parse_otherForms_refusedNamingTheAcceptedOnes() {
        for (String text : new String[] {"30", "30D", "1m", "-1d", "1.5d", "P30D", " 30d", "9999999d"}) {
            assertEquals("within '" + text + "' is not a duration: give a whole number of hours, days or weeks, e.g. 12h, 30d or 2w",
                    assertThrows(IllegalArgumentException.class, () -> ExpiryWindow.parse(text)).getMessage(), text);
        }
    }
}
