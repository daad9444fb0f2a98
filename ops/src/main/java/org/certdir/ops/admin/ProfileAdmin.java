package org.certdir.ops.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.http.HttpListeners;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.profile.CertificateProfile;
import org.certdir.ops.profile.CertificateProfiles;
import org.certdir.ops.profile.KeyType;
import org.certdir.registry.Actor;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Certificate profiles through the admin API: {@code GET /admin/profiles} lists them, {@code POST
 * /admin/certificates/issue-csr} issues a certificate of one for a user's CSR ({@link CsrIssuance}).
 */
final class ProfileAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(ProfileAdmin.class);

    private final CertificateProfiles profiles;
    private final CsrIssuance issuance;

    ProfileAdmin(Registry registry, DataDirectory data, CertificateIssuer issuer, CertificateProfiles profiles) {
        this.profiles = profiles;
        this.issuance = new CsrIssuance(registry, data, issuer, profiles);
    }

    /** On the admin router, whose requests come with their body read ({@link AdminApi#register}). */
    void register(Router admin) {
        admin.get("/admin/profiles").blockingHandler(this::list, false);
        admin.post("/admin/certificates/issue-csr").blockingHandler(this::issue);
    }

    private void list(RoutingContext context) {
        JsonArray list = new JsonArray();
        profiles.all().forEach(profile -> list.add(json(profile)));
        HttpListeners.json(context, 200, new JsonObject().put("profiles", list));
    }

    /** {@code {"csr": PEM text or base64 DER, "profile", "ca"?, "mail"?: one or a list, "name"?, "validityDays"?}}. */
    private void issue(RoutingContext context) {
        JsonObject body = AdminApi.jsonBody(context);
        Actor actor = AdminApi.actor(context);
        CsrIssuance.Request request = new CsrIssuance.Request(csr(body), AdminApi.string(body, "profile"), AdminApi.string(body, "ca"), mails(body),
                AdminApi.string(body, "name"), AdminApi.integer(body, "validityDays"));
        CsrIssuance.Result result = issuance.issue(request, actor);
        LOG.info("AUDIT {} issued certificate {} of CA {} for {} from a CSR, profile {}", actor.name(), result.record().details().serial(),
                result.record().ca(), String.join(", ", result.record().details().mailAddresses()), result.profile().name());
        HttpListeners.json(context, 201, new JsonObject()
                .put("certificate", CertificateJson.certificate(result.record()))
                .put("profile", result.profile().name())
                .put("pem", KeyFiles.pem(List.of(result.record().details().certificate())))
                .put("chain", KeyFiles.pem(result.chain())));
    }

    private static byte[] csr(JsonObject body) {
        String value = AdminApi.string(body, "csr");
        if (value == null) {
            return null;
        }
        if (value.contains("-----BEGIN ")) {
            return value.getBytes(StandardCharsets.US_ASCII);
        }
        try {
            return Base64.getMimeDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("csr", "csr is neither PEM nor base64: " + e.getMessage());
        }
    }

    private static List<String> mails(JsonObject body) {
        Object value = body.getValue("mail");
        if (value == null) {
            return List.of();
        }
        if (value instanceof String one) {
            return List.of(one);
        }
        if (value instanceof JsonArray array && array.stream().allMatch(String.class::isInstance)) {
            List<String> mails = new ArrayList<>();
            array.forEach(each -> mails.add((String) each));
            return mails;
        }
        throw new BadRequest("mail", "mail must be a string or an array of strings");
    }

    static JsonObject json(CertificateProfile profile) {
        JsonObject json = new JsonObject()
                .put("name", profile.name())
                .put("builtIn", profile.builtIn())
                .put("keyAlgorithms", new JsonArray(profile.keyTypes().stream().map(KeyType::configName).toList()))
                .put("validity", CertificateProfile.text(profile.validity()))
                .put("maxValidity", CertificateProfile.text(profile.maxValidity()))
                .put("keyUsage", new JsonArray(profile.keyUsageNames()))
                .put("extendedKeyUsage", new JsonArray(profile.extendedKeyUsage().stream().map(CertificateProfile::purposeName).toList()))
                .put("organizationalUnits", new JsonArray(profile.organizationalUnits()))
                .put("commonName", profile.commonName().configName())
                .put("maxMailAddresses", profile.maxMailAddresses())
                .put("mailDomains", new JsonArray(profile.mailDomains()));
        return profile.organisation() == null ? json : json.put("organisation", profile.organisation());
    }
}
