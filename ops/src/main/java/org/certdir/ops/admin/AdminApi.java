package org.certdir.ops.admin;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.directory.publication.PublicationException;
import org.certdir.ops.ca.CaCreation;
import org.certdir.ops.ca.CaInstallation;
import org.certdir.ops.ca.InvalidCaRequest;
import org.certdir.ops.http.HealthCheck;
import org.certdir.ops.http.HttpListeners;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CertificateQuery;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.NotRegisteredException;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.Serial;
import org.certdir.registry.StatusConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API (JSON in and out, behind the bearer token): import, issue, renew, revoke, hold, release, status,
 * search, CAs, audit trail, change feed, directory republication. The README has the table of endpoints.
 *
 * <p>Errors: a malformed field is 400 naming it ({@code {"error": ..., "field": ...}}), an unknown CA or serial
 * 404, a change that does not fit the current status 409, a missing or wrong token 401 (before any route
 * runs). Bad input never gets a 500. Every change is acknowledged only after the registry committed it.
 */
public final class AdminApi {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    /** Large enough for a batch of a few thousand certificates from {@code certdir cert import}. */
    private static final long MAX_BODY = 64L * 1024 * 1024;
    private static final int DEFAULT_LIMIT = 100;

    private final Registry registry;
    private final DirectoryPublisher publisher;
    private final CertificateImport importer;
    private final SmimeIssuance issuance;
    private final CertificateRenewal renewal;
    private final org.certdir.crl.CrlPublisher crl;
    private final CaAdmin cas;
    private final MirrorAdmin mirror;
    private final OcspSignerAdmin ocspSigners;
    private final ExpiryReport expiry;
    private final ProfileAdmin profiles;
    private final CaRenewalAdmin caRenewal;

    public AdminApi(Registry registry, DirectoryPublisher publisher, org.certdir.ops.datadir.DataDirectory data,
                    org.certdir.ops.issuance.CertificateIssuer issuer, org.certdir.crl.CrlPublisher crl, CaCreation creation, CaInstallation installation,
                    org.certdir.ops.ca.CaImport caImport, org.certdir.crl.mirror.CrlMirror mirror,
                    org.certdir.ops.issuance.ExternalOcspSigner externalSigners, Runnable signerInstalled,
                    org.certdir.ops.profile.CertificateProfiles profiles, org.certdir.ops.ca.CaRenewal caRenewal) {
        this.registry = registry;
        this.profiles = new ProfileAdmin(registry, data, issuer, profiles);
        this.caRenewal = new CaRenewalAdmin(caRenewal);
        this.ocspSigners = new OcspSignerAdmin(externalSigners, signerInstalled);
        this.mirror = new MirrorAdmin(registry, mirror);
        this.cas = new CaAdmin(registry, creation, installation, caImport);
        this.crl = crl;
        this.publisher = publisher;
        this.importer = new CertificateImport(registry);
        this.expiry = new ExpiryReport(registry);
        this.issuance = new SmimeIssuance(registry, data, issuer, profiles);
        this.renewal = new CertificateRenewal(registry, data, issuer);
    }

    public void register(Router admin, HealthCheck health) {
        // Every request's body is read whole before its route runs, the routes that ignore it included: a request whose
        // body breaks off or is malformed was not the one the client meant, and no change is made for it (a 400 from
        // the listener's UnreadableBody, or nothing once the client hung up).
        admin.route("/admin/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY));
        admin.get("/admin/health").blockingHandler(health::handle, false);
        admin.post("/admin/directory/republish").blockingHandler(this::republish);
        cas.register(admin);
        caRenewal.register(admin);
        admin.post("/admin/certificates/import").blockingHandler(this::importCertificates);
        admin.post("/admin/certificates/issue").blockingHandler(this::issue);
        profiles.register(admin);
        renewal.register(admin);
        admin.post("/admin/certificates/lookup").blockingHandler(this::lookup, false);
        admin.get("/admin/certificates").blockingHandler(this::search, false);
        admin.get("/admin/certificates/expiring").blockingHandler(this::expiring, false);
        admin.get("/admin/certificates/:ca/:serial").blockingHandler(this::status, false);
        admin.post("/admin/certificates/:ca/:serial/revoke").blockingHandler(this::revoke);
        admin.post("/admin/certificates/:ca/:serial/hold").blockingHandler(this::hold);
        admin.post("/admin/certificates/:ca/:serial/release").blockingHandler(this::release);
        admin.get("/admin/audit").blockingHandler(this::audit, false);
        admin.get("/admin/changes").blockingHandler(this::changes, false);
        admin.post("/admin/crl/publish").blockingHandler(this::publishCrl);
        admin.get("/admin/crl/status").blockingHandler(this::crlStatus, false);
        mirror.register(admin);
        ocspSigners.register(admin);
        new TrustAdmin(registry).register(admin);
        admin.route("/admin/*").failureHandler(AdminApi::failure);
    }

    // ---- routes

    private void republish(RoutingContext context) {
        Actor actor = actor(context);
        long started = System.nanoTime();
        try {
            DirectoryPublisher.Republication result = publisher.republish(registry);
            int people = result.people();
            long millis = (System.nanoTime() - started) / 1_000_000;
            registry.recordAction(actor, "directory.republish", "directory", people + " people in " + millis + " ms"
                    + (result.refused().isEmpty() ? "" : ", " + result.refused().size() + " refused by the directory"));
            LOG.info("AUDIT {} republished the directory: {} people in {} ms", actor.name(), people, millis);
            // Subjects the directory refused were skipped (the others are published) and are listed for the admin.
            JsonArray refused = new JsonArray();
            result.refused().forEach(one -> refused.add(new JsonObject().put("topic", one.topic())
                    .put("subject", DirectoryPublisher.abbreviate(one.subject())).put("error", one.error())));
            HttpListeners.json(context, 200, new JsonObject().put("people", people).put("cas", registry.cas().size()).put("millis", millis)
                    .put("refused", refused));
        } catch (PublicationException e) {
            error(context, 502, null, "the directory refused the republication: " + e.getMessage());
        }
    }

    /**
     * A raw PEM, DER or PKCS#7 body (one file), or JSON {@code {"files": [{"name": ..., "data": base64}]}} (many;
     * {@code "text"} instead of {@code "data"} carries a PEM file as it is).
     */
    private void importCertificates(RoutingContext context) {
        List<CertificateImport.Source> sources = new ArrayList<>();
        if (isJson(context)) {
            Object value = jsonBody(context).getValue("files");
            if (value == null) {
                throw new BadRequest("files", "files is missing: send {\"files\": [{\"name\": ..., \"data\": <base64>}]} or the file itself");
            }
            if (!(value instanceof JsonArray files)) {
                throw new BadRequest("files", "files must be an array: send {\"files\": [{\"name\": ..., \"data\": <base64>}]} or the file itself");
            }
            for (int i = 0; i < files.size(); i++) {
                if (!(files.getValue(i) instanceof JsonObject file)) {
                    throw new BadRequest("files[" + i + "]", "files[" + i + "] must be an object: {\"name\": ..., \"data\": <base64>} or {\"name\": ..., \"text\": <PEM>}");
                }
                String name = file.getValue("name") instanceof String given ? given : "files[" + i + "]";
                if (file.getValue("text") instanceof String text) {
                    sources.add(new CertificateImport.Source(name, text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                    continue;
                }
                if (!(file.getValue("data") instanceof String data)) {
                    throw new BadRequest("files[" + i + "].data", "files[" + i + "] has no data: give the file as base64 in \"data\" or as PEM in \"text\"");
                }
                try {
                    sources.add(new CertificateImport.Source(name, Base64.getMimeDecoder().decode(data)));
                } catch (IllegalArgumentException e) {
                    throw new BadRequest("files[" + i + "].data", "data of " + name + " is not base64: " + e.getMessage());
                }
            }
        } else {
            sources.add(new CertificateImport.Source("request body", context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes()));
        }
        CertificateImport.Report report = importer.run(sources, actor(context));
        JsonObject json = new JsonObject()
                .put("imported", summaries(report.imported()))
                .put("known", summaries(report.known()))
                .put("casAdded", new JsonArray(report.casAdded().stream().map(CertificateJson::ca).toList()))
                .put("casKnown", new JsonArray(report.casKnown().stream().map(ca -> ca.name().value()).toList()))
                .put("crossCertificates", new JsonArray(report.crossCertificates().stream()
                        .map(cross -> new JsonObject().put("subject", cross.subject()).put("issuer", cross.issuer()).put("sha256", cross.sha256())).toList()))
                .put("rejected", new JsonArray(report.rejected().stream().map(rejected -> {
                    JsonObject item = new JsonObject().put("source", rejected.source()).put("reason", rejected.reason());
                    return rejected.subject() == null ? item : item.put("subject", rejected.subject());
                }).toList()));
        if (!report.imported().isEmpty() || !report.casAdded().isEmpty()) {
            LOG.info("AUDIT {} imported {} certificate(s) and {} CA(s); {} known, {} rejected", actor(context).name(),
                    report.imported().size(), report.casAdded().size(), report.known().size() + report.casKnown().size(), report.rejected().size());
        }
        HttpListeners.json(context, 200, json);
    }

    private static JsonArray summaries(List<CertificateRecord> records) {
        JsonArray array = new JsonArray();
        for (CertificateRecord record : records) {
            array.add(new JsonObject().put("ca", record.ca().value()).put("serial", record.details().serial().hex())
                    .put("subject", record.details().subject()));
        }
        return array;
    }

    private void issue(RoutingContext context) {
        JsonObject body = jsonBody(context);
        SmimeIssuance.Request request = new SmimeIssuance.Request(
                string(body, "mail"), string(body, "name"), string(body, "ca"), string(body, "password"), string(body, "keyAlgorithm"),
                integer(body, "validityDays"));
        SmimeIssuance.Result result = issuance.issue(request, actor(context));
        LOG.info("AUDIT {} issued an S/MIME pair for {}: encryption {} signing {}", actor(context).name(), request.mail(),
                result.encryption().details().serial(), result.signing().details().serial());
        JsonObject json = new JsonObject()
                .put("encryption", CertificateJson.certificate(result.encryption()))
                .put("signing", CertificateJson.certificate(result.signing()))
                .put("pkcs12", Base64.getEncoder().encodeToString(result.pkcs12()));
        if (result.generatedPassword() != null) {
            json.put("password", result.generatedPassword());
        }
        HttpListeners.json(context, 201, json);
    }

    /** Status of a certificate given as a file (PEM or DER) rather than by CA and serial. */
    private void lookup(RoutingContext context) {
        byte[] bytes = context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes();
        List<byte[]> ders;
        CertificateDetails details;
        try {
            ders = CertificateFiles.read(bytes);
            if (ders.size() != 1) {
                throw new IllegalArgumentException("the file holds " + ders.size() + " certificates: send one");
            }
            details = CertificateDetails.parse(ders.get(0));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("certificate", e.getMessage());
        }
        CertificateRecord record = registry.certificateBySha256(details.sha256())
                .orElseThrow(() -> new NotRegisteredException("the registry does not know " + details));
        HttpListeners.json(context, 200, CertificateJson.certificate(record));
    }

    private void search(RoutingContext context) {
        String status = context.queryParams().get("status");
        CertificateStatus wanted = null;
        if (status != null) {
            wanted = java.util.Arrays.stream(CertificateStatus.values()).filter(s -> s.dbName().equals(status)).findFirst()
                    .orElseThrow(() -> new BadRequest("status", "status '" + status + "' is not one of valid, revoked, on-hold"));
        }
        String ca = context.queryParams().get("ca");
        CertificateQuery query;
        try {
            query = new CertificateQuery(context.queryParams().get("mail"), wanted, ca == null ? null : caName(ca),
                    intParam(context, "limit", DEFAULT_LIMIT), intParam(context, "offset", 0));
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage().startsWith("offset") ? "offset" : "limit", e.getMessage());
        }
        CertificateQuery.Page page = registry.search(query);
        HttpListeners.json(context, 200, new JsonObject()
                .put("total", page.total()).put("limit", query.limit()).put("offset", query.offset())
                .put("certificates", new JsonArray(page.certificates().stream().map(CertificateJson::certificate).toList())));
    }

    private void expiring(RoutingContext context) {
        ExpiryWindow window;
        try {
            window = ExpiryWindow.parse(context.queryParams().get("within"));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("within", e.getMessage());
        }
        String ca = context.queryParams().get("ca");
        int limit = intParam(context, "limit", DEFAULT_LIMIT);
        if (limit < 1 || limit > CertificateQuery.MAX_LIMIT) {
            throw new BadRequest("limit", "limit must be between 1 and " + CertificateQuery.MAX_LIMIT + ", was " + limit);
        }
        HttpListeners.json(context, 200, expiry.build(window, ca == null ? null : caName(ca), limit));
    }

    private void status(RoutingContext context) {
        CaName ca = caName(context.pathParam("ca"));
        Serial serial = serial(context.pathParam("serial"));
        CertificateRecord record = registry.requireCertificate(ca, serial);
        HttpListeners.json(context, 200, CertificateJson.certificate(record));
    }

    private void revoke(RoutingContext context) {
        CaName ca = caName(context.pathParam("ca"));
        Serial serial = serial(context.pathParam("serial"));
        JsonObject body = jsonBody(context);
        String reasonText = string(body, "reason");
        if (reasonText == null) {
            // The reason goes on the CRL and into the audit trail: the admin says why, even if it is "unspecified".
            throw new BadRequest("reason", "reason is missing: say why, e.g. {\"reason\": \"keyCompromise\"} (unspecified, keyCompromise, "
                    + "cACompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn or aACompromise)");
        }
        RevocationReason reason;
        try {
            reason = RevocationReason.parse(reasonText);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("reason", e.getMessage());
        }
        if (reason == RevocationReason.CERTIFICATE_HOLD || reason == RevocationReason.REMOVE_FROM_CRL) {
            throw new BadRequest("reason", "reason " + reason.rfcName() + " is not a revocation: use the hold or release endpoint");
        }
        Instant invalidity = invalidityDate(body);
        changed(context, registry.revoke(ca, serial, reason, invalidity, actor(context)), "revoked");
    }

    private void hold(RoutingContext context) {
        CaName ca = caName(context.pathParam("ca"));
        Serial serial = serial(context.pathParam("serial"));
        changed(context, registry.revoke(ca, serial, RevocationReason.CERTIFICATE_HOLD, null, actor(context)), "held");
    }

    private void release(RoutingContext context) {
        CaName ca = caName(context.pathParam("ca"));
        Serial serial = serial(context.pathParam("serial"));
        changed(context, registry.release(ca, serial, actor(context)), "released");
    }

    private void changed(RoutingContext context, CertificateRecord record, String what) {
        LOG.info("AUDIT {} {} certificate {} of CA {}{}", actor(context).name(), what, record.details().serial(), record.ca(),
                record.reason() == null ? "" : " (" + record.reason().rfcName() + ")");
        HttpListeners.json(context, 200, CertificateJson.certificate(record));
    }

    private void audit(RoutingContext context) {
        int limit = intParam(context, "limit", 1000);
        if (limit < 1 || limit > 10_000) {
            throw new BadRequest("limit", "limit must be between 1 and 10000, was " + limit);
        }
        String since = context.queryParams().get("since");
        List<org.certdir.registry.AuditRecord> records;
        if (since == null) {
            records = new ArrayList<>(registry.auditTrail(limit));
            java.util.Collections.reverse(records);
        } else {
            records = registry.auditSince(instant("since", since), limit);
        }
        HttpListeners.json(context, 200, new JsonObject().put("audit", new JsonArray(records.stream().map(CertificateJson::audit).toList())));
    }

    private void changes(RoutingContext context) {
        long since;
        try {
            since = Long.parseLong(context.queryParams().get("since") == null ? "0" : context.queryParams().get("since"));
        } catch (NumberFormatException e) {
            throw new BadRequest("since", "since must be a revision number, was '" + context.queryParams().get("since") + "'");
        }
        int limit = intParam(context, "limit", 1000);
        if (limit < 1 || limit > 10_000) {
            throw new BadRequest("limit", "limit must be between 1 and 10000, was " + limit);
        }
        HttpListeners.json(context, 200, new JsonObject()
                .put("revision", registry.revision())
                .put("changes", new JsonArray(registry.changesSince(since, limit).stream().map(CertificateJson::change).toList())));
    }

    /** Issues a full CRL now for one CA ({@code ?ca=}) or every managed CA, and sends it to every point. */
    private void publishCrl(RoutingContext context) {
        String name = context.queryParams().get("ca");
        List<org.certdir.registry.CaRecord> cas;
        if (name == null) {
            cas = registry.cas().stream().filter(org.certdir.registry.CaRecord::managed).toList();
        } else {
            CaName caName = caName(name);
            org.certdir.registry.CaRecord ca = registry.requireCa(caName);
            if (!ca.managed()) {
                throw new BadRequest("ca", "CA '" + name + "' is registered for publication only: certdir holds no key to sign its CRLs");
            }
            cas = List.of(ca);
        }
        JsonArray issued = new JsonArray();
        for (org.certdir.registry.CaRecord ca : cas) {
            org.certdir.registry.CrlRecord record = crl.publishNow(ca);
            issued.add(new JsonObject().put("ca", ca.name().value()).put("number", record.number()).put("entries", record.entries())
                    .put("thisUpdate", record.thisUpdate().toString()).put("nextUpdate", record.nextUpdate().toString()));
        }
        registry.recordAction(actor(context), "crl.publish", name == null ? "all managed CAs" : name, issued.size() + " full CRL(s) issued on request");
        HttpListeners.json(context, 200, new JsonObject().put("crls", issued));
    }

    private void crlStatus(RoutingContext context) {
        JsonArray cas = new JsonArray();
        for (org.certdir.registry.CaRecord ca : registry.cas()) {
            if (!ca.managed()) {
                continue;
            }
            JsonObject json = new JsonObject().put("ca", ca.name().value());
            registry.latestCrlSummary(ca.name(), false).ifPresent(full -> json.put("full", crlJson(full)));
            registry.latestCrlSummary(ca.name(), true).ifPresent(delta -> json.put("delta", crlJson(delta)));
            JsonArray points = new JsonArray();
            for (org.certdir.registry.PointState state : crl.status()) {
                if (state.ca().equals(ca.name())) {
                    JsonObject point = new JsonObject().put("point", state.point()).put("fullNumber", state.fullNumber())
                            .put("deltaNumber", state.deltaNumber());
                    if (state.publishedAt() != null) {
                        point.put("publishedAt", state.publishedAt().toString());
                    }
                    if (state.lastError() != null) {
                        point.put("lastError", state.lastError()).put("attemptedAt", state.attemptedAt().toString());
                    }
                    points.add(point);
                }
            }
            cas.add(json.put("points", points));
        }
        HttpListeners.json(context, 200, new JsonObject().put("cas", cas));
    }

    private static JsonObject crlJson(org.certdir.registry.CrlSummary record) {
        JsonObject json = new JsonObject().put("number", record.number()).put("entries", record.entries())
                .put("thisUpdate", record.thisUpdate().toString()).put("nextUpdate", record.nextUpdate().toString());
        return record.baseNumber() == null ? json : json.put("baseNumber", record.baseNumber());
    }

    // ---- input

    static Actor actor(RoutingContext context) {
        return new Actor(org.certdir.ops.http.HttpListeners.ADMIN_ACTOR, context.request().remoteAddress().hostAddress());
    }

    private static boolean isJson(RoutingContext context) {
        String type = context.request().getHeader("Content-Type");
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
    }

    static JsonObject jsonBody(RoutingContext context) {
        if (context.body() == null || context.body().length() == 0) {
            return new JsonObject();
        }
        try {
            JsonObject body = context.body().asJsonObject();
            return body == null ? new JsonObject() : body;
        } catch (DecodeException | ClassCastException e) {
            throw new BadRequest("body", "the request body is not a JSON object: " + e.getMessage());
        }
    }

    static String string(JsonObject body, String field) {
        Object value = body.getValue(field);
        if (value != null && !(value instanceof String)) {
            throw new BadRequest(field, field + " must be a string");
        }
        return (String) value;
    }

    static Integer integer(JsonObject body, String field) {
        Object value = body.getValue(field);
        if (value != null && !(value instanceof Integer)) {
            throw new BadRequest(field, field + " must be a whole number");
        }
        return (Integer) value;
    }

    private static int intParam(RoutingContext context, String name, int fallback) {
        String value = context.queryParams().get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new BadRequest(name, name + " must be a whole number, was '" + value + "'");
        }
    }

    static CaName caName(String value) {
        try {
            return new CaName(value);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("ca", e.getMessage());
        }
    }

    static Serial serial(String value) {
        try {
            return Serial.parseHex(value);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("serial", e.getMessage());
        }
    }

    private static Instant instant(String field, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return java.time.LocalDate.parse(value).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notADate) {
                throw new BadRequest(field, field + " '" + value + "' is not a date: give 2026-11-20 or 2026-11-20T08:30:00Z");
            }
        }
    }

    /**
     * A date without a time is the start of that day in the service's time zone (its clock's): "today" is never in
     * the future, east of UTC included. Checked against the registry's clock, which stamps the revocation.
     */
    private Instant invalidityDate(JsonObject body) {
        String value = string(body, "invalidityDate");
        if (value == null) {
            return null;
        }
        java.time.Clock clock = registry.clock();
        Instant instant;
        try {
            instant = Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                instant = java.time.LocalDate.parse(value).atStartOfDay(clock.getZone()).toInstant();
            } catch (DateTimeParseException notADate) {
                throw new BadRequest("invalidityDate", "invalidityDate '" + value + "' is not a date: give 2026-11-20 or 2026-11-20T08:30:00Z");
            }
        }
        if (instant.isAfter(clock.instant())) {
            // RFC 5280 §5.3.2: the date on which the key is known or suspected to have been compromised: not in the future.
            throw new BadRequest("invalidityDate", "invalidityDate " + value + " is in the future");
        }
        return instant;
    }

    // ---- errors

    private static void failure(RoutingContext context) {
        Throwable failure = context.failure();
        if (failure instanceof BadRequest bad) {
            error(context, 400, bad.field(), bad.getMessage());
        } else if (failure instanceof InvalidCaRequest bad) {
            error(context, 400, bad.field(), bad.getMessage());
        } else if (failure instanceof NotRegisteredException) {
            error(context, 404, null, failure.getMessage());
        } else if (failure instanceof StatusConflictException) {
            error(context, 409, null, failure.getMessage());
        } else if (failure instanceof org.certdir.registry.RegistryFullException) {
            // RFC 4918 §11.5: the change was refused for want of space, not because it was wrong; the admin can retry.
            LOG.error("admin request {} {} refused: {}", context.request().method(), context.request().path(), failure.getMessage(), failure);
            error(context, 507, null, failure.getMessage());
        } else if (failure == null && context.statusCode() == 413) {
            error(context, 413, null, "the request body is larger than " + MAX_BODY / (1024 * 1024) + " MiB: send fewer files at once");
        } else if (failure == null && context.statusCode() >= 400 && context.statusCode() < 500) {
            error(context, context.statusCode(), null, "bad request");
        } else {
            // An unreadable body or a bug: the listener's handlers answer those (400, or 500 with the failure logged).
            context.next();
        }
    }

    private static void error(RoutingContext context, int status, String field, String message) {
        JsonObject json = new JsonObject().put("error", message);
        if (field != null) {
            json.put("field", field);
        }
        HttpListeners.json(context, status, json);
    }
}
