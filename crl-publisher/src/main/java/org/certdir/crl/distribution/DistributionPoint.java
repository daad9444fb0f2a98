package org.certdir.crl.distribution;

import org.certdir.registry.CaRecord;
import org.certdir.registry.CrlRecord;

/**
 * A place CRLs are written to. Every point receives the same bytes; a point that fails is retried and never
 * holds up the others (each runs on its own thread).
 */
public interface DistributionPoint {

    /** The configured name, as shown by {@code certdir crl status} and {@code /health}. */
    String name();

    /** Writes the CRL; throws when the point did not take it. */
    void publish(CaRecord ca, CrlRecord crl) throws Exception;

    /** The file name a CRL has at points that use names: {@code <ca>.crl} or {@code <ca>-delta.crl}. */
    static String fileName(CaRecord ca, CrlRecord crl) {
        return ca.name().value() + (crl.delta() ? "-delta.crl" : ".crl");
    }
}
