package org.certdir.registry;

import java.time.Instant;

/** What one distribution point holds of one CA's CRLs; null fields: nothing yet. */
public record PointState(CaName ca, String point, Long fullNumber, Long deltaNumber, Instant publishedAt, Instant attemptedAt, String lastError) {
}
