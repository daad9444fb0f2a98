package org.certdir.ops.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.certdir.directory.embedded.EmbeddedDirectory;
import org.certdir.directory.publication.DirectoryPublisher;
import java.time.Duration;
import java.time.Instant;
import io.vertx.core.json.JsonArray;
import org.certdir.crl.CrlPublisher;
import org.certdir.ocsp.OcspResponder;
import org.certdir.ocsp.ResponseSigner;
import org.certdir.registry.CaName;
import org.certdir.registry.CrlSummary;
import org.certdir.registry.Outbox;
import org.certdir.registry.PointState;
import org.certdir.registry.Registry;

/**
 * {@code GET /health}: whether the registry answers, the directory holds its layout, and the publication
 * queue keeps up, every CRL is fresh at every point, and every CA has an OCSP signer. Status {@code ok};
 * {@code degraded} (still 200) when publication tasks failed or wait longer than a minute, a CRL point lags on the full or the delta CRL, a
 * CA has no valid OCSP signer, or the data directory's file system is short of space; {@code down} (503) when the registry or the directory does not answer. Runs off the event loop.
 */
public final class HealthCheck {

    private static final Duration LAG_TOLERATED = Duration.ofMinutes(1);
    /** A directory that takes longer than this to answer a new client counts as down (the SDK's own default is minutes). */
    static final Duration DIRECTORY_PROBE_TIMEOUT = Duration.ofSeconds(3);

    private final Registry registry;
    private final DirectoryPublisher publisher;
    private final String directoryUrl;
    private final CrlPublisher crl;
    private final Duration staleMargin;
    private final OcspResponder ocsp;
    private final EmbeddedDirectory directory;
    private final java.nio.file.Path dataDirectory;
    private final long minFreeSpace;
    private final org.certdir.crl.mirror.CrlMirror mirror;

    /**
     * {@code directory}, the embedded one, is probed as a new client first, with a 3 s deadline (null: an external
     * one, checked through {@code publisher} only); degraded when the file system of {@code dataDirectory} has less
     * than {@code minFreeSpace} bytes free.
     */
    public HealthCheck(Registry registry, DirectoryPublisher publisher, String directoryUrl, CrlPublisher crl, Duration staleMargin,
                       OcspResponder ocsp, EmbeddedDirectory directory, java.nio.file.Path dataDirectory, long minFreeSpace,
                       org.certdir.crl.mirror.CrlMirror mirror) {
        this.mirror = mirror;
        this.directory = directory;
        this.dataDirectory = dataDirectory;
        this.minFreeSpace = minFreeSpace;
        this.registry = registry;
        this.publisher = publisher;
        this.directoryUrl = directoryUrl;
        this.crl = crl;
        this.staleMargin = staleMargin;
        this.ocsp = ocsp;
    }

    /** The OCSP signer of every CA the responder serves: degraded when one has none, or one that has expired. */
    private JsonObject ocspSigners() {
        JsonArray cas = new JsonArray();
        boolean healthy = true;
        Instant now = Instant.now();
        for (CaName ca : ocsp.servedCas()) {
            ResponseSigner signer = ocsp.signer(ca);
            JsonObject entry = new JsonObject().put("ca", ca.value());
            boolean ok = signer != null && signer.notAfter().isAfter(now);
            if (signer == null) {
                entry.put("error", "no signer: requests are answered tryLater; the server log says why");
            } else {
                entry.put("signer", signer.delegated() ? "delegated" : "ca")
                        .put("serial", signer.certificate().getSerialNumber().toString(16))
                        .put("notAfter", signer.notAfter().toString());
            }
            entry.put("status", ok ? "ok" : "degraded");
            healthy &= ok;
            cas.add(entry);
        }
        return new JsonObject().put("status", healthy ? "ok" : "degraded").put("cas", cas);
    }

    /**
     * Every CA's CRLs at every point, full and delta alike ({@link CrlFreshness}): degraded when a point's last attempt
     * failed, or a CRL of either kind there is not the newest, is past its nextUpdate, or the newest is older than its
     * period plus the margin; {@code lagging} names each kind that is not fresh and why. Degraded too when a CA's CRLs
     * cannot be issued. The last error is the point's, whichever kind it came with: a full CRL that reaches a point
     * clears the error its refused delta left, so the delta is checked by number, not by that error.
     */
    private JsonObject crls() {
        JsonArray points = new JsonArray();
        boolean healthy = true;
        Instant now = Instant.now();
        CrlFreshness full = new CrlFreshness("full", crl.settings().fullPeriod(), staleMargin);
        CrlFreshness delta = crl.settings().deltas() ? new CrlFreshness("delta", crl.settings().deltaPeriod(), staleMargin) : null;
        java.util.Set<CaName> managed = new java.util.HashSet<>();
        registry.cas().stream().filter(org.certdir.registry.CaRecord::managed).forEach(ca -> managed.add(ca.name()));
        for (PointState state : crl.status()) {
            JsonObject point = new JsonObject().put("ca", state.ca().value()).put("point", state.point())
                    .put("fullNumber", state.fullNumber()).put("deltaNumber", state.deltaNumber());
            if (state.publishedAt() != null) {
                point.put("publishedAt", state.publishedAt().toString());
            }
            if (state.lastError() != null) {
                point.put("lastError", state.lastError());
            }
            JsonObject lagging = new JsonObject();
            if (!managed.contains(state.ca())) {
                // A mirrored CA's CRLs come on its own schedule: the mirror section tells their age; here only whether the point has the newest.
                mirroredLag(state.ca(), false, state.fullNumber(), lagging);
                mirroredLag(state.ca(), true, state.deltaNumber(), lagging);
                if (!lagging.isEmpty()) {
                    point.put("lagging", lagging);
                }
                boolean ok = lagging.isEmpty() && state.lastError() == null;
                point.put("status", ok ? "ok" : "degraded");
                healthy &= ok;
                points.add(point);
                continue;
            }
            String fullProblem = problem(full, false, state.ca(), state.fullNumber(), now);
            if (fullProblem != null) {
                lagging.put("full", fullProblem);
            }
            String deltaProblem = delta == null ? null : problem(delta, true, state.ca(), state.deltaNumber(), now);
            if (deltaProblem != null) {
                lagging.put("delta", deltaProblem);
            }
            if (!lagging.isEmpty()) {
                point.put("lagging", lagging);
            }
            boolean ok = lagging.isEmpty() && state.lastError() == null;
            point.put("status", ok ? "ok" : "degraded");
            healthy &= ok;
            points.add(point);
        }
        JsonArray issuance = new JsonArray();
        crl.issuanceErrors().forEach((ca, error) -> issuance.add(new JsonObject().put("ca", ca.value()).put("status", "degraded")
                .put("error", "CRL issuance fails, retried with backoff: " + error)));
        healthy &= issuance.isEmpty();
        return new JsonObject().put("status", healthy ? "ok" : "degraded").put("points", points).put("issuance", issuance);
    }

    private void mirroredLag(CaName ca, boolean delta, Long held, JsonObject lagging) {
        registry.latestCrlSummary(ca, delta).ifPresent(newest -> {
            if (held == null || held < newest.number()) {
                lagging.put(delta ? "delta" : "full", "holds " + (held == null ? "none" : "number " + held) + ", the newest mirrored is " + newest.number());
            }
        });
    }

    /**
     * Each mirrored CA (a CA certdir does not hold, whose CRLs it takes): its newest CRL's number, age and source;
     * degraded when there is none, when it is past its nextUpdate (OCSP then answers tryLater), or when the last
     * fetch or push failed.
     */
    private JsonObject mirrors() {
        JsonArray cas = new JsonArray();
        boolean healthy = true;
        Instant now = Instant.now();
        for (org.certdir.crl.mirror.MirrorState state : mirror.states()) {
            JsonObject entry = new JsonObject().put("ca", state.ca().value()).put("number", state.number()).put("source", state.source());
            java.util.List<String> problems = new java.util.ArrayList<>();
            if (state.thisUpdate() != null) {
                entry.put("thisUpdate", state.thisUpdate().toString()).put("nextUpdate", state.nextUpdate().toString())
                        .put("ageSeconds", Duration.between(state.thisUpdate(), now).toSeconds());
                if (!state.nextUpdate().isAfter(now)) {
                    problems.add("the newest mirrored CRL is stale: its nextUpdate " + state.nextUpdate() + " has passed; OCSP answers tryLater");
                }
            } else {
                problems.add("no CRL mirrored yet; OCSP answers tryLater");
            }
            if (state.lastAttempt() != null) {
                entry.put("lastAttempt", state.lastAttempt().toString());
            }
            if (state.lastError() != null) {
                entry.put("lastError", state.lastError());
                problems.add("the last fetch or push failed");
            }
            if (!problems.isEmpty()) {
                entry.put("problem", String.join("; ", problems));
            }
            entry.put("status", problems.isEmpty() ? "ok" : "degraded");
            healthy &= problems.isEmpty();
            cas.add(entry);
        }
        return new JsonObject().put("status", healthy ? "ok" : "degraded").put("cas", cas);
    }

    /** What is wrong with the full or {@code delta} CRL a point holds ({@code held}), null when it is fresh. */
    private String problem(CrlFreshness freshness, boolean delta, CaName ca, Long held, Instant now) {
        CrlSummary newest = registry.latestCrlSummary(ca, delta).orElse(null);
        Instant heldNextUpdate = null;
        if (held != null && newest != null && held != newest.number()) {
            heldNextUpdate = registry.crlSummary(ca, held).map(CrlSummary::nextUpdate).orElse(null);
        }
        return freshness.problem(newest, held, heldNextUpdate, now);
    }

    /**
     * Free space where the registry writes: degraded below the minimum, before the disk is full and every change is
     * refused (507) and CRL files can no longer be written.
     */
    private JsonObject disk() {
        JsonObject disk = new JsonObject().put("minFreeBytes", minFreeSpace);
        try {
            long free = java.nio.file.Files.getFileStore(dataDirectory).getUsableSpace();
            disk.put("freeBytes", free);
            if (free < minFreeSpace) {
                return disk.put("status", "degraded").put("error", "the data directory's file system has " + free + " bytes free, less than "
                        + "certdir.health.min-free-space (" + minFreeSpace + "): changes are refused once it is full");
            }
            return disk.put("status", "ok");
        } catch (java.io.IOException e) {
            return disk.put("status", "degraded").put("error", "free space unknown: " + e.getMessage());
        }
    }

    public JsonObject report() {
        JsonObject registryStatus = new JsonObject().put("file", registry.file().toString());
        try {
            registry.check();
            registryStatus.put("status", "ok").put("cas", registry.cas().size());
        } catch (RuntimeException e) {
            registryStatus.put("status", "down").put("error", e.getMessage());
        }
        JsonObject directoryStatus = new JsonObject().put("url", directoryUrl);
        String notAnswering = directory == null ? null : directory.probe(DIRECTORY_PROBE_TIMEOUT);
        if (directory != null && directory.damagedInstance() != null) {
            directoryStatus.put("rebuiltAtStart", "the damaged instance was moved to " + directory.damagedInstance().getFileName());
        }
        try {
            if (notAnswering != null) {
                // The publisher's pool would wait minutes for the same answer.
                throw new IllegalStateException("the directory is " + notAnswering);
            }
            boolean present = publisher.layoutPresent();
            directoryStatus.put("status", present ? "ok" : "down");
            if (!present) {
                directoryStatus.put("error", "the directory layout is missing: run 'certdir directory republish'");
            }
        } catch (RuntimeException e) {
            directoryStatus.put("status", "down").put("error", e.getMessage());
        }
        JsonObject publication = new JsonObject();
        try {
            Outbox.Stats queue = registry.outbox().stats(Outbox.DIRECTORY_PERSON, Outbox.DIRECTORY_CA, Outbox.DIRECTORY_TRUST);
            long age = queue.oldest() == null ? 0 : Duration.between(queue.oldest(), Instant.now()).toSeconds();
            boolean behind = queue.failing() > 0 || age > LAG_TOLERATED.toSeconds();
            publication.put("status", behind ? "degraded" : "ok").put("depth", queue.depth()).put("oldestAgeSeconds", age)
                    .put("failing", queue.failing());
            // Subjects the directory refuses for good: skipped so the others publish, listed here until fixed.
            long refusedCount = registry.outbox().refusedCount();
            if (refusedCount > 0) {
                JsonArray refused = new JsonArray();
                registry.outbox().refused(5).forEach(task -> refused.add(new JsonObject().put("topic", task.topic())
                        .put("subject", DirectoryPublisher.abbreviate(task.subject())).put("error", task.lastError())));
                publication.put("status", "degraded").put("refused", refusedCount).put("refusedFirst", refused);
            }
        } catch (RuntimeException e) {
            publication.put("status", "down").put("error", e.getMessage());
        }
        JsonObject crlStatus;
        try {
            crlStatus = crls();
        } catch (RuntimeException e) {
            crlStatus = new JsonObject().put("status", "degraded").put("error", e.getMessage());
        }
        JsonObject ocspStatus = ocspSigners();
        JsonObject mirrorStatus = mirror == null ? new JsonObject().put("status", "ok").put("cas", new JsonArray()) : mirrors();
        JsonObject diskStatus = dataDirectory == null ? new JsonObject().put("status", "ok") : disk();
        boolean up = "ok".equals(registryStatus.getString("status")) && "ok".equals(directoryStatus.getString("status"));
        boolean allOk = "ok".equals(publication.getString("status")) && "ok".equals(crlStatus.getString("status"))
                && "ok".equals(ocspStatus.getString("status")) && "ok".equals(diskStatus.getString("status"))
                && "ok".equals(mirrorStatus.getString("status"));
        String status = !up ? "down" : allOk ? "ok" : "degraded";
        return new JsonObject().put("status", status).put("registry", registryStatus).put("directory", directoryStatus)
                .put("publication", publication).put("crl", crlStatus).put("ocsp", ocspStatus).put("disk", diskStatus)
                .put("crlMirror", mirrorStatus);
    }

    /** The route handler of {@code /admin/health}; register with {@code blockingHandler}, as it does LDAP and database I/O. */
    public void handle(RoutingContext context) {
        JsonObject report = report();
        HttpListeners.json(context, "down".equals(report.getString("status")) ? 503 : 200, report);
    }

    /** The public {@code /health}: the same without the registry's file, whose path tells a stranger about the host. */
    public void handlePublic(RoutingContext context) {
        JsonObject report = report();
        report.getJsonObject("registry").remove("file");
        HttpListeners.json(context, "down".equals(report.getString("status")) ? 503 : 200, report);
    }
}
