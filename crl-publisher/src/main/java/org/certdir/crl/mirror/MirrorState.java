package org.certdir.crl.mirror;

import java.time.Instant;
import org.certdir.registry.CaName;

/**
 * What /health shows of one mirrored CA: its newest mirrored CRL (number, thisUpdate, nextUpdate, where it came
 * from: a URL, "push" or, after a restart before the next fetch, "registry"), when it was last tried and why that failed.
 */
public record MirrorState(CaName ca, Long number, Instant thisUpdate, Instant nextUpdate, String source, Instant lastAttempt,
                          String lastError) {
}
