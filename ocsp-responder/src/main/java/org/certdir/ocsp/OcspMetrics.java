package org.certdir.ocsp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the responder in the Prometheus text format: answers by outcome, certificate statuses given, latency. */
public final class OcspMetrics {

    /** Where an answer came from, or why it is an error. */
    public enum Outcome { CACHE_HIT, SIGNED, SIGNED_WITH_NONCE, MALFORMED_REQUEST, UNAUTHORIZED, TRY_LATER, INTERNAL_ERROR }

    /** The status given for one certificate. */
    enum Status { GOOD, REVOKED, UNKNOWN }

    private static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    private static final String[] BUCKET_LABELS = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5"};

    private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
    private final Map<Status, LongAdder> statuses = new EnumMap<>(Status.class);
    private final LongAdder[] buckets = new LongAdder[BUCKETS.length];
    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    OcspMetrics() {
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, new LongAdder());
        }
        for (Status status : Status.values()) {
            statuses.put(status, new LongAdder());
        }
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    void answered(Outcome outcome, long elapsedNanos) {
        outcomes.get(outcome).increment();
        count.increment();
        nanos.add(elapsedNanos);
        double seconds = elapsedNanos / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                buckets[i].increment();
                break;
            }
        }
    }

    void gave(Status status) {
        statuses.get(status).increment();
    }

    public long answers(Outcome outcome) {
        return outcomes.get(outcome).sum();
    }

    /** Appends the metrics; {@code cacheEntries} and {@code cacheBytes} describe the response cache now. */
    void render(StringBuilder out, long cacheEntries, long cacheBytes, long indexed) {
        out.append("# HELP certdir_ocsp_responses_total OCSP answers by outcome.\n# TYPE certdir_ocsp_responses_total counter\n");
        outcomes.forEach((outcome, adder) -> out.append("certdir_ocsp_responses_total{outcome=\"").append(outcome.name().toLowerCase())
                .append("\"} ").append(adder.sum()).append('\n'));
        out.append("# HELP certdir_ocsp_certificate_statuses_total Certificate statuses given in OCSP answers.\n"
                + "# TYPE certdir_ocsp_certificate_statuses_total counter\n");
        statuses.forEach((status, adder) -> out.append("certdir_ocsp_certificate_statuses_total{status=\"").append(status.name().toLowerCase())
                .append("\"} ").append(adder.sum()).append('\n'));
        out.append("# HELP certdir_ocsp_latency_seconds Time from request bytes to response bytes.\n# TYPE certdir_ocsp_latency_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cumulative += buckets[i].sum();
            out.append("certdir_ocsp_latency_seconds_bucket{le=\"").append(BUCKET_LABELS[i]).append("\"} ").append(cumulative).append('\n');
        }
        out.append("certdir_ocsp_latency_seconds_bucket{le=\"+Inf\"} ").append(count.sum()).append('\n')
                .append("certdir_ocsp_latency_seconds_sum ").append(nanos.sum() / 1e9).append('\n')
                .append("certdir_ocsp_latency_seconds_count ").append(count.sum()).append('\n');
        gauge(out, "certdir_ocsp_cache_entries", "Signed responses in the cache.", cacheEntries);
        gauge(out, "certdir_ocsp_cache_bytes", "Bytes of signed responses in the cache.", cacheBytes);
        gauge(out, "certdir_ocsp_status_index_certificates", "Certificates in the OCSP status index.", indexed);
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }
}
