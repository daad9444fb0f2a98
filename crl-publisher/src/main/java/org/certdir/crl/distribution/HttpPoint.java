package org.certdir.crl.distribution;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CrlRecord;

/**
 * The public HTTP listener's copy ({@code GET /crl/<ca>.crl}, {@code /crl/<ca>-delta.crl}): the newest CRL of each
 * kind per CA, held in memory, so serving one costs no disk or database access.
 */
public final class HttpPoint implements DistributionPoint {

    /** A CRL as served: its bytes, number and validity (for Last-Modified, Cache-Control and ETag). */
    public record Served(byte[] der, long number, Instant thisUpdate, Instant nextUpdate) {
        public String etag() {
            return "\"" + number + "\"";
        }
    }

    private final String name;
    private final Map<String, Served> crls = new ConcurrentHashMap<>();

    public HttpPoint(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void publish(CaRecord ca, CrlRecord crl) {
        crls.merge(DistributionPoint.fileName(ca, crl), new Served(crl.der(), crl.number(), crl.thisUpdate(), crl.nextUpdate()),
                (old, fresh) -> fresh.number() > old.number() ? fresh : old);
    }

    /** The CRL served under {@code fileName} ({@code <ca>.crl} or {@code <ca>-delta.crl}). */
    public Optional<Served> served(String fileName) {
        return Optional.ofNullable(crls.get(fileName));
    }
}
