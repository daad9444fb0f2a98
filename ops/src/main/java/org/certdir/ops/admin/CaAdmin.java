package org.certdir.ops.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.certdir.ops.ca.CaCreation;
import org.certdir.ops.ca.CaImport;
import org.certdir.ops.ca.CaInstallation;
import org.certdir.ops.ca.CaRequest;
import org.certdir.ops.ca.ImportedKey;
import org.certdir.ops.http.HttpListeners;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.PendingCa;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CAs through the admin API: {@code GET /admin/cas} (registered and pending), {@code POST /admin/cas} to create a root,
 * a CA under a managed one, or (with {@code "csr": true}) a pending CA and its CSR, and {@code POST /admin/cas/install}
 * with the certificate a root kept elsewhere issued for that CSR, {@code POST /admin/cas/import} to take over an existing CA
 * with its key, certificates and last CRL. Refusals ({@link org.certdir.ops.ca.InvalidCaRequest})
 * are 400s naming the field.
 */
final class CaAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(CaAdmin.class);

    private final Registry registry;
    private final CaCreation creation;
    private final CaInstallation installation;
    private final CaImport importer;

    CaAdmin(Registry registry, CaCreation creation, CaInstallation installation, CaImport importer) {
        this.registry = registry;
        this.creation = creation;
        this.installation = installation;
        this.importer = importer;
    }

    /** On the admin router, whose requests come with their body read ({@link AdminApi#register}). */
    void register(Router admin) {
        admin.get("/admin/cas").blockingHandler(this::list, false);
        admin.post("/admin/cas").blockingHandler(this::create);
        admin.post("/admin/cas/install").blockingHandler(this::install);
        admin.post("/admin/cas/import").blockingHandler(this::importCa);
    }

    private void list(RoutingContext context) {
        JsonArray cas = new JsonArray();
        registry.cas().forEach(ca -> cas.add(CertificateJson.ca(ca)));
        JsonArray pending = new JsonArray();
        registry.pendingCas().forEach(ca -> pending.add(pending(ca)));
        HttpListeners.json(context, 200, new JsonObject().put("cas", cas).put("pending", pending));
    }

    /** {@code {"subject", "name"?, "keyAlgorithm"?, "validityDays"?, "pathLength"?, "parent"?, "csr"?}}. */
    private void create(RoutingContext context) {
        JsonObject body = AdminApi.jsonBody(context);
        Actor actor = AdminApi.actor(context);
        Object csr = body.getValue("csr");
        if (csr != null && !(csr instanceof Boolean)) {
            throw new BadRequest("csr", "csr must be true or false");
        }
        CaRequest request = CaRequest.parse(AdminApi.string(body, "name"), AdminApi.string(body, "subject"), AdminApi.string(body, "keyAlgorithm"),
                AdminApi.integer(body, "validityDays"), AdminApi.integer(body, "pathLength"), AdminApi.string(body, "parent"), Boolean.TRUE.equals(csr));
        if (request.csr()) {
            CaCreation.Requested requested = creation.request(request, actor);
            LOG.info("AUDIT {} created pending CA {} ({}) and its CSR", actor.name(), request.name(), requested.pending().subject());
            HttpListeners.json(context, 201, new JsonObject().put("pending", pending(requested.pending())).put("csr", requested.csrPem()));
            return;
        }
        CaCreation.Created created = creation.create(request, actor);
        LOG.info("AUDIT {} created CA {} ({}){}", actor.name(), request.name(), created.record().certificate().subject(),
                request.parent() == null ? ", self-signed" : ", issued by " + request.parent());
        HttpListeners.json(context, 201, new JsonObject().put("ca", CertificateJson.ca(created.record())));
    }

    /** {@code {"certificate", "chain"?, "name"?}}: each file as PEM text or base64 (PEM, DER or PKCS#7). */
    private void install(RoutingContext context) {
        JsonObject body = AdminApi.jsonBody(context);
        Actor actor = AdminApi.actor(context);
        List<X509Certificate> certificate = certificates(body, "certificate", true);
        if (certificate.size() != 1) {
            throw new BadRequest("certificate", "certificate holds " + certificate.size() + " certificates: give the CA's own one there and the"
                    + " others as chain");
        }
        List<X509Certificate> chain = certificates(body, "chain", false);
        String name = AdminApi.string(body, "name");
        CaName caName;
        try {
            caName = name == null ? null : new CaName(name);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("name", e.getMessage());
        }
        CaInstallation.Installed installed = installation.install(caName, certificate.get(0), chain, actor);
        LOG.info("AUDIT {} installed {}CA {} ({}), issued by {}", actor.name(), installed.renewal() ? "the renewal of " : "", installed.record().name(),
                installed.record().certificate().subject(), installed.record().certificate().issuer());
        HttpListeners.json(context, 200, new JsonObject().put("ca", CertificateJson.ca(installed.record())).put("renewal", installed.renewal())
                .put("casAdded", new JsonArray(installed.chainAdded().stream().map(CertificateJson::ca).toList())));
    }

    /**
     * {@code {"pkcs12": base64, "password"} or {"key": PEM, "certificate": PEM chain, the CA's first}, with "certificates"?:
     * [{"name", "data": base64}], "lastCrl"?: base64 or PEM, "nextCrlNumber"?, "name"?}}. The password opens the PKCS#12
     * here and is kept nowhere.
     */
    private void importCa(RoutingContext context) {
        JsonObject body = AdminApi.jsonBody(context);
        Actor actor = AdminApi.actor(context);
        ImportedKey key;
        String pkcs12 = AdminApi.string(body, "pkcs12");
        if (pkcs12 != null) {
            String password = AdminApi.string(body, "password");
            if (password == null) {
                throw new BadRequest("password", "password is missing: the PKCS#12 file's password opens it");
            }
            key = ImportedKey.fromPkcs12(file(body, "pkcs12"), password.toCharArray());
        } else {
            if (AdminApi.string(body, "key") == null) {
                throw new BadRequest("key", "give the CA's key: pkcs12 with its password, or key (PEM) with certificate");
            }
            key = ImportedKey.fromPem(file(body, "key"), certificates(body, "certificate", true));
        }
        List<CertificateImport.Source> sources = new ArrayList<>();
        Object files = body.getValue("certificates");
        if (files != null) {
            if (!(files instanceof JsonArray array)) {
                throw new BadRequest("certificates", "certificates must be an array of {\"name\": ..., \"data\": <base64>}");
            }
            for (int i = 0; i < array.size(); i++) {
                if (!(array.getValue(i) instanceof JsonObject one) || !(one.getValue("data") instanceof String data)) {
                    throw new BadRequest("certificates[" + i + "]", "certificates[" + i + "] must be {\"name\": ..., \"data\": <base64>}");
                }
                String name = one.getValue("name") instanceof String given ? given : "certificates[" + i + "]";
                try {
                    sources.add(new CertificateImport.Source(name, Base64.getMimeDecoder().decode(data)));
                } catch (IllegalArgumentException e) {
                    throw new BadRequest("certificates[" + i + "]", "certificates[" + i + "] (" + name + ") is not base64: " + e.getMessage());
                }
            }
        }
        byte[] lastCrl = AdminApi.string(body, "lastCrl") == null ? null : file(body, "lastCrl");
        Object next = body.getValue("nextCrlNumber");
        if (next != null && !(next instanceof Integer || next instanceof Long)) {
            throw new BadRequest("nextCrlNumber", "nextCrlNumber must be a whole number");
        }
        String name = AdminApi.string(body, "name");
        CaName caName;
        try {
            caName = name == null ? null : new CaName(name);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("name", e.getMessage());
        }
        CaImport.Imported imported = importer.run(new CaImport.Request(caName, key, sources, lastCrl, next == null ? null : ((Number) next).longValue()),
                actor);
        CertificateImport.Report report = imported.certificates();
        LOG.info("AUDIT {} imported CA {} ({}) with its key: {} certificates, {} revocations, next CRL number {}", actor.name(),
                imported.record().name(), imported.record().certificate().subject(), report.imported().size(), imported.revocations(),
                imported.nextCrlNumber());
        JsonArray rejected = new JsonArray();
        report.rejected().forEach(one -> rejected.add(new JsonObject().put("source", one.source()).put("subject", one.subject()).put("reason", one.reason())));
        HttpListeners.json(context, 200, new JsonObject().put("ca", CertificateJson.ca(imported.record()))
                .put("wasPublishedOnly", imported.wasPublishedOnly())
                .put("imported", report.imported().size()).put("known", report.known().size())
                .put("casAdded", new JsonArray(java.util.stream.Stream.concat(imported.chainAdded().stream(), report.casAdded().stream())
                        .map(CertificateJson::ca).toList()))
                .put("rejected", rejected).put("revocations", imported.revocations()).put("nextCrlNumber", imported.nextCrlNumber()));
    }

    /** A file given as PEM text or base64. */
    private static byte[] file(JsonObject body, String field) {
        String value = AdminApi.string(body, field);
        if (value.contains("-----BEGIN ")) {
            return value.getBytes(StandardCharsets.US_ASCII);
        }
        try {
            return Base64.getMimeDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(field, field + " is neither PEM nor base64: " + e.getMessage());
        }
    }

    private static List<X509Certificate> certificates(JsonObject body, String field, boolean required) {
        String value = AdminApi.string(body, field);
        if (value == null || value.isBlank()) {
            if (required) {
                throw new BadRequest(field, field + " is missing: give the certificate file as PEM text or base64");
            }
            return List.of();
        }
        byte[] file;
        if (value.contains("-----BEGIN ")) {
            file = value.getBytes(StandardCharsets.US_ASCII);
        } else {
            try {
                file = Base64.getMimeDecoder().decode(value);
            } catch (IllegalArgumentException e) {
                throw new BadRequest(field, field + " is neither PEM nor base64: " + e.getMessage());
            }
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            for (byte[] der : CertificateFiles.read(file)) {
                certificates.add(CertificateDetails.parse(der).certificate());
            }
        } catch (IllegalArgumentException e) {
            throw new BadRequest(field, field + ": " + e.getMessage());
        }
        return certificates;
    }

    private static JsonObject pending(PendingCa ca) {
        return new JsonObject().put("name", ca.name().value()).put("subject", ca.subject()).put("createdAt", ca.createdAt().toString())
                .put("csr", CaCreation.csrPem(ca.csr()));
    }
}
