package org.certdir.ops.http;

import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.certdir.ocsp.OcspResponder;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateQuery;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.Outbox;
import org.certdir.registry.Registry;

/**
 * {@code GET /metrics} in the Prometheus text format: registry size and revision, expiry, publication queue, OCSP
 * responder.
 */
public final class Metrics {

    private final Registry registry;
    private final OcspResponder ocsp;

    public Metrics(Registry registry, OcspResponder ocsp) {
        this.registry = registry;
        this.ocsp = ocsp;
    }

    /** The route handler; register with {@code blockingHandler}, as it queries the registry. */
    public void handle(RoutingContext context) {
        context.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        org.certdir.aia.http.ResponseBody.end(context, io.vertx.core.buffer.Buffer.buffer(render()));
    }

    String render() {
        StringBuilder out = new StringBuilder();
        Outbox.Stats queue = registry.outbox().stats(Outbox.DIRECTORY_PERSON, Outbox.DIRECTORY_CA, Outbox.DIRECTORY_TRUST);
        gauge(out, "certdir_publication_queue_depth", "Tasks waiting in the directory publication queue.", queue.depth());
        gauge(out, "certdir_publication_queue_oldest_age_seconds", "Age of the oldest task in the directory publication queue.",
                queue.oldest() == null ? 0 : Duration.between(queue.oldest(), Instant.now()).toSeconds());
        gauge(out, "certdir_publication_queue_failing", "Tasks that failed at least once and wait for a retry.", queue.failing());
        gauge(out, "certdir_registry_revision", "Newest revision of the registry's change feed.", registry.revision());
        gauge(out, "certdir_cas", "CAs in the registry.", registry.cas().size());
        out.append("# HELP certdir_certificates Certificates in the registry by status.\n# TYPE certdir_certificates gauge\n");
        for (CertificateStatus status : CertificateStatus.values()) {
            long count = registry.search(new CertificateQuery(null, status, null, 1, 0)).total();
            out.append("certdir_certificates{status=\"").append(status.dbName()).append("\"} ").append(count).append('\n');
        }
        renderExpiry(out, registry.clock().instant());
        renderOcspSigners(out);
        ocsp.renderMetrics(out);
        return out.toString();
    }

    /**
     * What an alert needs to fire before a CA or many users expire: per CA, the valid certificates expiring within 7 and
     * 30 days (a CA with none shows 0, so that an alert sees the series), and each CA certificate's notAfter. Two
     * counts over the {@code not_after} index per scrape.
     */
    private void renderExpiry(StringBuilder out, Instant now) {
        List<CaRecord> cas = registry.cas();
        out.append("# HELP certdir_certificates_expiring Valid certificates of a CA whose notAfter is within the window from now.\n")
                .append("# TYPE certdir_certificates_expiring gauge\n");
        for (int days : new int[] {7, 30}) {
            String within = days + "d";
            Map<CaName, Long> counts = registry.expiringCounts(now, now.plus(Duration.ofDays(days)));
            for (CaRecord ca : cas) {
                out.append("certdir_certificates_expiring{ca=\"").append(ca.name().value()).append("\",within=\"").append(within).append("\"} ")
                        .append(counts.getOrDefault(ca.name(), 0L)).append('\n');
            }
        }
        out.append("# HELP certdir_ca_certificate_not_after_seconds When a CA's certificate expires, in Unix seconds.\n")
                .append("# TYPE certdir_ca_certificate_not_after_seconds gauge\n");
        for (CaRecord ca : cas) {
            out.append("certdir_ca_certificate_not_after_seconds{ca=\"").append(ca.name().value()).append("\"} ")
                    .append(ca.certificate().notAfter().getEpochSecond()).append('\n');
        }
    }

    /**
     * When each CA's OCSP signer expires: certdir renews its own delegated signers ahead of time, but an external CA's
     * (ocsp signer request/install) only an admin can replace, and after it expires that CA's answers are tryLater.
     * A CA without a signer has no series; /health names it.
     */
    private void renderOcspSigners(StringBuilder out) {
        out.append("# HELP certdir_ocsp_signer_not_after_seconds When the certificate signing a CA's OCSP answers expires, in Unix seconds.\n")
                .append("# TYPE certdir_ocsp_signer_not_after_seconds gauge\n");
        for (CaName ca : ocsp.servedCas()) {
            org.certdir.ocsp.ResponseSigner signer = ocsp.signer(ca);
            if (signer != null) {
                out.append("certdir_ocsp_signer_not_after_seconds{ca=\"").append(ca.value()).append("\",signer=\"")
                        .append(signer.delegated() ? "delegated" : "ca").append("\"} ").append(signer.notAfter().getEpochSecond()).append('\n');
            }
        }
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }
}
