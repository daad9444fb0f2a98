package org.certdir.registry;

import java.time.Instant;

/** What is known of a CRL without its bytes (which may be tens of megabytes): for schedules, health and status. */
public record CrlSummary(CaName ca, long number, Long baseNumber, long revision, Instant thisUpdate, Instant nextUpdate, int entries) {

    public boolean delta() {
        return baseNumber != null;
    }
}
