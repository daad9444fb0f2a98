package org.certdir.ops.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateQuery;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.Registry;

/**
 * What expires within a window: the valid S/MIME certificates of the registry (revoked, held, already expired ones and
 * OCSP signers left out, see {@link Registry#expiring}) and the certificates of the CAs certdir holds, soonest first. A
 * CA's own certificate is listed with usage {@code ca} under its own name: when it expires, everything it issued stops
 * verifying, so it sorts in with the rest rather than hiding in {@code ca list}.
 */
final class ExpiryReport {

    private final Registry registry;

    ExpiryReport(Registry registry) {
        this.registry = registry;
    }

    private record Row(Instant notAfter, boolean ca, JsonObject json) {
    }

    JsonObject build(ExpiryWindow window, CaName ca, int limit) {
        if (ca != null) {
            registry.requireCa(ca);
        }
        Instant now = registry.clock().instant();
        Instant until = now.plus(window.duration());
        CertificateQuery.Page certificates = registry.expiring(now, until, ca, limit);
        List<Row> rows = new ArrayList<>();
        long total = certificates.total();
        for (CaRecord held : registry.cas()) {
            Instant notAfter = held.certificate().notAfter();
            if ((ca == null || held.name().equals(ca)) && notAfter.isAfter(now) && !notAfter.isAfter(until)) {
                rows.add(new Row(notAfter, true, CertificateJson.caCertificate(held)));
                total++;
            }
        }
        for (CertificateRecord record : certificates.certificates()) {
            rows.add(new Row(record.details().notAfter(), false, CertificateJson.certificate(record)));
        }
        // A CA's certificate before a user's expiring at the same instant: the worse news first.
        rows.sort(Comparator.comparing(Row::notAfter).thenComparing(row -> !row.ca()));
        JsonArray listed = new JsonArray();
        for (Row row : rows.subList(0, Math.min(limit, rows.size()))) {
            listed.add(row.json().put("daysLeft", Duration.between(now, row.notAfter()).toDays()));
        }
        return new JsonObject().put("within", window.text()).put("from", now.toString()).put("until", until.toString())
                .put("total", total).put("limit", limit).put("certificates", listed);
    }
}
