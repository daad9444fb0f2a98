package org.certdir.registry;

import java.time.Instant;

/**
 * A CRL the registry recorded as issued.
 *
 * @param baseNumber the number of the full CRL a delta CRL is based on; null for a full CRL
 * @param revision   the registry revision the CRL reflects
 */
public record CrlRecord(long id, CaName ca, long number, Long baseNumber, long revision, Instant thisUpdate, Instant nextUpdate,
                        int entries, byte[] der) {

    public boolean delta() {
        return baseNumber != null;
    }
}
